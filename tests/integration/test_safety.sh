#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Safety on the real cpuset hierarchy (issue 17): a thread id stands for
# its process; `run` of a daemonizing command keeps its placement while
# tasks remain; re-reserving with another size decides again; release and
# reconcile work on a full state file system; release puts tasks back in
# the group they came from; a narrow cgroup parent is the advisor's pool.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-safety
trap 'umount "$NP_T/fullfs" 2>/dev/null; np_sandbox_cleanup' EXIT
cat >"$NP_T/np.conf" <<CONF
[placement]
cgroup-parent = $NP_PARENT
cpu-overcommit = 50
CONF
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
group_of() { sed -n 's/^[0-9]*:cpuset://p' "/proc/$1/cgroup"; }
THREAD=$NP_BUILD_DIR/tests/integration/np_thread

# ---- item 5: place NAME TID records the process, not the thread ----
test_tid() {
	local pid tid i
	mkfifo "$NP_T/fifo"
	"$THREAD" <"$NP_T/fifo" >"$NP_T/thread.out" &
	NP_PIDS+=($!)
	exec 3>"$NP_T/fifo"
	for ((i = 0; i < 100; i++)); do
		[ -s "$NP_T/thread.out" ] && break
		sleep 0.1
	done
	read -r pid tid <"$NP_T/thread.out"
	[ -n "$tid" ] && [ "$tid" != "$pid" ] || np_fail "np_thread: no thread id [$pid $tid]"
	np place tid1 "$tid"
	np_expect "place NAME TID: exit 0" 0 "$NP_RC"
	np_expect "place NAME TID: the record holds the process id" "$pid" \
		"$(jq -r .pid "$NP_STATE/tid1.json")"
	np_expect "place NAME TID: the process is in the group" "/$NP_PARENT/tid1" "$(group_of "$pid")"
	echo >&3
	exec 3>&-
	for ((i = 0; i < 100; i++)); do
		[ -d "/proc/$pid/task/$tid" ] || break
		sleep 0.1
	done
	np_expect "the thread has ended" no "$([ -d "/proc/$pid/task/$tid" ] && echo yes || echo no)"
	np reconcile
	np_expect "reconcile after the thread ended: exit 0" 0 "$NP_RC"
	np_expect "reconcile keeps the live process's record" "$pid" \
		"$(jq -r .pid "$NP_STATE/tid1.json" 2>/dev/null)"
	np_expect "the process stays in its group" "/$NP_PARENT/tid1" "$(group_of "$pid")"
	np release tid1 --force
	np_expect "release tid1: exit 0" 0 "$NP_RC"
}

# ---- item 2: run of a command that daemonizes keeps its placement ----
test_daemonize() {
	local daemon
	np run --name dmn -- sh -c 'setsid sleep 600 </dev/null >/dev/null 2>&1 & exit 3'
	np_expect "run of a daemonizing command: the child's status" 3 "$NP_RC"
	np_expect "run says so in one stderr line" 1 "$(printf '%s\n' "$NP_ERR" | grep -c .)"
	case $NP_ERR in
	"numaplace: run: guest dmn stays placed: sh left 1 task in its group"*)
		np_pass "run: the line names the guest and the task" ;;
	*) np_fail "run: stderr [$NP_ERR]" ;;
	esac
	daemon=$(cat "$NP_CG/$NP_PARENT/dmn/cgroup.procs" 2>/dev/null)
	for p in $daemon; do NP_PIDS+=("$p"); done
	np_expect "the daemon stays in the guest's group" "/$NP_PARENT/dmn" "$(group_of "$daemon")"
	np_expect "the record stays" placed "$(jq -r .phase "$NP_STATE/dmn.json" 2>/dev/null)"
	np status --json
	np_expect "status: alive false, one task" "false 1" \
		"$(jq -r '.guests[] | select(.name == "dmn") | "\(.alive) \(.tasks)"' <<<"$NP_OUT")"
	np reconcile
	np_expect "reconcile keeps it while the group holds a task" placed \
		"$(jq -r .phase "$NP_STATE/dmn.json" 2>/dev/null)"
	kill "$daemon"
	while [ -d "/proc/$daemon" ] && [ "$(cut -d' ' -f3 "/proc/$daemon/stat")" != Z ]; do
		sleep 0.1
	done
	np reconcile
	np_expect "reconcile releases it once the group is empty" "no no" \
		"$([ -e "$NP_STATE/dmn.json" ] && echo yes || echo no) $([ -d "$NP_CG/$NP_PARENT/dmn" ] && echo yes || echo no)"
	np run --name plain -- true
	np_expect "run of a command that leaves nothing: released, nothing said" "0  no" \
		"$NP_RC $NP_ERR $([ -e "$NP_STATE/plain.json" ] && echo yes || echo no)"
}

