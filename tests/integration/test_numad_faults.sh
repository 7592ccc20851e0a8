#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# numad failing in every way it can, through the command line (docs/contract.md
# `fallback`, `numad-timeout`): stand-in scripts named by `numad = PATH`
# that are missing, hang, answer slowly (within and past the timeout),
# crash, answer nodes the machine lacks (or that have no CPUs), print
# garbage, fail, flood their output, ignore SIGTERM or leave a child
# holding their output. Each command ends (a generous bound, only a safety
# net against a hang) and follows `fallback`: builtin or static give a
# placement whose result says fallback true and why; none exits 1 with
# numad's failure on one line. Nothing numad started is left running.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-numad
# A generous bound on any one command (numad-timeout is 1s).
BOUND=30
pids=$NP_T/numad.pids
mkdir "$NP_T/bin"
cd "$NP_T" || exit 1

# stand_in NAME BODY: a numad stand-in script.
stand_in() {
	printf '#!/bin/sh\n%s\n' "$2" >"$NP_T/bin/$1"
	chmod +x "$NP_T/bin/$1"
}
stand_in hang "echo \$\$ >>$pids; exec sleep 600"
stand_in slow "sleep 1; echo 0"
stand_in late "echo \$\$ >>$pids; sleep 8; echo 0"
stand_in crash 'kill -SEGV $$'
stand_in ghost 'echo 7'
stand_in garbage 'echo hello'
stand_in escape 'printf "\033[31m0\n"'
stand_in fail 'echo "numad: cannot sample" >&2; exit 3'
stand_in flood 'yes 0 | head -c 300000'
stand_in stubborn "trap '' TERM INT HUP; echo \$\$ >>$pids; sleep 600"
stand_in orphan "sleep 600 & echo \$! >>$pids; echo 0"
stand_in good 'echo 0'
stand_in cpuless 'echo 4'

# np_policy FALLBACK NUMAD [TIMEOUT]: the policy for one case.
np_policy() {
	printf '[placement]\ncgroup-parent = %s\ncpu-overcommit = 64\nadvisor = numad\n' "$NP_PARENT"
	printf 'numad = %s\nnumad-timeout = %s\nfallback = %s\ncpus = 0\nmems = 0\n' \
		"$2" "${3:-1s}" "$1"
}

# np_timed DESC ARGS...: np_run with the run's length checked against BOUND.
np_timed() {
	local desc=$1 t0=$SECONDS
	shift
	np_run "$@"
	if [ $((SECONDS - t0)) -le "$BOUND" ]; then
		np_pass "$desc: ended in $((SECONDS - t0))s"
	else
		np_fail "$desc: took $((SECONDS - t0))s"
	fi
}

# np_fallback CASE FALLBACK WHY CMD...: CMD (advise, reserve or place)
# succeeds with the fallback advisor, fallback true and WHY in the reason.
np_fallback() {
	local case=$1 fb=$2 why=$3 conf=$NP_T/$1-$2.conf
	shift 3
	np_policy "$fb" "$NP_T/bin/$case" >"$conf"
	np_timed "$case, fallback $fb: $1" --config "$conf" --state-dir "$NP_STATE" --json "$@"
	local advisor fallback reason
	IFS='|' read -r advisor fallback reason < <(jq -r '"\(.advisor)|\(.fallback)|\(.reason)"' \
		<<<"$NP_OUT" 2>/dev/null)
	np_expect "$case, fallback $fb: $1: exit code" 0 "$NP_RC"
	np_expect "$case, fallback $fb: $1: advisor and fallback" "$fb true" "$advisor $fallback"
	case $reason in
	*"$why"*"fell back to $fb"*) np_pass "$case, fallback $fb: $1: the reason says why" ;;
	*) np_fail "$case, fallback $fb: $1: reason [$reason] lacks [$why]" ;;
	esac
}

# np_no_fallback CASE WHY CMD...: with fallback none, CMD exits 1 with one
# line saying WHY, and changes nothing.
np_no_fallback() {
	local case=$1 why=$2 conf=$NP_T/$1-none.conf before
	shift 2
	np_policy none "$NP_T/bin/$case" >"$conf"
	# shellcheck disable=SC2010 # the names are numaplace's own
	before=$(ls -A "$NP_STATE" 2>/dev/null | grep -v '^\.' ; np_groups)
	np_timed "$case, fallback none: $1" --config "$conf" --state-dir "$NP_STATE" "$@"
	np_expect "$case, fallback none: $1: exit code" 1 "$NP_RC"
	if [[ $NP_ERR == "numaplace: $1: "*"$why"* && $NP_ERR != *$'\n'* &&
		$NP_ERR != *[[:cntrl:]]* ]]; then
		np_pass "$case, fallback none: $1: $NP_ERR"
	else
		np_fail "$case, fallback none: $1: stderr [$NP_ERR] lacks [$why]"
	fi
	# shellcheck disable=SC2010 # the names are numaplace's own
	np_expect "$case, fallback none: $1: no reservation, no group" "$before" \
		"$(ls -A "$NP_STATE" 2>/dev/null | grep -v '^\.'; np_groups)"
}

# np_nothing_left CASE: every process the stand-in recorded is gone (or a
# zombie: an orphan's new parent reaps it in its own time).
np_nothing_left() {
	local pid left='' state
	[ -e "$pids" ] || return 0
	for pid in $(cat "$pids"); do
		read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || continue
		[ "$state" = Z ] || left+=" $pid"
	done
	np_expect "$1: nothing numad started is left running" "" "$left"
	rm -f "$pids"
}

