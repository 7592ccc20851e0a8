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

test_tid
np_done
