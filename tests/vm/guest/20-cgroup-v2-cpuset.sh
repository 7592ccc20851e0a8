#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroup v2 cpuset controller on the multi-node guest: enabled from the
# root, a child group takes cpus and mems of two nodes (a memory-only node
# too, when there is one), its effective sets and its task's allowed lists
# follow, and a node the machine lacks is refused.

if [ "$NP_VM_CGROUP" != v2 ]; then
	tap_skip "cgroup v2 cpuset" "this guest mounts cgroup v1"
	return 0
fi

cg=/sys/fs/cgroup
grp=$cg/np-vmtest-cpuset

tap_expect "cgroup2 is mounted at $cg" \
	cgroup2 "$(awk -v m="$cg" '$2 == m { print $3 }' /proc/mounts)"
tap_check "cpuset is an available controller" grep -qw cpuset "$cg/cgroup.controllers"
echo +cpuset >"$cg/cgroup.subtree_control"
tap_check "+cpuset enabled in the root's subtree_control" grep -qw cpuset "$cg/cgroup.subtree_control"
tap_check "create $grp" mkdir "$grp"

tap_expect "a new group's cpuset.cpus.effective is every CPU" \
	"$(topo_all_cpus)" "$(cpulist_expand "$(read_file "$grp/cpuset.cpus.effective")")"
tap_expect "a new group's cpuset.mems.effective is every node" \
	"$(topo_node_ids)" "$(cpulist_expand "$(read_file "$grp/cpuset.mems.effective")")"

# The last two nodes with CPUs (the only one on a one-node machine).
nodes=$(topo_cpu_nodes | tr ' ' '\n' | tail -n 2 | tr '\n' ' ')
cpus=
for id in $nodes; do
	cpus="$cpus,$(topo_node_cpus "$id")"
done
want_cpus=$(cpulist_expand "$cpus")
want_mems=$(cpulist_expand "$(cpulist_compress "$nodes")")

cpulist_compress "$want_cpus" >"$grp/cpuset.cpus"
cpulist_compress "$want_mems" >"$grp/cpuset.mems"
for f in cpus cpus.effective; do
	tap_expect "cpuset.$f reads back the CPUs of nodes $want_mems" \
		"$want_cpus" "$(cpulist_expand "$(read_file "$grp/cpuset.$f")")"
done
for f in mems mems.effective; do
	tap_expect "cpuset.$f reads back nodes $want_mems" \
		"$want_mems" "$(cpulist_expand "$(read_file "$grp/cpuset.$f")")"
done

sleep 1000 &
pid=$!
echo "$pid" >"$grp/cgroup.procs"
tap_expect "a task moved in is in the group" "0::/${grp#"$cg"/}" "$(read_file "/proc/$pid/cgroup")"
tap_expect "its Cpus_allowed_list is the group's CPUs" "$want_cpus" \
	"$(cpulist_expand "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status")")"
tap_expect "its Mems_allowed_list is the group's nodes" "$want_mems" \
	"$(cpulist_expand "$(awk '/^Mems_allowed_list:/ { print $2 }' "/proc/$pid/status")")"

for id in $(topo_memonly_nodes); do
	mems=$(cpulist_compress "$want_mems $id")
	echo "$mems" >"$grp/cpuset.mems"
	tap_expect "memory-only node $id joins cpuset.mems.effective" \
		"$(cpulist_expand "$mems")" "$(cpulist_expand "$(read_file "$grp/cpuset.mems.effective")")"
	tap_expect "and the task's Mems_allowed_list" "$(cpulist_expand "$mems")" \
		"$(cpulist_expand "$(awk '/^Mems_allowed_list:/ { print $2 }' "/proc/$pid/status")")"
	cpulist_compress "$want_mems" >"$grp/cpuset.mems"
done

missing=$(($(topo_node_ids | tr ' ' '\n' | tail -n 1) + 1))
if (echo "$missing" >"$grp/cpuset.mems") 2>/dev/null; then
	tap_not_ok "writing absent node $missing to cpuset.mems fails"
else
	tap_ok "writing absent node $missing to cpuset.mems fails"
fi
tap_expect "and leaves cpuset.mems as it was" \
	"$want_mems" "$(cpulist_expand "$(read_file "$grp/cpuset.mems")")"

kill "$pid"
wait "$pid" 2>/dev/null
tap_check "remove $grp" rmdir "$grp"
