#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A CPU-less memory node takes a guest's memory only when the CPU nodes
# cannot: first, with nothing booked, a small guest stays off it; then every
# CPU node's memory is booked in full (reservations of memory_total, which
# is what the capacity model counts, not live free memory), and the same
# request spills onto the memory node nearest to the CPU node that is
# nearest to a memory node, in the advice and in the placed process's
# Mems_allowed_list.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "memory spills onto a CPU-less node" || return 0
memonly=$(topo_memonly_nodes)
if [ -z "$memonly" ]; then
	tap_skip "memory spills onto a CPU-less node" "this machine has no memory-only node"
	return 0
fi

# nearest_mem C: the memory-only node nearest to node C (both directions,
# then the lowest id).
nearest_mem() {
	local m d best='' bestd=''
	for m in $memonly; do
		d=$(($(np_dist "$1" "$m") + $(np_dist "$m" "$1")))
		if [ -z "$best" ] || [ "$d" -lt "$bestd" ]; then
			best=$m bestd=$d
		fi
	done
	echo "$best"
}
want=$(for c in $(topo_cpu_nodes); do
	echo "$c $(nearest_mem "$c")"
done | np_best_set)
cpu_node=${want%% *}

conf=/tmp/np-spill.conf
{
	printf '[placement]\ncpu-overcommit = 2\n'
	for c in $(topo_cpu_nodes); do
		printf '[guest fill-%s]\nmems = %s\n' "$c" "$c"
	done
} >"$conf"
export NUMAPLACE_CONFIG=$conf

np_json spill-before advise spill --vcpus 1 --memory 64M
np_expect_ok "advise spill --memory 64M exits 0 with nothing booked"
before=$(np_list .nodes)
tap_expect "with nothing booked it uses one CPU node and no memory-only node" \
	"1 0" "$(echo "$before" | wc -w) $(echo " $before " | grep -c " ${memonly%% *} ")"

np_json spill-topo topology
topo_flat=$NP_FLAT
for c in $(topo_cpu_nodes); do
	total=$(awk -F '\t' -v c="$c" '$1 ~ /\.id$/ { id = $2 } $1 ~ /\.memory_total$/ && id == c { print $2 }' "$topo_flat")
	np_json "spill-fill-$c" reserve "fill-$c" --vcpus 1 --memory "$total"
	np_expect_ok "reserve fill-$c books all $total bytes of node $c"
	tap_expect "fill-$c is on node $c" "$c" "$(np_list .nodes)"
done

np_json spill-after advise spill --vcpus 1 --memory 64M
np_expect_ok "advise spill --memory 64M exits 0 with the CPU nodes booked full"
tap_expect "its memory spills onto memory-only node ${want#* }, next to node $cpu_node" \
	"$want" "$(np_list .nodes)"
tap_expect "its mems are nodes $want" "$(cpulist_compress "$want")" "$(np_get .mems)"
tap_expect "its cpus are node $cpu_node's" "$(cpulist_compress "$(np_nodes_cpus "$cpu_node")")" "$(np_get .cpus)"

sleep 1000 &
pid=$!
np_json spill-place place spill "$pid" --vcpus 1 --memory 64M
np_expect_ok "place spill $pid exits 0"
tap_expect "the placed process's Mems_allowed_list includes the memory-only node" \
	"$(cpulist_expand "$(cpulist_compress "$want")")" "$(np_allowed "$pid" Mems)"
tap_expect "its Cpus_allowed_list is node $cpu_node's CPUs" "$(np_nodes_cpus "$cpu_node")" \
	"$(np_allowed "$pid" Cpus)"
tap_expect "its group's effective mems too" "$(cpulist_expand "$(cpulist_compress "$want")")" \
	"$(np_cg_set "$(np_parent)/spill" mems)"

kill "$pid"
wait "$pid" 2>/dev/null
tap_check "release spill" "$NUMAPLACE" release spill
for c in $(topo_cpu_nodes); do
	"$NUMAPLACE" release "fill-$c" >/dev/null 2>&1
done
tap_expect "no record is left" "" "$(np_state_files)"
