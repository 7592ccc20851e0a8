#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A captured topology never touches the live machine (issue 17 item 1):
# place, run, reconcile and every hook refuse it with exit 2 before they
# touch a cgroup or a record; advisor = numad with a capture exits 2; a
# state dir is bound to the topology of its first reservation.
. "$(dirname "$0")/lib.sh"

np_sandbox np-capture
topo=$NP_FIXTURES/topologies/4n-amd64-8pu.xml
printf '[placement]\ncgroup-parent = %s\n' "$NP_PARENT" >"$NP_T/np.conf"
printf '[placement]\nadvisor = numad\nfallback = none\n' >"$NP_T/numad.conf"
np() { np_run --config "$NP_T/np.conf" --state-dir "$NP_STATE" "$@"; }
untouched() {
	np_expect "$1: no state dir" "no" "$([ -e "$NP_STATE" ] && echo yes || echo no)"
	np_expect "$1: no group" "" "$(np_groups)"
}

np_guest
np --topology "$topo" place g1 "$NP_GUEST"
np_expect "place with --topology: exit 2" 2 "$NP_RC"
case $NP_ERR in
"numaplace: place: topology $topo is a capture: place acts on the live machine only"*)
	np_pass "place: the one line says why" ;;
*) np_fail "place: stderr [$NP_ERR]" ;;
esac
untouched place
NUMAPLACE_TOPOLOGY=$topo np place g1 "$NP_GUEST"
np_expect "place with NUMAPLACE_TOPOLOGY: exit 2" 2 "$NP_RC"
NUMAPLACE_TOPOLOGY=$topo np run -- touch "$NP_T/ran"
np_expect "run with a capture: exit 2" 2 "$NP_RC"
np_expect "run with a capture: CMD never ran" no "$([ -e "$NP_T/ran" ] && echo yes || echo no)"
np --topology "$topo" reconcile
np_expect "reconcile with a capture: exit 2" 2 "$NP_RC"
NUMAPLACE_TOPOLOGY=$topo LXC_HOOK_TYPE=start-host LXC_NAME=c1 LXC_PID=$NP_GUEST np hook lxc
np_expect "hook lxc with a capture: exit 2" 2 "$NP_RC"
echo '{"id":"c1","status":"creating","pid":1,"bundle":"/"}' >"$NP_T/state.json"
NUMAPLACE_TOPOLOGY=$topo np hook oci create <"$NP_T/state.json"
np_expect "hook oci with a capture: exit 2" 2 "$NP_RC"
untouched "live-only commands"
np_run --config "$NP_T/numad.conf" --state-dir "$NP_STATE" --topology "$topo" advise g1
np_expect "advisor numad with a capture: exit 2" 2 "$NP_RC"
case $NP_ERR in
*"advisor numad knows only the live machine"*) np_pass "numad with a capture: says why" ;;
*) np_fail "numad with a capture: stderr [$NP_ERR]" ;;
esac

# Planning in a state dir of its own works, and binds it to the capture.
np --topology "$topo" reserve r1 --vcpus 4 --json
np_expect "reserve on a capture: exit 0" 0 "$NP_RC"
np_expect "reserve on a capture: two of its nodes" 2 "$(jq -r '.nodes | length' <<<"$NP_OUT")"
np_expect "the state dir is bound to the capture" "capture $topo" \
	"$(cut -d' ' -f1,3- "$NP_STATE/.topology")"
cp "$topo" "$NP_T/copy.xml"
np --topology "$NP_T/copy.xml" reserve r2
np_expect "the same capture from another path: exit 0" 0 "$NP_RC"
np reserve live1
np_expect "reserve live on a capture's state dir: exit 2" 2 "$NP_RC"
case $NP_ERR in
*"is bound to capture $topo, not to the live machine"*) np_pass "the refusal names both" ;;
*) np_fail "bound refusal: stderr [$NP_ERR]" ;;
esac
np advise live1
np_expect "advise live on a capture's state dir: exit 2" 2 "$NP_RC"
np release r1
np_expect "release live on a capture's state dir: exit 2" 2 "$NP_RC"
np --topology "$NP_FIXTURES/topologies/6n-8pu-2cpuless.xml" reserve other
np_expect "another capture on it: exit 2" 2 "$NP_RC"
np_expect "only the capture's records" "r1 r2" "$(np_records | cut -d'|' -f1 | tr '\n' ' ' | sed 's/ $//')"
np --topology "$topo" release r1
np_expect "release with the same capture: exit 0" 0 "$NP_RC"

# A live state dir, bound at its first reservation, refuses a capture.
NP_STATE=$NP_T/live
np advise a1
np_expect "advise binds nothing" no "$([ -e "$NP_STATE/.topology" ] && echo yes || echo no)"
np reserve l1
np_expect "live reserve: exit 0" 0 "$NP_RC"
np_expect "the state dir is bound to the live machine" live "$(cat "$NP_STATE/.topology")"
np --topology "$topo" reserve c1
np_expect "a capture on a live state dir: exit 2" 2 "$NP_RC"
case $NP_ERR in
*"is bound to the live machine, not to capture $topo"*) np_pass "the refusal names both" ;;
*) np_fail "live refusal: stderr [$NP_ERR]" ;;
esac
np_expect "the live dir keeps only its record" l1 "$(np_records | cut -d'|' -f1)"
np release l1
np_expect "live release: exit 0" 0 "$NP_RC"
np_done
