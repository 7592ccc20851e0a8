#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU hotplug under placed guests, and `numaplace status` / `reconcile`.
# Three guests: `pair` placed by the built-in advisor over two nodes, `lone`
# on only CPU X (the highest CPU of `pair`), `other` on CPU 0. X goes
# offline: status reports drift for `pair` and `lone`, none for `other`;
# reconcile cannot restore them while X is away and says so (exit 1). X
# comes back: after reconcile every guest has the cpuset it reserved again,
# in its group and in its process (on v1 the kernel restores nothing itself
# and moved the task of `lone`'s emptied group to the parent; on v2 it
# restores the effective sets), and a new guest can be placed on X.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "hotplug: status and reconcile" || return 0

parent=$(np_parent)
conf=/tmp/np-hotplug.conf
: >"$conf"
export NUMAPLACE_CONFIG=$conf
guests="pair lone other"

sleep 1000 &
pid_pair=$!
np_json hp-pair place pair "$pid_pair" --vcpus $(($(np_max_node_cpus) + 1))
np_expect_ok "place pair over two nodes"
pair_cpus=$(cpulist_expand "$(np_get .cpus)")
x=$(echo "$pair_cpus" | tr ' ' '\n' | tail -n 1)
online=/sys/devices/system/cpu/cpu$x/online
if [ "$x" = 0 ] || [ ! -w "$online" ]; then
	tap_skip "hotplug: status and reconcile" "CPU $x of pair cannot go offline"
	kill "$pid_pair"
	np_release_all
	return 0
fi

printf '[guest lone]\nadvisor = static\ncpus = %s\n[guest late]\nadvisor = static\ncpus = %s\n[guest other]\nadvisor = static\ncpus = 0\n' \
	"$x" "$x" >"$conf"
sleep 1000 &
pid_lone=$!
sleep 1000 &
pid_other=$!
sleep 1000 &
pid_late=$!
np_json hp-lone place lone "$pid_lone"
np_expect_ok "place lone on CPU $x"
np_json hp-other place other "$pid_other"
np_expect_ok "place other on CPU 0"

# pid_of NAME / want_cpus NAME: the guest's process and reserved CPUs.
pid_of() {
	eval "echo \$pid_$1"
}
want_cpus() {
	case $1 in
	pair) echo "$pair_cpus" ;;
	lone | late) echo "$x" ;;
	other) echo 0 ;;
	esac
}

# drifts: "NAME=DRIFT ..." for every guest, from numaplace status.
drifts() {
	local g out=
	np_json hp-status status
	for g in $guests; do
		out="$out${out:+ }$g=$(np_guest_field "$g" drift)"
	done
	echo "$out"
}

tap_expect "before: no drift" "pair=false lone=false other=false" "$(drifts)"

echo 0 >"$online"
tap_expect "CPU $x is offline" 0 "$(read_file "$online")"
want="pair=true lone=true other=false"
tap_expect "status reports the drift of pair and lone, not other" "$want" "$(settle "$want" drifts)"
# shellcheck disable=SC2034 # read by np_guest_field: the last status settle read
NP_FLAT=/tmp/np-hp-status.flat
tap_expect "status: every guest is still alive with its group" \
	"true true true true true true" \
	"$(for g in $guests; do printf '%s %s ' "$(np_guest_field "$g" alive)" "$(np_guest_field "$g" cgroup_present)"; done | sed 's/ $//')"

"$NUMAPLACE" reconcile >/tmp/np-hp-rec1.out 2>&1
tap_expect "reconcile while CPU $x is offline exits 1" 1 "$?"
tap_expect "it names pair and lone as not reconciled" \
	"lone pair" "$(sed -n 's/^could not reconcile \([^:]*\):.*/\1/p' /tmp/np-hp-rec1.out | sort | tr '\n' ' ' | sed 's/ $//')"
tap_diag "$(cat /tmp/np-hp-rec1.out)"

echo 1 >"$online"
tap_expect "CPU $x is online again" 1 "$(read_file "$online")"
all=$(topo_all_cpus)
tap_expect "the root cpuset has CPU $x again" "$all" "$(settle "$all" np_cg_set "" cpus)"

case $NP_VM_CGROUP in
v2)
	want="pair=false lone=false other=false"
	tap_expect "v2: the kernel restored the effective sets: no drift" "$want" "$(settle "$want" drifts)"
	;;
v1)
	tap_expect "v1: the kernel restored nothing: pair and lone still drift" \
		"pair=true lone=true other=false" "$(drifts)"
	tap_expect "v1: lone's process was moved to the parent group" "/$parent" "$(np_cpuset_of "$pid_lone")"
	;;
esac

"$NUMAPLACE" reconcile >/tmp/np-hp-rec2.out 2>&1
tap_expect "reconcile after CPU $x returned exits 0" 0 "$?"
tap_diag "$(cat /tmp/np-hp-rec2.out)"
restored=$(sed -n 's/^restored \([^:]*\):.*/\1/p' /tmp/np-hp-rec2.out | sort | tr '\n' ' ' | sed 's/ $//')
case $NP_VM_CGROUP in
v2) tap_expect "v2: it had nothing to restore" "" "$restored" ;;
v1) tap_expect "v1: it restored pair and lone" "lone pair" "$restored" ;;
esac

tap_expect "after reconcile: no drift" "pair=false lone=false other=false" "$(drifts)"

# On v1 the parent group lost CPU X too: reconcile gave it back while
# restoring pair and lone, so a new guest can have it again.
np_json hp-late place late "$pid_late"
np_expect_ok "after reconcile a new guest can be placed on CPU $x"
guests="$guests late"
for g in $guests; do
	pid=$(pid_of "$g")
	tap_expect "$g: its group has the CPUs it reserved" "$(want_cpus "$g")" "$(np_cg_set "$parent/$g" cpus)"
	tap_expect "$g: its process is in its group" "/$parent/$g" "$(np_cpuset_of "$pid")"
	tap_expect "$g: and runs on those CPUs" "$(want_cpus "$g")" "$(np_allowed "$pid" Cpus)"
done

for g in $guests; do
	kill "$(pid_of "$g")"
done
wait
for g in $guests; do
	tap_check "release $g" "$NUMAPLACE" release "$g"
done
tap_expect "no record is left" "" "$(np_state_files)"
