#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/bench/bench_scale.sh BUILD_DIR: what the number of guests in the
# ledger costs a whole `numaplace advise NAME` and a whole `numaplace
# reserve NAME` (fork + exec until it exits), on the 64-node capture
# 64n-synthetic-asym.xml with the state dir on tmpfs (/dev/shm, as /run).
# For each size of NP_BENCH_SCALE_SIZES ("0 100 1000 10000"; 0 is always
# measured, as the base of the ratios): median and p99 of
# NP_BENCH_SCALE_RUNS (200) runs of each command, alternating, each reserve
# followed by an untimed `release` of the same name so that the ledger
# keeps its size, and the ratio of each figure to the 0-guest one of the
# same run. NP_BENCH_SCALE_BIG_RUNS (default: NP_BENCH_SCALE_RUNS) is the
# number of runs at 10,000 guests and more, where one command takes tenths
# of a second. The ledger grows from 256 real reservations (1-4 vCPUs,
# 64-256 MiB, the spread strategy putting them on every node) cloned under
# new names up to each size. Prints one table and writes it to
# BUILD_DIR/bench-results/scale.csv. Needs no root and touches no cgroup;
# removes its work dir at the end, even on failure. Figures only.
set -u
build=$(cd "${1:?usage: bench_scale.sh BUILD_DIR}" && pwd) || exit 1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
np=$build/plugin/numaplace
topology=$src/tests/fixtures/topologies/64n-synthetic-asym.xml
runs=${NP_BENCH_SCALE_RUNS:-200}
big_runs=${NP_BENCH_SCALE_BIG_RUNS:-$runs}
sizes=${NP_BENCH_SCALE_SIZES:-0 100 1000 10000}
seeds=256
out=$build/bench-results
request=(--vcpus 2 --memory 256M)

[ -x "$np" ] || { echo "bench_scale: $np is missing (build the target numaplace)"; exit 1; }
command -v jq >/dev/null || { echo "bench_scale: skipped: jq is missing (Debian package jq)"; exit 0; }
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
work=$(mktemp -d "$shm/np-bench-scale.XXXXXX") || exit 1
state=$work/state

cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seeds spread over the nodes; the timed commands use the default strategy.
# cpu-overcommit 100: 10,000 guests of 1.5 vCPUs on average take 59% of
# the 256 CPUs' 25,600 vCPUs.
printf '[placement]\ncpu-overcommit = 100\nmemory-overcommit = 100\n' >"$work/np.conf"
printf '[placement]\nstrategy = spread\ncpu-overcommit = 100\nmemory-overcommit = 100\n' \
	>"$work/seed.conf"

die() {
	echo "bench_scale: $*" >&2
	exit 1
}

# np CONF ARGS...: numaplace on the capture and the work state dir.
np() {
	local conf=$1
	shift
	"$np" --config "$work/$conf" --topology "$topology" --state-dir "$state" "$@"
}

# stats FILE: "MEDIAN P99" in ms of the microsecond figures in FILE.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]
		printf "%.2f %.2f", m / 1e3, p / 1e3 }'
}

# count: the guests `status --json` lists.
count() {
	np np.conf --json status | jq '.guests | length'
}

# seed I: reserve seed guest I for real, 1-4 vCPUs (1.5 on average) and
# 64-256 MiB.
seed() {
	local vcpus=(1 2 1 1 3 1 1 4 1 1 2 1 1 1 1 2) mib=(64 128 256 64 192 128)
	np seed.conf reserve "seed-$1" --vcpus "${vcpus[$1 % 16]}" --memory "${mib[$1 % 6]}M" \
		>/dev/null 2>"$work/err" || die "seed reserve seed-$1 failed: $(cat "$work/err")"
}

