#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Signals in `numaplace run`, in a real terminal (tmux): Ctrl-C reaches the
# child once (the kernel's SIGINT to the foreground group is not forwarded
# again); a signal sent to run's pid is forwarded, whichever it is (USR1,
# TERM), so the child never runs on unplaced after run died.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || np_skip "tmux is not installed (Debian package tmux)"
command -v jq >/dev/null || np_skip "jq is not installed"
np_sandbox np-sig
printf '[placement]\ncgroup-parent = %s\n' "$NP_PARENT" >"$NP_T/np.conf"
log=$NP_T/log
sock=$NP_T/tmux.sock
tm() { tmux -S "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; np_sandbox_cleanup' EXIT

# wait_for LINE: until the child's log holds LINE (a bound of 30 s is only
# a safety net against a hang).
wait_for() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qx "$1" "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
logged() { tr '\n' ' ' <"$log" | sed 's/ $//'; }

cat >"$NP_T/child.sh" <<EOF
trap 'echo INT >>$log' INT
trap 'echo USR1 >>$log' USR1
trap 'echo TERM >>$log; exit 7' TERM
echo ready >>$log
while :; do sleep 0.1; done
EOF
tm new-session -d -s np -x 120 -y 20 \
	"$NUMAPLACE --config $NP_T/np.conf --state-dir $NP_STATE run --name sig1 -- sh $NP_T/child.sh; echo \"exit \$?\" >>$log; sleep 600"
wait_for ready || np_fail "the child never started: $(tm capture-pane -p -t np)"
run_pid=$(jq -r .pid "$NP_STATE/sig1.json" 2>/dev/null)
run_pid=$(cut -d' ' -f4 "/proc/$run_pid/stat" 2>/dev/null)
np_expect "run is placed" "sig1" "$(jq -r .name "$NP_STATE/sig1.json" 2>/dev/null)"
tm send-keys -t np C-c
wait_for INT || np_fail "Ctrl-C never reached the child"
kill -USR1 "$run_pid"
wait_for USR1 || np_fail "USR1 sent to run was not forwarded"
np_expect "Ctrl-C reached the child once, USR1 forwarded once" "ready INT USR1" "$(logged)"
np_expect "run still runs after USR1" yes "$([ -d "/proc/$run_pid" ] && echo yes || echo no)"
kill -TERM "$run_pid"
wait_for "exit 7" || np_fail "run did not exit with the child's status: $(logged)"
np_expect "TERM forwarded; run exits as the child did" "ready INT USR1 TERM exit 7" "$(logged)"
np_expect "released" no "$([ -e "$NP_STATE/sig1.json" ] && echo yes || echo no)"
np_done
