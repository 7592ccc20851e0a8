#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace topology --json` on the live guest describes the emulated
# machine: node ids, CPUs (empty for a memory-only node), the distance
# matrix, and each node's memory as the kernel counts it; and it describes
# the whole machine when run from inside a cpuset of one node.

if [ -z "$NUMAPLACE" ]; then
	tap_skip "numaplace topology" "no numaplace binary in this initramfs"
	return 0
fi
if ! "$NUMAPLACE" --help 2>/dev/null | grep -q '^  topology '; then
	tap_skip "numaplace topology" "this numaplace has no topology command yet"
	return 0
fi

out=/tmp/topology.json
flat=/tmp/topology.flat
"$NUMAPLACE" topology --json >"$out" 2>/tmp/topology.err
rc=$?
tap_expect "numaplace topology --json exits 0" 0 "$rc"
[ "$rc" = 0 ] || tap_diag "$(cat /tmp/topology.err)"
if json_flat "$out" >"$flat"; then
	tap_ok "its output is JSON"
else
	tap_not_ok "its output is JSON" "$(head -c 2000 "$out")"
fi

ids=$(topo_node_ids)
tap_expect "it lists one entry per node" "$(echo "$ids" | wc -w)" "$(json_count "$flat" .nodes)"
tap_expect "distances_default is false (the kernel has a matrix)" \
	false "$(json_get "$flat" .distances_default)"

# node_mem_ok I ID: node I's memory_total is the kernel's MemTotal for node
# ID, and memory_free is at most that.
node_mem_ok() {
	local total free kib
	total=$(json_get "$flat" ".nodes[$1].memory_total")
	free=$(json_get "$flat" ".nodes[$1].memory_free")
	kib=$(awk '$3 == "MemTotal:" { print $4 }' "/sys/devices/system/node/node$2/meminfo")
	tap_expect "node $2 memory_total is the kernel's MemTotal" "$((kib * 1024))" "$total"
	if [ -n "$free" ] && [ -n "$total" ] && [ "$free" -gt 0 ] && [ "$free" -le "$total" ]; then
		tap_ok "node $2 memory_free $free is within (0, memory_total]"
	else
		tap_not_ok "node $2 memory_free is within (0, memory_total]" "free [$free] total [$total]"
	fi
}

# dist_row I N: node I's distances from the JSON, space-separated.
dist_row() {
	local j=0 row=
	while [ "$j" -lt "$2" ]; do
		row="$row${row:+ }$(json_get "$flat" ".nodes[$1].distances[$j]")"
		j=$((j + 1))
	done
	echo "$row"
}

n=$(echo "$ids" | wc -w)
i=0
for id in $ids; do
	tap_expect "node $id: id" "$id" "$(json_get "$flat" ".nodes[$i].id")"
	tap_expect "node $id: cpus \"$(topo_node_cpus "$id")\"" \
		"$(topo_node_cpus "$id")" "$(json_get "$flat" ".nodes[$i].cpus")"
	tap_expect "node $id: distances $(topo_dist_row "$id")" \
		"$(topo_dist_row "$id")" "$(dist_row "$i" "$n")"
	node_mem_ok "$i" "$id"
	i=$((i + 1))
done

# From inside a cpuset holding only the last CPU node, the machine is the same.
case $NP_VM_CGROUP in
v2)
	cg=/sys/fs/cgroup
	echo +cpuset >"$cg/cgroup.subtree_control"
	;;
v1) cg=/sys/fs/cgroup/cpuset ;;
esac
grp=$cg/np-vmtest-topology
node=$(topo_cpu_nodes | tr ' ' '\n' | tail -n 1)
mkdir "$grp"
topo_node_cpus "$node" >"$grp/cpuset.cpus"
echo "$node" >"$grp/cpuset.mems"
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" topology --json' sh "$grp" "$NUMAPLACE" \
	>/tmp/topology-inside.json 2>&1
# The machine's shape: every id, cpus and distances line.
shape() {
	json_flat "$1" | grep -E '^\.nodes\[[0-9]+\]\.(id|cpus|distances)'
}
if [ "$(shape "$out")" = "$(shape /tmp/topology-inside.json)" ]; then
	tap_ok "from inside a cpuset of node $node only, the same nodes, cpus and distances"
else
	tap_not_ok "from inside a cpuset of node $node only, the same nodes, cpus and distances" \
		"$(head -c 2000 /tmp/topology-inside.json)"
fi
tap_check "remove $grp" rmdir "$grp"
