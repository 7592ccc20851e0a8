#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# place / release / run / status on the real cpuset hierarchy, through the
# command line (issue 7): where the process lands, what is left behind, and
# the failures that must leave the hierarchy and the state dir as they were.
. "$(dirname "$0")/lib.sh"

np_sandbox np-place
cat >"$NP_T/np.conf" <<CONF
[placement]
cgroup-parent = $NP_PARENT
cpu-overcommit = 50
[guest demo]
advisor = static
cpus = 1
[guest far]
advisor = static
cpus = 7
CONF
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
records() { find "$NP_STATE" -maxdepth 1 -name '[!.]*.json' 2>/dev/null | wc -l; }
status_of() { grep "$1" "/proc/$2/status" | cut -f2; }

# The issue's own example: a command run placed on CPU 1.
np run --name demo -- sh -c 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup'
np_expect "run: exit 0" 0 "$NP_RC"
np_expect "run: the child's CPUs" "1" "$(echo "$NP_OUT" | sed -n 's/^Cpus_allowed_list:\t//p')"
np_expect "run: the child's group" "/$NP_PARENT/demo" "$(echo "$NP_OUT" | sed -n 's/^[0-9]*:cpuset://p')"
np_expect "run: no group left" "$NP_PARENT" "$(np_groups | tr '\n' ' ' | sed 's/ $//')"
np_expect "run: no reservation left" 0 "$(records)"

# place a running process, then the same again (a no-op), then release.
np_guest
web=$NP_GUEST
web_home=$(sed -n 's/^[0-9]*:cpuset://p' /proc/$web/cgroup)
np place web1 "$web" --json
np_expect "place: exit 0" 0 "$NP_RC"
cpus=$(echo "$NP_OUT" | jq -r .cpus)
np_expect "place: the process's group" "/$NP_PARENT/web1" "$(sed -n 's/^[0-9]*:cpuset://p' /proc/$web/cgroup)"
np_expect "place: the process's CPUs are the advice" "$cpus" "$(status_of Cpus_allowed_list "$web")"
np_expect "place: the group's cpus" "$cpus" "$(cat "$NP_CG/$NP_PARENT/web1/cpuset.cpus")"
np place web1 "$web"
np_expect "place again: no-op, exit 0" 0 "$NP_RC"
np_guest
np place web1 "$NP_GUEST"
np_expect "place: same name, another live pid: exit 1" 1 "$NP_RC"
np status --json
np_expect "status: one guest, alive, group present" "web1 true true" \
	"$(echo "$NP_OUT" | jq -r '.guests[] | "\(.name) \(.alive) \(.cgroup_present)"')"
np release web1
np_expect "release with a live task: exit 1" 1 "$NP_RC"
np_expect "release refused: reservation kept" 1 "$(records)"
np release web1 --force
np_expect "release --force: exit 0" 0 "$NP_RC"
np_expect "release --force: the process went back to the group it came from" "$web_home" \
	"$(sed -n 's/^[0-9]*:cpuset://p' /proc/$web/cgroup)"
np_expect "release --force: group and reservation gone" "$NP_PARENT 0" \
	"$(np_groups | tr '\n' ' ')$(records)"
np release web1
np_expect "release of a guest not placed: exit 0" 0 "$NP_RC"

# Failures: each leaves no group and no reservation.
before=$(np_groups)
np place ghost 4194000
np_expect "a PID that does not exist: exit 1" 1 "$NP_RC"
np_expect "a PID that does not exist: one error line" 1 "$(echo "$NP_ERR" | grep -c '^numaplace: place: ')"
np_guest
np place far "$NP_GUEST"
np_expect "CPUs the machine lacks: exit 2" 2 "$NP_RC"
for name in ../etc a/b .hidden "" "$(printf 'x%.0s' {1..65})" 'a;b'; do
	np place "$name" "$NP_GUEST"
	np_expect "hostile name [$name]: exit 2" 2 "$NP_RC"
done
np_expect "failures: the hierarchy as it was" "$before" "$(np_groups)"
np_expect "failures: no reservation" 0 "$(records)"

# A PID that dies between the reservation and the move (paused there).
sleep 3600 &
victim=$!
NP_PIDS+=("$victim")
NUMAPLACE_TEST_PAUSE=after-reserve "$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" \
	place dying "$victim" 2>"$NP_T/pause.err" &
placer=$!
NP_PIDS+=("$placer")
np_wait_paused "$NP_T/pause.err" || np_fail "numaplace never reached after-reserve"
kill -9 "$victim"; wait "$victim" 2>/dev/null
kill -9 "$placer"; wait "$placer" 2>/dev/null
np reconcile
np_expect "dead between reserve and attach: reconcile exit 0" 0 "$NP_RC"
np_expect "dead between reserve and attach: nothing left" "$before 0" "$(np_groups) $(records)"

# 20 place/release pairs in parallel.
pids=()
for i in $(seq 1 20); do
	np_guest
	pids+=("$NP_GUEST")
done
for i in $(seq 1 20); do
	( "$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" place "par$i" "${pids[$((i - 1))]}" >/dev/null &&
	  "$NUMAPLACE" --config "$NP_T/np.conf" --state-dir "$NP_STATE" release --force "par$i" ) \
		>"$NP_T/par$i.out" 2>&1 &
done
wait_fail=0
for job in $(jobs -p); do
	case " ${NP_PIDS[*]} " in *" $job "*) continue ;; esac
	wait "$job" || wait_fail=$((wait_fail + 1))
done
np_expect "20 parallel place/release pairs: all succeed" 0 "$wait_fail"
np_expect "20 parallel pairs: nothing left" "$before 0" "$(np_groups) $(records)"
np_done
