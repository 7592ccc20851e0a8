#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # cpuset_mount and cleanup run from the trap
# tests/bench/run.sh [--no-build] [BUILD_DIR]
#
# Every benchmark of numaplace in one run (docs/benchmarks.md): latency of
# advise, reserve + release and place + release (in process and as whole
# commands, on this machine and on the 64-node capture with 1,000 guests),
# numad -w beside them, lxc-start with and without the hook, advise and
# reserve as whole commands against 0 to 10,000 guests, loading the
# topology, the built-in advisor alone, and the placement-quality
# simulator with its plot. BUILD_DIR defaults to build-bench (configured as RelWithDebInfo,
# the project's default, when it does not exist); --no-build uses it as it
# is (the CMake target `bench` does so). Figures go to stdout and to BUILD_DIR/bench-results/.
# Needs root for the cpuset groups and LXC; what it cannot measure it skips
# and says why. Environment: NP_BENCH_RUNS (1000), NP_BENCH_GUESTS (1000),
# NP_BENCH_CALLS (numad and lxc-start, 20 each way), NP_BENCH_STEPS (2000),
# and bench_scale.sh's NP_BENCH_SCALE_RUNS (200) and NP_BENCH_SCALE_SIZES.
set -u

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
nobuild=0
[ "${1:-}" = --no-build ] && { nobuild=1; shift; }
build=${1:-$src/build-bench}
runs=${NP_BENCH_RUNS:-1000}
guests=${NP_BENCH_GUESTS:-1000}
calls=${NP_BENCH_CALLS:-20}
steps=${NP_BENCH_STEPS:-2000}

if [ "$nobuild" = 0 ]; then
	[ -f "$build/CMakeCache.txt" ] || cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
	cmake --build "$build" -j"$(nproc)" --target numaplace bench_latency bench_sim bench_advisor \
		bench_topology >/dev/null || exit 1
fi
bench=$build/tests/bench
numaplace=$build/plugin/numaplace
out=$build/bench-results
rm -rf "$out" && mkdir -p "$out" || exit 1

# A private work dir on tmpfs, as /run is on a normal system (the ledger
# fsyncs every record); a cpuset group name nobody else uses.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
work=$(mktemp -d "$shm/np-bench.XXXXXX") || exit 1
parent=np-bench-$$-$RANDOM

cpuset_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpuset(,|$)/) { print $5; exit }
	       if ($(i + 1) == "cgroup2") v2 = $5 }
	     END { if (v2 != "") print v2 }' /proc/self/mountinfo | head -n 1
}

# Whatever a benchmark that died left behind: the numad daemon it started
# (by the PID it noted, if that is still numad), this run's cpuset groups,
# the work dir.
cleanup() {
	local pid mount
	if [ -f "$work/numad-daemon.pid" ]; then
		pid=$(cat "$work/numad-daemon.pid")
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = numad ] && kill "$pid" 2>/dev/null
	fi
	mount=$(cpuset_mount)
	[ -n "$mount" ] && [ -d "$mount/$parent" ] &&
		find "$mount/$parent" -depth -type d -exec rmdir {} + 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

numad=$(command -v numad || true)
# What plugin/common/cli_topology.c keeps hwloc from loading.
hwloc_unused=hwloc_pci,hwloc_opencl,hwloc_cuda,hwloc_nvml,hwloc_rsmi,hwloc_levelzero,hwloc_gl,hwloc_xml_libxml
fixtures=$src/tests/fixtures/topologies
captures=("$fixtures"/*.xml)

run_all() {
	local t0=$SECONDS type rc=0
	type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
	echo "numaplace benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), build type ${type:-?}, $(nproc) CPUs"
	echo "work dir $work; results in $out"
	echo
	echo "== latency"
	"$bench/bench_latency" --numaplace "$numaplace" --fixture "$fixtures/64n-synthetic-asym.xml" \
		--work "$work" --parent "$parent" --runs "$runs" --guests "$guests" \
		--numad-calls "$calls" ${numad:+--numad "$numad"} --csv "$out/latency.csv" || rc=1
	bash "$src/tests/bench/bench_lxc.sh" "$numaplace" "$work" "$calls" "$out/latency.csv" || rc=1
	bash "$src/tests/bench/bench_oci.sh" "$numaplace" "$work" 10 || rc=1
	bash "$src/tests/bench/bench_libvirt.sh" "$numaplace" "$work" 10 || rc=1
	echo
	echo "== commands against the number of guests (bench_scale.sh)"
	bash "$src/tests/bench/bench_scale.sh" "$build" || rc=1
	echo
	echo "== loading the topology (bench_topology, with the plugins the CLI keeps out)"
	HWLOC_PLUGINS_BLACKLIST=$hwloc_unused "$bench/bench_topology" -n 100 \
		"$fixtures/64n-synthetic-asym.xml" live || rc=1
	echo
	echo "== the built-in advisor alone (bench_advisor, a hand-made 64-node machine, 1,000 guests)"
	"$bench/bench_advisor" 10000 || rc=1
	echo
	echo "== placement quality (bench_sim)"
	"$bench/bench_sim" --steps "$steps" --csv "$out/quality.csv" --dat "$out/quality.dat" \
		"${captures[@]}" || rc=1
	if command -v gnuplot >/dev/null; then
		gnuplot -e "dat='$out/quality.dat'; out='$out'; n=${#captures[@]}" \
			"$src/tests/bench/plot.gp" &&
			echo "plots: $out/local-share.png $out/local-share-all.png"
	else
		echo "plots: skipped: gnuplot is missing (apt-get install -y --no-install-recommends gnuplot-nox)"
	fi
	echo
	echo "whole benchmark: $((SECONDS - t0)) s"
	return "$rc"
}

run_all 2>&1 | tee "$out/report.txt"
exit "${PIPESTATUS[0]}"