# np_case CASE WHY: the three commands with fallback builtin, one with
# static, and fallback none; a guest is placed and released.
np_case() {
	local case=$1 why=$2
	np_fallback "$case" builtin "$why" advise "a-$case"
	np_fallback "$case" builtin "$why" reserve "r-$case"
	np_guest
	np_fallback "$case" builtin "$why" place "p-$case" "$NP_GUEST"
	np_expect "$case: the guest is in its group" "/$NP_PARENT/p-$case" \
		"$(cat "/proc/$NP_GUEST/cpuset")"
	np_fallback "$case" static "$why" reserve "s-$case"
	np_no_fallback "$case" "$why" reserve "n-$case"
	np_nothing_left "$case"
}

# A stand-in that takes the whole timeout: fewer commands, each takes 1s.
np_slow_case() {
	local case=$1 why=$2
	np_guest
	np_fallback "$case" builtin "$why" place "p-$case" "$NP_GUEST"
	np_no_fallback "$case" "$why" advise "n-$case"
	np_nothing_left "$case"
}

np_case missing "cannot run $NP_T/bin/missing"
np_case crash "numad was killed by signal 11"
np_case ghost "numad answered node 7, which this machine does not have"
np_case garbage 'numad printed "hello\n", not a node list'
np_case escape 'numad printed "\x1b[31m0\n", not a node list'
np_case fail 'numad exited with status 3 and printed "numad: cannot sample\n"'
np_case flood "numad printed more than"
np_slow_case hang "numad gave no answer within 1000 ms; killed it"
np_slow_case late "numad gave no answer within 1000 ms; killed it"
np_slow_case stubborn "numad gave no answer within 1000 ms; killed it"
np_slow_case orphan "numad gave no answer within 1000 ms; killed it"

# numad's answer is taken when it comes in time, however slowly.
np_policy none "$NP_T/bin/slow" 30s >"$NP_T/slow.conf"
np_timed "slow within the timeout" --config "$NP_T/slow.conf" --state-dir "$NP_STATE" --json \
	advise a-slow
np_expect "slow within the timeout: numad's answer" "0 numad false 0" \
	"$NP_RC $(jq -r '"\(.advisor) \(.fallback) \(.mems)"' <<<"$NP_OUT")"

# numad only knows the live machine: with a captured topology, advisor =
# numad is an input error (exit 2) that runs no numad. An answer naming a
# node without CPUs is covered by tests/unit/test_numad.c.
topo=$NP_FIXTURES/topologies/6n-8pu-2cpuless.xml
stand_in witness "touch $NP_T/numad-ran; echo 0"
np_policy builtin "$NP_T/bin/witness" >"$NP_T/capture.conf"
sed -i '/^cpus = \|^mems = /d' "$NP_T/capture.conf"
for cmd in advise reserve; do
	np_timed "numad with a capture: $cmd" --config "$NP_T/capture.conf" \
		--state-dir "$NP_T/capture" --topology "$topo" $cmd a-capture
	np_expect "numad with a capture: $cmd: exit 2" 2 "$NP_RC"
	case $NP_ERR in
	*"advisor numad knows only the live machine, and topology $topo is a capture") \
		np_pass "numad with a capture: $cmd: says why" ;;
	*) np_fail "numad with a capture: $cmd: stderr [$NP_ERR]" ;;
	esac
done
np_expect "numad with a capture: numad never ran, no state dir" "no no" \
	"$([ -e "$NP_T/numad-ran" ] && echo yes || echo no) $([ -e "$NP_T/capture" ] && echo yes || echo no)"

# numad names a node that fits no more (on the live machine): an
# overbooking answer is a numad failure; with fallback none it is the
# reason of the refusal.
np_expand "$(cat "$NP_CG/cpuset.cpus")"
ncpus=${#NP_LIST[@]}
printf '[placement]\nadvisor = numad\nnumad = %s\nnumad-timeout = 1s\nfallback = none\n' \
	"$NP_T/bin/good" >"$NP_T/full.conf"
"$NUMAPLACE" --config "$NP_T/full.conf" --state-dir "$NP_T/full" \
	reserve fill --vcpus "$ncpus" >/dev/null
np_timed "numad names a full node" --config "$NP_T/full.conf" --state-dir "$NP_T/full" \
	--json reserve next --vcpus 1
np_expect "numad names a full node: exit 1" 1 "$NP_RC"
case $NP_ERR in
*"overbooked"*) np_pass "numad names a full node: the reason says so" ;;
*) np_fail "numad names a full node: stderr [$NP_ERR]" ;;
esac
np_expect "numad names a full node: only the first record" fill \
	"$(NP_STATE=$NP_T/full np_records | cut -d'|' -f1)"

# The numad path is run as it is, never through a shell.
weird="$NP_T/bin/nu mad;touch pwned"
cp "$NP_T/bin/ghost" "$weird"
np_policy builtin "$weird" >"$NP_T/weird.conf"
np_timed "a numad path with shell characters" --config "$NP_T/weird.conf" --state-dir "$NP_STATE" \
	--json advise a-weird
np_expect "a numad path with shell characters: run as a path" "0 true" \
	"$NP_RC $(jq -r .fallback <<<"$NP_OUT")"
np_expect "a numad path with shell characters: no shell ran" no \
	"$([ -e "$NP_T/pwned" ] && echo yes || echo no)"

np_done
