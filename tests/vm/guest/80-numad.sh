#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `advisor = numad` with the real numad on the multi-node kernel, first
# without its daemon (`numad -w` samples the machine itself), then with the
# daemon running (`numad -i 1:2`; `numad -w` asks it). numad logs every
# advice it gives to /var/log/numad.log ("... to nodes (LIST)"): numaplace
# must report exactly that answer as numad's, either taken (advisor numad,
# its cpus and mems those nodes') or refused with numad's answer and the
# reason quoted (fallback to builtin); and whatever it reports exists here.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "the numad advisor" || return 0
numad=$NP_VM_BIN/numad
if [ ! -x "$numad" ]; then
	tap_skip "the numad advisor" "no numad in this initramfs"
	return 0
fi
if [ "$NP_VM_CGROUP" != v2 ]; then
	tap_skip "the numad advisor" "run on the cgroup v2 guests"
	return 0
fi

log=/var/log/numad.log
pidfile=/var/run/numad.pid
conf=/tmp/np-numad.conf
# numad -w sleeps 2 s to sample; under TCG on a busy host it may take far
# longer: the timeout only bounds a hung numad.
printf '[placement]\nadvisor = numad\nnumad = %s\nnumad-timeout = 60s\nfallback = builtin\n' \
	"$numad" >"$conf"

# numad_said: the node list of the last advice in numad's log.
numad_said() {
	sed -n 's/.*Advising pid -1 .* to nodes (\(.*\))$/\1/p' "$log" | tail -n 1
}

# fallback_reason MODE SAID: numaplace refused numad's answer SAID: when
# SAID has a CPU-less node its reason names that node, else it quotes the
# whole answer as one that would overbook.
fallback_reason() {
	local id cpuless='' reason ok='' desc
	reason=$(np_get .reason)
	tap_diag "$1: numaplace refused numad's answer $2: $reason"
	for id in $(cpulist_expand "$2"); do
		[ -z "$(topo_node_cpus "$id")" ] && cpuless="$cpuless${cpuless:+ }$id"
	done
	if [ -n "$cpuless" ]; then
		case $reason in
		numad*" node ${cpuless%% *}, which has no CPU"*) ok=1 ;;
		esac
		desc="$1: the fallback says numad's node ${cpuless%% *} has no CPU"
	else
		case $reason in
		"numad advised node"*" $2, which would be overbooked"*) ok=1 ;;
		esac
		desc="$1: the fallback says numad's nodes $2 would be overbooked"
	fi
	if [ -n "$ok" ]; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc" "$reason"
	fi
}

# check_advice MODE: ask numaplace and hold its answer against numad's log.
check_advice() {
	local said nodes
	: >"$log"
	np_json "numad-$1" --config "$conf" advise "nd-$1" --vcpus 1 --memory 32M
	np_expect_ok "$1: advise with advisor = numad exits 0"
	said=$(cpulist_compress "$(numad_said)")
	if [ -n "$said" ]; then
		tap_ok "$1: numad logged its advice: nodes $said"
	else
		tap_not_ok "$1: numad logged its advice" "$(cat "$log")"
	fi
	nodes=$(np_list .nodes)
	case "$(np_get .advisor) $(np_get .fallback)" in
	"numad false")
		tap_expect "$1: numaplace took numad's nodes" "$said" "$(cpulist_compress "$nodes")"
		tap_expect "$1: its cpus are those nodes' CPUs" \
			"$(cpulist_compress "$(np_nodes_cpus "$nodes")")" "$(np_get .cpus)"
		tap_expect "$1: its mems are those nodes" "$(cpulist_compress "$nodes")" "$(np_get .mems)"
		;;
	"builtin true")
		fallback_reason "$1" "$said"
		;;
	*)
		tap_not_ok "$1: advisor numad, or builtin as a fallback" "$(cat "/tmp/np-numad-$1.json")"
		;;
	esac
	bad=
	for id in $nodes; do
		[ -n "$(topo_node_cpus "$id")" ] || bad="$bad $id"
	done
	tap_expect "$1: every node of the answer exists and has CPUs" "" "$bad"
}

if [ -e "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	tap_not_ok "no numad daemon runs before the test" "pid $(cat "$pidfile")"
fi
check_advice no-daemon

"$numad" -i 1:2 >/tmp/np-numad-daemon.out 2>&1
np_wait_for "$pidfile" '^[0-9]+$'
daemon=$(cat "$pidfile" 2>/dev/null)
if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
	tap_ok "the numad daemon runs (pid $daemon)"
else
	tap_not_ok "the numad daemon runs" "$(cat /tmp/np-numad-daemon.out "$log")"
fi
check_advice daemon
tap_check "the daemon still runs after answering" kill -0 "$daemon"

"$numad" -i 0 >/dev/null 2>&1
i=0
while kill -0 "$daemon" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
if kill -0 "$daemon" 2>/dev/null; then
	tap_not_ok "numad -i 0 stops the daemon"
	kill "$daemon"
else
	tap_ok "numad -i 0 stops the daemon"
fi
tap_expect "no record is left" "" "$(np_state_files)"
