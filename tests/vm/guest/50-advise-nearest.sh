#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace advise` on the live multi-node kernel: a request that one node
# cannot hold (by vcpus, then by memory) gets the nearest pair of nodes, as
# ranked from the emulated distance matrix (not a pair written down per
# machine); a request no node set holds is refused; advise writes nothing.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "advise picks the nearest pair" || return 0

if [ "$(topo_cpu_nodes | wc -w)" -lt 2 ]; then
	tap_skip "advise picks the nearest pair" "needs two nodes with CPUs"
	return 0
fi
state_before=$(ls -A "$NP_STATE" 2>&1)

# A node holds as many vcpus as it has CPUs (cpu-overcommit 1), so one more
# than the largest node needs two nodes; every pair of CPU nodes here holds it.
vcpus=$(($(np_max_node_cpus) + 1))
want=$(np_pairs | awk -v v="$vcpus" '$3 >= v { print $1, $2 }' | np_best_set)
want_cpus=$(np_nodes_cpus "$want")

np_json adv-vcpus advise pair --vcpus "$vcpus"
np_expect_ok "advise pair --vcpus $vcpus exits 0"
tap_expect "a request of $vcpus vcpus gets the nearest pair of nodes" "$want" "$(np_list .nodes)"
tap_expect "its cpus are the CPUs of nodes $want" "$(cpulist_compress "$want_cpus")" "$(np_get .cpus)"
tap_expect "its mems are nodes $want" "$(cpulist_compress "$want")" "$(np_get .mems)"
tap_expect "the built-in advisor decided, without fallback" "builtin false" \
	"$(np_get .advisor) $(np_get .fallback)"
tap_expect "the text answer says the same" \
	"cpus=$(cpulist_compress "$want_cpus") mems=$(cpulist_compress "$want") advisor=builtin" \
	"$("$NUMAPLACE" advise pair --vcpus "$vcpus" 2>&1)"

# By memory: one byte more than the largest node's memory_total (what the
# capacity model counts), with the pool kept to the CPU nodes so that a
# memory-only node cannot take it (70-memnode-spill tests that).
np_json adv-topo topology
# "ID TOTAL ID TOTAL ..." of every node.
totals=$(awk -F '\t' '$1 ~ /^\.nodes\[[0-9]+\]\.(id|memory_total)$/ { printf "%s ", $2 }' "$NP_FLAT")
memory=$(echo "$totals" | awk '{ for (i = 2; i <= NF; i += 2) if ($i > m) m = $i; print m + 1 }')
want_mem=$(np_pairs | awk -v m="$memory" -v totals="$totals" '
	BEGIN { n = split(totals, t, " "); for (i = 1; i < n; i += 2) total[t[i]] = t[i + 1] }
	total[$1] + total[$2] >= m { print $1, $2 }' | np_best_set)
pool=/tmp/np-adv-pool.conf
printf '[placement]\nmems = %s\n' "$(cpulist_compress "$(topo_cpu_nodes)")" >"$pool"
np_json adv-mem --config "$pool" advise pair-mem --memory "$memory"
np_expect_ok "advise pair-mem --memory $memory exits 0"
tap_expect "a request of $memory bytes gets the nearest pair that holds it" "$want_mem" "$(np_list .nodes)"

all=$(topo_all_cpus | wc -w)
"$NUMAPLACE" advise huge --vcpus $((all + 1)) >/tmp/np-adv-huge.out 2>&1
rc=$?
tap_expect "a request of $((all + 1)) vcpus on $all CPUs exits 1" 1 "$rc"
tap_check "and says why: no fit" grep -q '^numaplace: .*no fit' /tmp/np-adv-huge.out

tap_expect "advise wrote nothing into the state directory" "$state_before" "$(ls -A "$NP_STATE" 2>&1)"
