# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the integration tests (sourced, not run).
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