# clone FROM TO: records clone-FROM .. clone-(TO - 1), each a copy of a
# seed's record under the new name, written in one pass.
clone() {
	(cd "$state" && awk -v from="$1" -v to="$2" -v dir="$state" '
		{ line[n++] = $0 }
		END {
			for (j = from; j < to; j++) {
				l = line[j % n]
				i = index(l, "\"name\":\"") + 8
				rest = substr(l, i)
				name = "clone-" j
				f = dir "/" name ".json"
				print substr(l, 1, i - 1) name substr(rest, index(rest, "\"")) >f
				close(f)
			}
		}' seed-*.json)
}

# grow N: the ledger at N guests (it only grows), then one untimed
# reserve + release so that what the ledger derives from its records is
# rebuilt from the clones.
grow() {
	local n=$1 have i
	have=$(count)
	for ((i = have; i < n && i < seeds; i++)); do
		seed "$i"
	done
	[ "$n" -gt "$seeds" ] && [ "$have" -lt "$n" ] &&
		{ clone "$((have > seeds ? have - seeds : 0))" "$((n - seeds))" || die "cloning failed"; }
	rm -f "$state/.summary"
	np np.conf reserve probe "${request[@]}" >/dev/null 2>"$work/err" ||
		die "reserve at $n guests failed: $(cat "$work/err")"
	np np.conf release probe >/dev/null 2>"$work/err" || die "release failed: $(cat "$work/err")"
	have=$(count)
	[ "$have" = "$n" ] || die "the ledger holds $have guests, not $n"
}

# measure N RUNS: RUNS times advise, then reserve (timed) and release
# (untimed), into N.advise and N.reserve.
measure() {
	local i t0 t1 a=() r=()
	for ((i = 0; i < $2; i++)); do
		t0=${EPOCHREALTIME//[.,]/}
		np np.conf advise probe "${request[@]}" >/dev/null 2>"$work/err" ||
			die "advise at $1 guests failed: $(cat "$work/err")"
		t1=${EPOCHREALTIME//[.,]/}
		a+=($((t1 - t0)))
		t0=${EPOCHREALTIME//[.,]/}
		np np.conf reserve probe "${request[@]}" >/dev/null 2>"$work/err" ||
			die "reserve at $1 guests failed: $(cat "$work/err")"
		t1=${EPOCHREALTIME//[.,]/}
		r+=($((t1 - t0)))
		np np.conf release probe >/dev/null 2>"$work/err" ||
			die "release at $1 guests failed: $(cat "$work/err")"
	done
	printf '%s\n' "${a[@]}" >"$work/$1.advise"
	printf '%s\n' "${r[@]}" >"$work/$1.reserve"
}

list=(0)
for n in $sizes; do
	[[ $n =~ ^[0-9]{1,6}$ ]] || die "NP_BENCH_SCALE_SIZES: $n is not a number of guests"
	list+=($((10#$n)))
done
[[ $runs =~ ^[1-9][0-9]*$ && $big_runs =~ ^[1-9][0-9]*$ ]] ||
	die "NP_BENCH_SCALE_RUNS and NP_BENCH_SCALE_BIG_RUNS take a number of runs"
mapfile -t list < <(printf '%s\n' "${list[@]}" | sort -n -u)
mkdir -p "$out" || exit 1
echo "whole commands against the number of guests: 64n-synthetic-asym.xml, state on $shm,"
echo "request ${request[*]}, $runs runs each ($big_runs from 10,000 guests), advise and reserve alternating:"
rows=()
for n in "${list[@]}"; do
	t=$SECONDS
	grow "$n"
	k=$runs
	[ "$n" -ge 10000 ] && k=$big_runs
	measure "$n" "$k"
	read -r am ap <<<"$(stats "$work/$n.advise")"
	read -r rm rp <<<"$(stats "$work/$n.reserve")"
	[ "$n" = 0 ] && { am0=$am ap0=$ap rm0=$rm rp0=$rp; }
	rows+=("$n $k $am $ap $(awk -v a="$am" -v b="$am0" -v c="$ap" -v d="$ap0" \
		'BEGIN { printf "%.1f %.1f", a / b, c / d }') $rm $rp $(awk -v a="$rm" -v b="$rm0" \
		-v c="$rp" -v d="$rp0" 'BEGIN { printf "%.1f %.1f", a / b, c / d }')")
	echo "  $n guests: $k runs in $((SECONDS - t)) s"
done

echo "guests,runs,advise_median_ms,advise_p99_ms,advise_median_ratio,advise_p99_ratio,reserve_median_ms,reserve_p99_ms,reserve_median_ratio,reserve_p99_ratio" \
	>"$out/scale.csv"
printf '%s\n' "${rows[@]}" | tr ' ' , >>"$out/scale.csv"
{
	echo "guests runs advise-median advise-p99 x-median x-p99 reserve-median reserve-p99 x-median x-p99"
	printf '%s\n' "${rows[@]}"
} | awk '{ printf "  %6s %5s %14s %11s %9s %6s %15s %12s %9s %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
echo "  (ms; ratios to 0 guests; CSV in $out/scale.csv)"
