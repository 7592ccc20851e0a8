#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real CPU hotplug and what it does to cpusets. Two groups: `pair` holds CPUs
# Y and X, `lone` holds only X; X goes offline, then online again.
#   v2: cpuset.cpus keeps what was written; cpus.effective drops X (an
#       emptied group falls back to its parent's) and gets it back.
#   v1: the kernel rewrites cpuset.cpus: X is removed, the tasks of the
#       emptied group move to its parent, and nothing is restored when X
#       returns.

# The highest CPU (CPU 0 cannot go offline on x86) and the one below it.
x=$(topo_all_cpus | tr ' ' '\n' | tail -n 1)
y=$(topo_all_cpus | tr ' ' '\n' | tail -n 2 | head -n 1)
cpu_online=/sys/devices/system/cpu/cpu$x/online

if [ "$x" = 0 ] || [ "$x" = "$y" ] || [ ! -w "$cpu_online" ]; then
	tap_skip "CPU hotplug" "needs two CPUs and a hot-pluggable one"
	return 0
fi

case $NP_VM_CGROUP in
v2)
	root=/sys/fs/cgroup
	cpus_file=cpuset.cpus.effective
	echo +cpuset >"$root/cgroup.subtree_control"
	;;
v1)
	root=/sys/fs/cgroup/cpuset
	cpus_file=cpuset.cpus
	;;
esac
pair=$root/np-vmtest-pair
lone=$root/np-vmtest-lone
node_of() {
	local link
	for link in /sys/devices/system/cpu/cpu"$1"/node*; do
		echo "${link##*/node}"
		return
	done
}
mems=$(cpulist_compress "$(node_of "$x") $(node_of "$y")")

# allowed PID: the task's Cpus_allowed_list, expanded.
allowed() {
	cpulist_expand "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$1/status")"
}

cpus_of() {
	cpulist_expand "$(read_file "$1/$cpus_file")"
}

# make_group DIR CPUS: a group on CPUS and the nodes of X and Y, holding a
# sleeping task whose PID is left in $task.
make_group() {
	mkdir "$1"
	echo "$2" >"$1/cpuset.cpus"
	echo "$mems" >"$1/cpuset.mems"
	sleep 1000 &
	task=$!
	echo "$task" >"$1/cgroup.procs"
}

make_group "$pair" "$y,$x"
pair_pid=$task
make_group "$lone" "$x"
lone_pid=$task
tap_expect "hotplug ($NP_VM_CGROUP): group on CPUs $y,$x before" "$y $x" "$(cpus_of "$pair")"
tap_expect "hotplug ($NP_VM_CGROUP): group on CPU $x before" "$x" "$(cpus_of "$lone")"

echo 0 >"$cpu_online"
tap_expect "CPU $x is offline" 0 "$(read_file "$cpu_online")"
rest=$(topo_all_cpus | tr ' ' '\n' | grep -vx "$x" | tr '\n' ' ' | sed 's/ $//')
tap_expect "the root cpuset lost CPU $x" "$rest" "$(settle "$rest" cpus_of "$root")"
tap_expect "$cpus_file of the pair group drops CPU $x" "$y" "$(settle "$y" cpus_of "$pair")"
tap_expect "the pair group's task runs on CPU $y only" "$y" "$(settle "$y" allowed "$pair_pid")"

case $NP_VM_CGROUP in
v2)
	tap_expect "cpuset.cpus of the pair group keeps what was written" \
		"$y $x" "$(cpulist_expand "$(read_file "$pair/cpuset.cpus")")"
	tap_expect "the emptied group falls back to its parent's CPUs" \
		"$rest" "$(settle "$rest" cpus_of "$lone")"
	tap_expect "and its task stays in it" "0::/${lone#"$root"/}" "$(read_file "/proc/$lone_pid/cgroup")"
	;;
v1)
	tap_expect "the emptied group has no CPU left" "" "$(settle "" cpus_of "$lone")"
	tap_expect "its task moved to the parent cpuset" "/" \
		"$(settle / read_file "/proc/$lone_pid/cpuset")"
	;;
esac

echo 1 >"$cpu_online"
tap_expect "CPU $x is online again" 1 "$(read_file "$cpu_online")"
all=$(topo_all_cpus)
tap_expect "the root cpuset has CPU $x again" "$all" "$(settle "$all" cpus_of "$root")"

case $NP_VM_CGROUP in
v2)
	tap_expect "$cpus_file of the pair group gets CPU $x back" "$y $x" "$(settle "$y $x" cpus_of "$pair")"
	tap_expect "and so does its task" "$y $x" "$(settle "$y $x" allowed "$pair_pid")"
	tap_expect "the emptied group is back on CPU $x" "$x" "$(settle "$x" cpus_of "$lone")"
	;;
v1)
	tap_expect "cpuset.cpus of the pair group stays without CPU $x" "$y" "$(cpus_of "$pair")"
	tap_expect "its task still runs on CPU $y only" "$y" "$(allowed "$pair_pid")"
	tap_expect "the emptied group stays empty" "" "$(cpus_of "$lone")"
	;;
esac

kill "$pair_pid" "$lone_pid"
wait "$pair_pid" "$lone_pid" 2>/dev/null
tap_check "remove the hotplug groups" rmdir "$pair" "$lone"
