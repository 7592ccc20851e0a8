#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the integration tests (sourced, not run).
# shellcheck disable=SC2034 # NP_RC, NP_OUT, NP_PARENT...: read by the tests
# Each test prints TAP-like lines and exits 0 (pass), 1 (fail) or 77 (skip).
set -u

: "${NUMAPLACE:?NUMAPLACE must name the built numaplace binary}"
NP_FAILS=0
NP_PASSES=0

# np_skip REASON: skip the whole test, or fail it under NUMAPLACE_REQUIRE_ALL=1.
np_skip() {
	if [ "${NUMAPLACE_REQUIRE_ALL:-0}" = 1 ]; then
		echo "FAIL: would skip, but NUMAPLACE_REQUIRE_ALL=1: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

np_pass() { NP_PASSES=$((NP_PASSES + 1)); echo "ok - $*"; }
np_fail() { NP_FAILS=$((NP_FAILS + 1)); echo "not ok - $*"; }

# np_expect DESC EXPECTED ACTUAL
np_expect() {
	if [ "$2" = "$3" ]; then
		np_pass "$1"
	else
		np_fail "$1: expected [$2], got [$3]"
	fi
}

# np_run: run numaplace, keeping stdout in $NP_OUT, stderr in $NP_ERR and the
# exit code in $NP_RC.
np_run() {
	local out err
	out=$(mktemp) err=$(mktemp)
	"$NUMAPLACE" "$@" >"$out" 2>"$err"
	NP_RC=$?
	NP_OUT=$(cat "$out")
	NP_ERR=$(cat "$err")
	rm -f "$out" "$err"
}

# np_done: the test's exit code from the pass/fail counts.
np_done() {
	echo "$NP_PASSES passed, $NP_FAILS failed"
	[ "$NP_FAILS" -eq 0 ] && [ "$NP_PASSES" -gt 0 ]
}

# ---- a sandbox on the real cpuset hierarchy (tests that place guests) ----

# np_cpuset_mount: the cpuset hierarchy's mount point (a v1 cpuset mount,
# else the unified one), empty when there is none.
np_cpuset_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpuset(,|$)/) { print $5; exit }
	       if ($(i + 1) == "cgroup2") v2 = $5 }
	     END { if (v2 != "") print v2 }' /proc/self/mountinfo | head -n 1
}

# np_sandbox NAME: make this test's own corner of the machine and clean it
# up at exit, even on failure. Sets NP_T (a temp dir), NP_STATE (a state
# dir in it, not created), NP_CG (the cpuset mount), NP_TOP (a top-level
# group name unique to this run, not created) and NP_PARENT
# ($NP_TOP/numaplace, for `cgroup-parent`). The processes the test starts
# go into NP_PIDS: the cleanup kills those (and no other), then removes
# every group below NP_TOP, deepest first. Skips unless root with a
# cpuset hierarchy.
np_sandbox() {
	[ "$(id -u)" = 0 ] || np_skip "needs root for the cpuset hierarchy"
	NP_CG=$(np_cpuset_mount)
	[ -n "$NP_CG" ] && [ -w "$NP_CG" ] || np_skip "no writable cpuset hierarchy"
	NP_T=$(mktemp -d "/tmp/$1.XXXXXX")
	NP_STATE=$NP_T/state
	NP_TOP=$1-${NP_T##*.}
	NP_PARENT=$NP_TOP/numaplace
	NP_PIDS=()
	trap np_sandbox_cleanup EXIT
}

# np_cg_drain GROUP_DIR: move what is left in a group of this run (only
# this test's processes can be there) to the root, so it can be removed.
np_cg_drain() {
	local pid
	for pid in $(cat "$1/cgroup.procs" 2>/dev/null); do
		echo "$pid" >"$NP_CG/cgroup.procs" 2>/dev/null
	done
}

np_sandbox_cleanup() {
	local pid dir try
	for pid in "${NP_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in "${NP_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -d "$NP_CG/$NP_TOP" ] || break
		while read -r dir; do
			np_cg_drain "$dir"
			rmdir "$dir" 2>/dev/null
		done < <(find "$NP_CG/$NP_TOP" -depth -type d 2>/dev/null)
		[ -d "$NP_CG/$NP_TOP" ] && sleep 0.2
	done
	[ -d "$NP_CG/$NP_TOP" ] && echo "warning: could not remove $NP_CG/$NP_TOP"
	rm -rf "$NP_T"
}

# np_guest: start a stand-in guest (a sleeping process) in the background,
# record it in NP_PIDS and set NP_GUEST to its PID.
np_guest() {
	sleep 3600 &
	NP_GUEST=$!
	NP_PIDS+=("$NP_GUEST")
}

# np_groups: the groups below NP_TOP (relative to the mount), sorted.
np_groups() {
	[ -d "$NP_CG/$NP_TOP" ] || return 0
	(cd "$NP_CG" && find "$NP_TOP" -mindepth 1 -type d | sort)
}

# np_wait_paused FILE: wait until the numaplace whose stderr goes to FILE
# says "paused at" (NUMAPLACE_TEST_PAUSE). A bound of 120 s is only a
# safety net against a hang; returns 1 when it is reached.
np_wait_paused() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -q "paused at" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# np_expand LIST: the numbers of a cpu list ("0-2,5") into the array
# NP_LIST (0 1 2 5), with builtins only.
np_expand() {
	local part i
	NP_LIST=()
	[ -n "$1" ] || return 0
	for part in ${1//,/ }; do
		for ((i = ${part%-*}; i <= ${part#*-}; i++)); do
			NP_LIST+=("$i")
		done
	done
}

# np_records: every record of NP_STATE as one line of fields joined by
# '|' (read them with IFS='|'; empty fields stay): name, phase, pid, cpus,
# exclusive, nodes, bookings ("node:vcpus:memory,…"), cgroup ("" for none).
np_records() {
	local files=("$NP_STATE"/*.json)
	[ -e "${files[0]}" ] || return 0
	jq -r '[.name, .phase, .pid, .cpus, .exclusive, .nodes,
		(.bookings | map("\(.node):\(.vcpus):\(.memory)") | join(",")),
		(.cgroup // "")] | map(tostring) | join("|")' "${files[@]}"
}

# np_summary_consistent: "consistent" when NP_STATE/.summary (the ledger
# summary, core/ledger/ledger_summary.h) holds the current generation and
# one line per record that says what the record says; else what differs.
np_summary_consistent() {
	local magic version gen count _ want have
	[ -f "$NP_STATE/.summary" ] || { echo "no summary"; return; }
	read -r magic version gen count _ <"$NP_STATE/.summary"
	[ "$magic $version" = "numaplace-summary 1" ] || { echo "header: $magic $version"; return; }
	[ "$gen" = "$(cut -d' ' -f1 "$NP_STATE/.generation")" ] ||
		{ echo "generation $gen, the ledger's $(cut -d' ' -f1 "$NP_STATE/.generation")"; return; }
	want=$(np_records | awk -F'|' '{ for (i = 4; i <= 7; i++) if ($i == "") $i = "-"
		print $1, $2, $4, $5, $6, $7 }' | LC_ALL=C sort)
	have=$(tail -n +2 "$NP_STATE/.summary")
	[ "$count" = "$(printf '%s' "$want" | grep -c .)" ] || { echo "count $count"; return; }
	[ "$have" = "$want" ] || { echo "lines differ: $(diff <(echo "$want") <(echo "$have") | head -4 | tr '\n' ' ')"; return; }
	echo consistent
}