# ---- item 4: release and reconcile on a full state file system ----
test_full_fs() {
	local fs=$NP_T/fullfs save=$NP_STATE
	mkdir "$fs"
	mount -t tmpfs -o size=256k np-safety-full "$fs" || { np_fail "mount a tmpfs"; return; }
	NP_STATE=$fs/state
	np_guest
	np place full1 "$NP_GUEST"
	np_expect "place on the small state fs: exit 0" 0 "$NP_RC"
	np_guest
	np place full2 "$NP_GUEST"
	kill "$NP_GUEST"
	wait "$NP_GUEST" 2>/dev/null
	dd if=/dev/zero of="$fs/filler" bs=4k >/dev/null 2>&1
	np_expect "the state fs is full" 0 "$(df --output=avail "$fs" | tail -n 1 | tr -d ' ')"
	np reconcile
	np_expect "reconcile on a full state fs: exit 0" "0 " "$NP_RC $NP_ERR"
	np_expect "reconcile dropped the guest whose process is gone" no \
		"$([ -e "$NP_STATE/full2.json" ] && echo yes || echo no)"
	np release full1 --force
	np_expect "release on a full state fs: exit 0" "0 " "$NP_RC $NP_ERR"
	np_expect "release removed the record and the group" "no no" \
		"$([ -e "$NP_STATE/full1.json" ] && echo yes || echo no) $([ -d "$NP_CG/$NP_PARENT/full1" ] && echo yes || echo no)"
	umount "$fs"
	NP_STATE=$save
}

# ---- item 3: the same name with another size decides again ----
test_resize() {
	local conf=$NP_T/resize.conf g
	printf '[placement]\ncgroup-parent = %s\n[guest rx*]\nexclusive = yes\n' "$NP_PARENT" >"$conf"
	rs() { np_run --config "$conf" --state-dir "$NP_T/resize" "$@"; }
	size() { jq -r '"\(.vcpus) \(.memory) \(.cpus)"' "$NP_T/resize/$1.json" 2>/dev/null; }
	rs reserve r1 --vcpus 1
	rs reserve r1 --vcpus 2
	np_expect "reserve again with more vcpus: exit 0" 0 "$NP_RC"
	np_expect "reserve again: the new size, decided again" "2 0 $ALL" "$(size r1)"
	rs reserve r1 --vcpus 12 --memory 20G
	np_expect "reserve again with a size that does not fit: exit 1" 1 "$NP_RC"
	np_expect "no fit: the old reservation stays" "2 0 $ALL" "$(size r1)"
	rs reserve r1
	np_expect "reserve with no size of its own adopts the reservation" "0 2 0 $ALL" \
		"$NP_RC $(size r1)"
	rs release r1
	np_guest
	g=$NP_GUEST
	rs place rx1 "$g" --vcpus 1
	np_expect "place rx1 with one exclusive CPU" "0 1" "$NP_RC $(jq -r .vcpus "$NP_T/resize/rx1.json")"
	rs place rx1 "$g" --vcpus 2
	np_expect "place again with two vcpus: exit 0" 0 "$NP_RC"
	np_expect "the record has the new size" "2 0 $ALL" "$(size rx1)"
	np_expect "the group is rewritten in place" "$ALL" "$(cat "$NP_CG/$NP_PARENT/rx1/cpuset.cpus")"
	np_expect "the process stays in its group" "/$NP_PARENT/rx1" "$(group_of "$g")"
	np_expect "the process runs on the new CPUs" "$ALL" \
		"$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$g/status")"
	rs place rx1 "$g" --vcpus 64
	np_expect "place again with a size that does not fit: exit 1" 1 "$NP_RC"
	np_expect "no fit: record and group stay" "2 0 $ALL $ALL" \
		"$(size rx1) $(cat "$NP_CG/$NP_PARENT/rx1/cpuset.cpus")"
	rs release rx1 --force
}

