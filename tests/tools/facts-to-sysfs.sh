#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# facts-to-sysfs.sh [--form new|old] [--no-memfree] FACTS OUTDIR
#
# Builds OUTDIR/sys/devices/system/{node,cpu}, a Linux sysfs tree as
# hwloc-gather-topology captures it, for the machine a .facts sidecar
# describes (see tests/fixtures/topologies/README.md), so that
# `HWLOC_FSROOT=OUTDIR lstopo` and `numaplace --topology OUTDIR` read it.
#
#   --form new   nodeN/cpulist and nodeN/cpumap, core_cpus/package_cpus
#                and their *_list files (kernels since 5.3); the default.
#   --form old   only the hex masks: nodeN/cpumap, thread_siblings and
#                core_siblings (as the older captures have).
#   --no-memfree nodeN/meminfo without a MemFree line.
#
# Each node's MemFree is half its MemTotal (in kB). Cores: the CPUs of a
# node, in ascending order, are split into smt_threads_per_core columns;
# core j holds the j-th CPU of each column (node0=0-7,16-23 with SMT2 gives
# cores {0,16} {1,17} ...). Each CPU node is one package. The facts file
# is trusted input: this is a test tool.
set -euo pipefail

form=new
memfree=yes
while [ $# -gt 0 ]; do
	case "$1" in
	--form) form=$2; shift 2 ;;
	--no-memfree) memfree=no; shift ;;
	*) break ;;
	esac
done
if [ $# -ne 2 ] || { [ "$form" != new ] && [ "$form" != old ]; }; then
	echo "usage: $0 [--form new|old] [--no-memfree] FACTS OUTDIR" >&2
	exit 2
fi
facts=$1
out=$2

# fact KEY: the value of KEY= in the facts file (empty when absent).
fact() {
	sed -n "s/^$1=//p" "$facts" | head -n 1
}

# expand LIST: one number per line for a cpulist ("0-3,8" -> 0 1 2 3 8).
expand() {
	echo "$1" | tr ',' '\n' | awk -F- 'NF == 1 && $1 != "" { print $1 }
		NF == 2 { for (i = $1; i <= $2; i++) print i }'
}

# compress: numbers on stdin (ascending) -> canonical cpulist.
compress() {
	awk 'function flush() { if (lo == "") return
			out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi) }
		{ if (lo != "" && $1 == hi + 1) { hi = $1; next }
		  flush(); lo = $1; hi = $1 }
		END { flush(); print out }'
}

# mask WIDTH: numbers on stdin -> kernel hex mask of WIDTH bits
# ("00000000,000000ff"), 32-bit words, most significant first.
mask() {
	awk -v width="$1" '{ set[$1] = 1 }
		END {
			words = int((width + 31) / 32); if (words < 1) words = 1
			out = ""
			for (w = words - 1; w >= 0; w--) {
				word = ""
				for (n = 7; n >= 0; n--) {
					v = 0
					for (b = 3; b >= 0; b--)
						v = v * 2 + ((w * 32 + n * 4 + b) in set)
					word = word sprintf("%x", v)
				}
				out = out (out == "" ? "" : ",") word
			}
			print out
		}'
}

# put FILE TEXT: write TEXT and a newline to FILE, making its directory.
put() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

# both BASE LIST: BASE (hex mask) and, in the new form, BASE_list.
both() {
	put "$1" "$(expand "$2" | mask "$width")"
	if [ "$form" = new ]; then
		put "${1}_list" "$2"
	fi
}

node_ids=$(fact node_ids)
all_cpus=$(fact cpus)
smt=$(fact smt_threads_per_core)
last_cpu=$(expand "$all_cpus" | tail -n 1)
width=$((last_cpu + 1))
sys=$out/sys/devices/system
mkdir -p "$sys/node" "$sys/cpu"

put "$sys/node/online" "$node_ids"
put "$sys/node/possible" "$node_ids"
put "$sys/cpu/online" "$all_cpus"
put "$sys/cpu/possible" "$all_cpus"
put "$sys/cpu/present" "$all_cpus"

# write_node N: nodeN/{cpumap,cpulist,meminfo,distance}.
write_node() {
	local n=$1 cpus kb dir=$sys/node/node$1
	cpus=$(fact "node$n")
	put "$dir/cpumap" "$(expand "$cpus" | mask "$width")"
	if [ "$form" = new ]; then
		put "$dir/cpulist" "$cpus"
	fi
	kb=$(($(fact "mem$n") / 1024))
	{
		printf 'Node %u MemTotal:       %u kB\n' "$n" "$kb"
		if [ "$memfree" = yes ]; then
			printf 'Node %u MemFree:        %u kB\n' "$n" $((kb / 2))
			printf 'Node %u MemUsed:        %u kB\n' "$n" $((kb - kb / 2))
		fi
	} >"$dir/meminfo"
	put "$dir/distance" "$(fact "dist$n")"
}

# write_cpu CPU CORE_ID PACKAGE_ID CORE_LIST PACKAGE_LIST: cpuN/topology.
write_cpu() {
	local dir=$sys/cpu/cpu$1/topology
	put "$dir/core_id" "$2"
	put "$dir/physical_package_id" "$3"
	if [ "$form" = new ]; then
		both "$dir/core_cpus" "$4"
		both "$dir/package_cpus" "$5"
	fi
	both "$dir/thread_siblings" "$4"
	both "$dir/core_siblings" "$5"
}

# write_cores N PACKAGE: the cores of node N, all in package PACKAGE.
write_cores() {
	local -a cpus
	local ncores j k core
	mapfile -t cpus < <(expand "$(fact "node$1")")
	ncores=$((${#cpus[@]} / smt))
	for ((j = 0; j < ncores; j++)); do
		core=$(for ((k = 0; k < smt; k++)); do echo "${cpus[j + k * ncores]}"; done |
			sort -n | compress)
		for ((k = 0; k < smt; k++)); do
			write_cpu "${cpus[j + k * ncores]}" "$j" "$2" "$core" "$(fact "node$1")"
		done
	done
}

package=0
for n in $(expand "$node_ids"); do
	write_node "$n"
	if [ -n "$(fact "node$n")" ]; then
		write_cores "$n" "$package"
		package=$((package + 1))
	fi
done
