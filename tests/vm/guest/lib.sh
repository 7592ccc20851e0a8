#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the guest tests (busybox sh; sourced, not run).
#
# Every test file under /vm/guest/NN-*.sh is run by run-guest.sh in its own
# shell with this file sourced, and reports through the tap_* functions:
# each result becomes one numbered TAP line on fd 3 (the second serial
# port, read by the host) and on stdout (the console). The expected machine
# is /vm/topology (see tests/vm/topologies/README); topo_* read it.
#
# Environment: NP_VM_TOPOLOGY (the topology file), NP_VM_CGROUP (v1 or v2),
# NP_VM_BIN (where the extra binaries are), NUMAPLACE (the numaplace binary,
# empty when the initramfs has none).

NP_VM_TAP_LOG=${NP_VM_TAP_LOG:-/tmp/tap.log}
NP_VM_GUEST_DIR=${NP_VM_GUEST_DIR:-/vm/guest}

# tap_result STATUS DESC [DIRECTIVE]: append one numbered TAP line
# ("ok" or "not ok"); a `#` or newline in DESC is replaced, DIRECTIVE
# (such as "SKIP reason") follows a `#`.
tap_result() {
	local n=0 desc line
	desc=$(printf '%s' "$2" | tr '#\n' '_ ')
	[ -s "$NP_VM_TAP_LOG.n" ] && read -r n <"$NP_VM_TAP_LOG.n"
	n=$((n + 1))
	echo "$n" >"$NP_VM_TAP_LOG.n"
	line="$1 $n - $desc${3:+ # $3}"
	echo "$line" >>"$NP_VM_TAP_LOG"
	echo "$line" >&3
	echo "$line"
}

# tap_diag LINE...: TAP comments (one per line of each argument).
tap_diag() {
	local lines
	lines=$(printf '%s\n' "$@" | sed 's/^/# /')
	echo "$lines" >&3
	echo "$lines"
}

tap_ok() {
	tap_result ok "$1"
}

# tap_not_ok DESC [DIAG...]
tap_not_ok() {
	tap_result "not ok" "$1"
	shift
	[ $# -eq 0 ] || tap_diag "$@"
}

# tap_skip DESC REASON: a test that cannot run on this machine.
tap_skip() {
	tap_result ok "$1" "SKIP $2"
}

# tap_expect DESC EXPECTED ACTUAL
tap_expect() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "expected: [$2]" "got:      [$3]"
	fi
}

# tap_check DESC CMD [ARG...]: ok when CMD succeeds; its output is shown
# as a diagnostic when it fails.
tap_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$desc"
	else
		tap_not_ok "$desc" "command failed ($?): $*" "$out"
	fi
}

# settle EXPECTED CMD [ARG...]: run CMD until it prints EXPECTED, at most
# 100 times 0.1 s apart (for what the kernel updates asynchronously, such
# as cpusets after CPU hotplug); print its last output, for tap_expect.
settle() {
	local want=$1 got i=0
	shift
	while :; do
		got=$("$@")
		[ "$got" = "$want" ] || [ $i -ge 100 ] && break
		i=$((i + 1))
		sleep 0.1
	done
	echo "$got"
}

# cpulist_expand LIST: the CPUs (or nodes) of a kernel list such as
# "0-2,8" (commas or spaces between items), one space-separated ascending
# line ("0 1 2 8"); "" for "". A malformed item shows as "bad:ITEM".
cpulist_expand() {
	awk -v list="$1" 'BEGIN {
		n = split(list, item, /[, \t\n]+/)
		for (i = 1; i <= n; i++) {
			if (item[i] ~ /^[0-9]+$/)
				set[item[i] + 0] = 1
			else if (item[i] ~ /^[0-9]+-[0-9]+$/) {
				split(item[i], r, "-")
				for (c = r[1] + 0; c <= r[2] + 0; c++)
					set[c] = 1
			} else if (item[i] != "")
				bad = bad " bad:" item[i]
		}
		max = -1
		for (c in set)
			if (c + 0 > max)
				max = c + 0
		out = ""
		for (c = 0; c <= max; c++)
			if (c in set)
				out = out (out == "" ? "" : " ") c
		print out bad
	}'
}