# ---- item 7: release puts tasks back in the group they came from ----
test_origin() {
	local home=$NP_TOP/home g
	mkdir -p "$NP_CG/$home"
	cat "$NP_CG/cpuset.cpus" >"$NP_CG/$home/cpuset.cpus"
	cat "$NP_CG/cpuset.mems" >"$NP_CG/$home/cpuset.mems"
	np_guest
	g=$NP_GUEST
	echo "$g" >"$NP_CG/$home/cgroup.procs"
	np place o1 "$g"
	np_expect "place records the group the process came from" "$home" \
		"$(jq -r .origin "$NP_STATE/o1.json")"
	sh -c 'sleep 600 & echo $! >'"$NP_T/kid"'; wait' &
	NP_PIDS+=($!)
	for ((i = 0; i < 50; i++)); do [ -s "$NP_T/kid" ] && break; sleep 0.1; done
	NP_PIDS+=("$(cat "$NP_T/kid")")
	echo "$(cat "$NP_T/kid")" >"$NP_CG/$NP_PARENT/o1/cgroup.procs"
	np release o1 --force
	np_expect "release --force: exit 0" 0 "$NP_RC"
	np_expect "release --force: the process is back in its group" "/$home" "$(group_of "$g")"
	np_expect "release --force: so is the task that joined the group" "/$home" \
		"$(group_of "$(cat "$NP_T/kid")")"
	np place o2 "$g"
	rmdir "$NP_CG/$home" 2>/dev/null || { np_cg_drain "$NP_CG/$home"; rmdir "$NP_CG/$home"; }
	np release o2 --force
	np_expect "its group is gone: the process goes to the parent" "/$NP_PARENT" "$(group_of "$g")"
}

np_expand "$(cat "$NP_CG/cpuset.cpus")"
ALL=$(cat "$NP_CG/cpuset.cpus")
# ---- item 15: the root cpuset group is printed as / ----
test_root_name() {
	np_guest
	[ "$(group_of "$NP_GUEST")" = / ] || { echo "# root name: the guest is not in the root group"; return; }
	LXC_HOOK_TYPE=start-host LXC_NAME=g1 LXC_PID=$NP_GUEST np hook lxc
	case $NP_ERR in
	*"is in cpuset group /, not in"*) np_pass "the root group is printed as /" ;;
	*) np_fail "root group name: stderr [$NP_ERR]" ;;
	esac
}

# ---- item 8: a cgroup parent narrower than the machine is the pool ----
test_parent_pool() {
	local last=${NP_LIST[-1]} mem narrow=$NP_TOP/narrow
	mem=$(cut -d, -f1 "$NP_CG/cpuset.mems" | cut -d- -f1)
	if [ ! -d "$NP_CG/$NP_TOP" ]; then
		mkdir "$NP_CG/$NP_TOP"
		cat "$NP_CG/cpuset.cpus" >"$NP_CG/$NP_TOP/cpuset.cpus"
		cat "$NP_CG/cpuset.mems" >"$NP_CG/$NP_TOP/cpuset.mems"
	fi
	mkdir "$NP_CG/$narrow"
	echo "$mem" >"$NP_CG/$narrow/cpuset.mems"
	echo "$last" >"$NP_CG/$narrow/cpuset.cpus"
	printf '[placement]\ncgroup-parent = %s\n[guest ex*]\nexclusive = yes\n' "$narrow" \
		>"$NP_T/narrow.conf"
	np_run --config "$NP_T/narrow.conf" --state-dir "$NP_STATE" \
		run --name pool1 -- grep Cpus_allowed_list /proc/self/status
	np_expect "a narrow parent: run exits 0" 0 "$NP_RC"
	np_expect "a narrow parent: run on the parent's CPU only" "$last" \
		"$(awk '{ print $2 }' <<<"$NP_OUT")"
	np_run --config "$NP_T/narrow.conf" --state-dir "$NP_STATE" run --name ex1 --vcpus 2 -- true
	np_expect "a narrow parent: no fit: exit 125" 125 "$NP_RC"
	case $NP_ERR in
	*"no fit"*"the cgroup parent $narrow allows only CPUs $last and nodes $mem"*)
		np_pass "a narrow parent: the no-fit message says what the parent allows" ;;
	*) np_fail "a narrow parent: no fit: stderr [$NP_ERR]" ;;
	esac
	rmdir "$NP_CG/$narrow"
}

test_root_name
[ "${#NP_LIST[@]}" -ge 2 ] && test_parent_pool || echo "# parent pool: needs two CPUs (has $ALL)"
test_tid
test_daemonize
test_full_fs
test_origin
[ "${#NP_LIST[@]}" = 2 ] && test_resize || echo "# resize: needs exactly two CPUs (has $ALL)"
np_done
