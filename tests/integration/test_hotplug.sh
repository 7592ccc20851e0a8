#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU hotplug on cgroup v1, simulated the way the kernel does it (tests
# must not take CPUs offline): when a CPU goes offline, v1 takes it out of
# every cpuset group, and moves the tasks of a group left without CPUs to
# its nearest ancestor that has some; when the CPU comes back, only the
# root gets it. `status` must report the drift, and `reconcile` must give
# every guest its reserved cpuset back (its ancestors first) and bring
# evicted tasks, children included, back into their group. A new placement
# on a CPU the parents lost is an error that names the cause.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-hot
[ "$(stat -fc %T "$NP_CG")" = cgroupfs ] || np_skip "the cpuset hierarchy is not cgroup v1"
read -r online <"$NP_CG/cpuset.effective_cpus"
np_expand "$online"
[ "${#NP_LIST[@]}" -ge 2 ] || np_skip "needs two CPUs, has $online"
cpu=${NP_LIST[-1]}
echo "# CPU $cpu goes away and comes back; online: $online"
conf=$NP_T/np.conf
printf '[placement]\ncgroup-parent = %s\ncpu-overcommit = 8\n[guest h2]\nadvisor = static\ncpus = %s\nmems = 0\n' \
	"$NP_PARENT" "$cpu" >"$conf"

np() { "$NUMAPLACE" --config "$conf" --state-dir "$NP_STATE" "$@"; }

# np_unplug GROUP: take CPU $cpu out of GROUP's cpuset.cpus (relative to
# the mount), as v1 does when it goes offline; a group left empty first
# has its tasks moved to its parent.
np_unplug() {
	local g=$NP_CG/$1 rest='' c t
	np_expand "$(cat "$g/cpuset.cpus")"
	for c in "${NP_LIST[@]}"; do
		[ "$c" = "$cpu" ] || rest+=${rest:+,}$c
	done
	if [ -z "$rest" ]; then
		for t in $(cat "$g/cgroup.procs"); do
			echo "$t" >"${g%/*}/cgroup.procs"
		done
	fi
	echo "$rest" >"$g/cpuset.cpus"
}

# np_allowed PID: the CPUs PID may run on, from the kernel.
np_allowed() {
	awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$1/status"
}

# np_status_of NAME: "drift EFFECTIVE_CPUS" from status --json.
np_status_of() {
	np --json status | jq -r --arg n "$1" '.guests[] | select(.name == $n) |
		"\(.drift) \(.effective_cpus)"'
}

echo "# 1. the guest's own cpuset loses the CPU"
np_guest
g1=$NP_GUEST
np_run --config "$conf" --state-dir "$NP_STATE" place h1 "$g1"
np_expect "h1 placed" 0 "$NP_RC"
all=$(cat "$NP_CG/$NP_PARENT/h1/cpuset.cpus")
np_unplug "$NP_PARENT/h1"
left=$(cat "$NP_CG/$NP_PARENT/h1/cpuset.cpus")
np_expect "status reports the drift" "true $left" "$(np_status_of h1)"
np_run --config "$conf" --state-dir "$NP_STATE" status
np_expect "status text shows the effective cpus" "$left" "$(awk '$1 == "h1" { print $9 }' <<<"$NP_OUT")"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "reconcile" 0 "$NP_RC"
np_expect "reconcile says what it restored" "restored h1: cpus $all (were $left)" "$NP_OUT"
np_expect "h1's group has its cpus back" "$all" "$(cat "$NP_CG/$NP_PARENT/h1/cpuset.cpus")"
np_expect "h1 may run on them" "$all" "$(np_allowed "$g1")"
np_expect "no drift left" "false $all" "$(np_status_of h1)"

echo "# 2. the CPU leaves every group; h2, on that CPU alone, is emptied"
# h2 forks a child once placed, so that the child is in its group too.
mkfifo "$NP_T/go"
sh -c 'read -r x <"$1"; sleep 3600 & echo $! >"$2"; wait' sh "$NP_T/go" "$NP_T/child" &
g2=$!
NP_PIDS+=("$g2")
np_run --config "$conf" --state-dir "$NP_STATE" place h2 "$g2"
np_expect "h2 placed on CPU $cpu" "0 cpus=$cpu mems=0 advisor=static" "$NP_RC $NP_OUT"
echo go >"$NP_T/go"
for ((i = 0; i < 300; i++)); do
	[ -s "$NP_T/child" ] && break
	sleep 0.1