# cpulist_compress "0 1 2 8": the kernel's canonical form ("0-2,8").
cpulist_compress() {
	cpulist_expand "$1" | awk '{
		for (i = 1; i <= NF; i++) {
			if (i > 1 && $i == $(i - 1) + 1)
				continue
			j = i
			while (j < NF && $(j + 1) == $j + 1)
				j++
			out = out (out == "" ? "" : ",") (j == i ? $i : $i "-" $j)
		}
		print out
	}'
}

# read_file PATH: the file's content, or "<unreadable>" so a comparison fails.
read_file() {
	cat "$1" 2>/dev/null || echo "<unreadable $1>"
}

# topo_load: read $NP_VM_TOPOLOGY once into NP_TOPO_CGROUP, NP_TOPO_IDS
# (node ids in file order, which is ascending) and, per node ID,
# NP_TOPO_CPUS_ID, NP_TOPO_MEM_ID (as written: "256M") and NP_TOPO_DIST_ID.
topo_load() {
	local kw id rest kv
	NP_TOPO_CGROUP='' NP_TOPO_IDS=''
	while read -r kw id rest; do
		case $id in
		'' | *[!0-9a-z]*) continue ;;
		esac
		case $kw in
		cgroup) NP_TOPO_CGROUP=$id ;;
		node)
			NP_TOPO_IDS="$NP_TOPO_IDS${NP_TOPO_IDS:+ }$id"
			for kv in $rest; do
				case $kv in
				cpus=*) eval "NP_TOPO_CPUS_$id=\${kv#cpus=}" ;;
				mem=*) eval "NP_TOPO_MEM_$id=\${kv#mem=}" ;;
				esac
			done
			;;
		dist)
			set -- $rest
			eval "NP_TOPO_DIST_$id=\$*"
			;;
		esac
	done <"$NP_VM_TOPOLOGY"
}

# The expected machine (after topo_load).
topo_cgroup() {
	echo "$NP_TOPO_CGROUP"
}

# topo_node_ids: every node id, space-separated, ascending.
topo_node_ids() {
	echo "$NP_TOPO_IDS"
}

# topo_node_cpus ID: node ID's cpulist as written ("" for a memory-only node).
topo_node_cpus() {
	eval "echo \"\$NP_TOPO_CPUS_$1\""
}

# topo_node_mem_kib ID: node ID's emulated memory in KiB.
topo_node_mem_kib() {
	local mem
	eval "mem=\$NP_TOPO_MEM_$1"
	echo $((${mem%M} * 1024))
}

# topo_dist_row ID: node ID's distance row, space-separated.
topo_dist_row() {
	eval "echo \"\$NP_TOPO_DIST_$1\""
}

# topo_nodes_with_cpus TEST: ids of the nodes whose cpu list passes
# `[ TEST "$cpus" ]` (-n: with CPUs, -z: without).
topo_nodes_with_cpus() {
	local id cpus has out=''
	for id in $NP_TOPO_IDS; do
		eval "cpus=\$NP_TOPO_CPUS_$id"
		if [ -n "$cpus" ]; then has=-n; else has=-z; fi
		[ "$has" = "$1" ] && out="$out${out:+ }$id"
	done
	echo "$out"
}

# topo_cpu_nodes / topo_memonly_nodes: ids of nodes with / without CPUs.
topo_cpu_nodes() { topo_nodes_with_cpus -n; }
topo_memonly_nodes() { topo_nodes_with_cpus -z; }

# topo_all_cpus: every CPU of the machine, expanded ("0 1 2 3").
topo_all_cpus() {
	local id cpus out=
	for id in $NP_TOPO_IDS; do
		eval "cpus=\$NP_TOPO_CPUS_$id"
		out="$out,$cpus"
	done
	cpulist_expand "$out"
}

# json_flat FILE: FILE flattened to PATH<TAB>VALUE lines (see jsonflat.awk).
json_flat() {
	awk -f "$NP_VM_GUEST_DIR/jsonflat.awk" "$1"
}

# json_get FLAT PATH: the value at PATH in a file made by json_flat;
# fails when PATH is absent.
json_get() {
	awk -F '\t' -v p="$2" '$1 == p { print $2; found = 1; exit } END { exit !found }' "$1"
}

# json_count FLAT PREFIX: how many elements the array at PREFIX has.
json_count() {
	awk -F '\t' -v p="$2[" 'index($1, p) == 1 {
		rest = substr($1, length(p) + 1)
		sub(/\].*/, "", rest)
		seen[rest] = 1 }
		END { n = 0; for (k in seen) n++; print n }' "$1"
}

topo_load
