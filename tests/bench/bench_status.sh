#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/bench/bench_status.sh BUILD_DIR: what reading each guest's memory
# per node costs `numaplace status`. 100 placed guests with 1 GiB resident
# each (bench_memhog: the children share one 1 GiB mapping copy-on-write,
# so the kernel walks 1 GiB of page tables per guest while the machine
# holds it once), against 100 placed guests that hold almost nothing
# (sleep), in one run: median and p99 of NP_BENCH_STATUS_RUNS (50) whole
# `status --json` commands each. Needs root and a cpuset hierarchy; cleans
# up its groups and processes. Figures only.
set -u
build=${1:?usage: bench_status.sh BUILD_DIR}
np=$build/plugin/numaplace
hog=$build/tests/bench/bench_memhog
runs=${NP_BENCH_STATUS_RUNS:-50}
guests=${NP_BENCH_STATUS_GUESTS:-100}
mount=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuset(,|$)/ { print $2; exit } $3 == "cgroup2" { v2 = $2 } END { }' /proc/mounts)
[ -n "$mount" ] || { echo "bench_status: no cgroup v1 cpuset hierarchy; skipped"; exit 0; }
work=$(mktemp -d /dev/shm/np-bench-status.XXXXXX)
top=np-bench-status-$$
pids=()

cleanup() {
	local d
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	find "$mount/$top" -depth -type d 2>/dev/null | while read -r d; do
		while read -r t; do echo "$t" >"$mount/cgroup.procs"; done <"$d/cgroup.procs" 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$mount/$top"
cat "$mount/cpuset.cpus" >"$mount/$top/cpuset.cpus"
cat "$mount/cpuset.mems" >"$mount/$top/cpuset.mems"
printf '[placement]\ncgroup-parent = %s/numaplace\ncpu-overcommit = 100\n' "$top" >"$work/np.conf"

# stats FILE: "median MS p99 MS" of the nanosecond figures in FILE.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]
		printf "median %.2f ms, p99 %.2f ms", m / 1e6, p / 1e6 }'
}

# measure TAG STATE: time `status --json` RUNS times on STATE.
measure() {
	local i t0 t1
	: >"$work/$1.ns"
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$np" --config "$work/np.conf" --state-dir "$2" --json status >/dev/null
		t1=$(date +%s%N)
		echo $((t1 - t0)) >>"$work/$1.ns"
	done
}

# place_all STATE PREFIX PID...: place each PID as guest PREFIX-N.
place_all() {
	local state=$1 prefix=$2 i=0 pid
	shift 2
	for pid in "$@"; do
		"$np" --config "$work/np.conf" --state-dir "$state" place "$prefix-$i" "$pid" >/dev/null ||
			{ echo "bench_status: place $prefix-$i $pid failed"; exit 1; }
		i=$((i + 1))
	done
}

small=()
for ((i = 0; i < guests; i++)); do
	sleep 3600 &
	small+=("$!")
	pids+=("$!")
done
place_all "$work/small" small "${small[@]}"
measure small "$work/small"

"$hog" 1024 "$guests" >"$work/hog.out" &
pids+=("$!")
for ((i = 0; i < 600; i++)); do
	[ "$(grep -c '^ready ' "$work/hog.out")" -ge "$guests" ] && break
	sleep 0.1
done
mapfile -t big < <(awk '$1 == "ready" { print $2 }' "$work/hog.out")
pids+=("${big[@]}")
place_all "$work/big" big "${big[@]}"
total=$("$np" --config "$work/np.conf" --state-dir "$work/big" --json status |
	jq '[.guests[].memory.total] | add')
measure big "$work/big"

echo "status --json, $guests placed guests, $runs runs each (state on tmpfs):"
echo "  guests with ~0 resident:   $(stats "$work/small.ns")"
echo "  guests with 1 GiB resident: $(stats "$work/big.ns") (status counted $((total >> 30)) GiB in all)"
awk -v a="$(sort -n "$work/big.ns" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
	-v b="$(sort -n "$work/small.ns" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
	'BEGIN { printf "  ratio of the medians: %.1fx; per 1 GiB guest: %.2f ms\n", a / b, (a - b) / 1e6 / '"$guests"' }'