done
child=$(cat "$NP_T/child")
NP_PIDS+=("$child")
np_expect "h2's child starts in its group" "/$NP_PARENT/h2" "$(cat "/proc/$child/cpuset")"
# Deepest first, as a child's cpus must stay within its parent's.
np_unplug "$NP_PARENT/h1"
np_unplug "$NP_PARENT/h2"
np_unplug "$NP_PARENT"
np_unplug "$NP_TOP"
np_expect "h2's tasks were moved to the parent" "/$NP_PARENT /$NP_PARENT" \
	"$(cat "/proc/$g2/cpuset") $(cat "/proc/$child/cpuset")"
np_expect "status: h1 drifted" "true $left" "$(np_status_of h1)"
np_expect "status: h2 drifted to nothing" "true " "$(np_status_of h2)"
np_run --config "$conf" --state-dir "$NP_STATE" status
np_expect "status text says none for h2" none "$(awk '$1 == "h2" { print $9 }' <<<"$NP_OUT")"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "reconcile" 0 "$NP_RC"
np_expect "reconcile says what it restored" \
	"restored h1: cpus $all (were $left)
restored h2: cpus $cpu (were none)
moved h2's pid $g2 and 1 process it started back from \"/$NP_PARENT\" into $NP_PARENT/h2" \
	"$NP_OUT"
np_expect "the parents have the CPU back" "$all $all" \
	"$(cat "$NP_CG/$NP_TOP/cpuset.cpus") $(cat "$NP_CG/$NP_PARENT/cpuset.cpus")"
np_expect "h1 and h2 have their cpus back" "$all $cpu" \
	"$(cat "$NP_CG/$NP_PARENT/h1/cpuset.cpus") $(cat "$NP_CG/$NP_PARENT/h2/cpuset.cpus")"
np_expect "h2 and its child are back in h2" "/$NP_PARENT/h2 /$NP_PARENT/h2" \
	"$(cat "/proc/$g2/cpuset") $(cat "/proc/$child/cpuset")"
np_expect "h1 may run on its cpus" "$all" "$(np_allowed "$g1")"
np_expect "h2 and its child may run on CPU $cpu only" "$cpu $cpu" \
	"$(np_allowed "$g2") $(np_allowed "$child")"
np_expect "no drift left" "false $all false $cpu" "$(np_status_of h1) $(np_status_of h2)"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "a second reconcile has nothing to do" "0 " "$NP_RC $NP_OUT"

echo "# 3. the guest's group is removed: reconcile makes it again"
echo "$g1" >"$NP_CG/$NP_PARENT/cgroup.procs"
rmdir "$NP_CG/$NP_PARENT/h1"
np_run --config "$conf" --state-dir "$NP_STATE" reconcile
np_expect "reconcile" "0 re-applied h1: its group was gone" "$NP_RC $NP_OUT"
np_expect "h1 is back in its group" "/$NP_PARENT/h1 $all" \
	"$(cat "/proc/$g1/cpuset") $(cat "$NP_CG/$NP_PARENT/h1/cpuset.cpus")"

np_run --config "$conf" --state-dir "$NP_STATE" release --force h1
np_run --config "$conf" --state-dir "$NP_STATE" release --force h2
np_expect "released: no guest group left" "$NP_PARENT" "$(np_groups)"

echo "# 4. the CPU went and came back with no guest placed: a new placement on it"
# v1 gave the CPU back to the root only; numaplace leaves parent groups
# alone (an administrator may have narrowed them) but says what is wrong.
np_unplug "$NP_PARENT"
np_unplug "$NP_TOP"
parent_cpus=$(cat "$NP_CG/$NP_PARENT/cpuset.cpus")
np_guest
g3=$NP_GUEST
np_run --config "$conf" --state-dir "$NP_STATE" place h2 "$g3"
np_expect "placing h2 on CPU $cpu: exit 1, one line naming the CPU and the cause" \
	"1 numaplace: place: guest h2: cgroup $NP_PARENT/h2: CPUs $cpu are not in the parent group's cpuset.cpus ($parent_cpus); on cgroup v1 a CPU that went offline and came back is given back to the root group only" \
	"$NP_RC $NP_ERR"
np_expect "nothing left: group, record; the parents untouched" "$NP_PARENT 0 $parent_cpus" \
	"$(np_groups) $(find "$NP_STATE" -maxdepth 1 -name '[!.]*.json' | wc -l) $(cat "$NP_CG/$NP_PARENT/cpuset.cpus")"
np_done
