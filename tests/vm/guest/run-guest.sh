#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-guest.sh: run every /vm/guest/NN-*.sh in order (those matching
# $NP_VM_ONLY), each in its own shell with lib.sh sourced and a time limit
# ($NP_VM_FILE_TIMEOUT s), then print the TAP plan. Both come from /vm/env,
# written by run-vm.sh. Exit 0 when at least one test ran and none failed.
# Run by /init with fd 3 open on the TAP channel.
export NP_VM_TOPOLOGY=/vm/topology NP_VM_GUEST_DIR=/vm/guest NP_VM_BIN=/np/bin
export NP_VM_TAP_LOG=/tmp/tap.log
export NP_VM_CGROUP NUMAPLACE
NP_VM_FILE_TIMEOUT=120
NP_VM_ONLY='[0-9]*.sh'
[ -r /vm/env ] && . /vm/env
. "$NP_VM_GUEST_DIR/lib.sh"

NP_VM_CGROUP=$(topo_cgroup)
NUMAPLACE=
[ -x "$NP_VM_BIN/numaplace" ] && NUMAPLACE=$NP_VM_BIN/numaplace
: >"$NP_VM_TAP_LOG"
rm -f "$NP_VM_TAP_LOG.n"

# online_all_cpus FILE: bring back any CPU FILE left offline, so that one
# file's failure does not spill into the next.
online_all_cpus() {
	local f
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] && continue
		tap_diag "$1 left ${f%/online} offline: bringing it back"
		echo 1 >"$f"
	done
}

for t in "$NP_VM_GUEST_DIR"/[0-9]*.sh; do
	name=${t##*/}
	# shellcheck disable=SC2254 # NP_VM_ONLY is a glob
	case $name in
	$NP_VM_ONLY) ;;
	*) continue ;;
	esac
	tap_diag "$name (uptime $(cut -d" " -f1 /proc/uptime) s)"
	timeout "$NP_VM_FILE_TIMEOUT" sh -c '. "$1"; . "$2"; exit 0' sh "$NP_VM_GUEST_DIR/lib.sh" "$t"
	rc=$?
	[ "$rc" -eq 0 ] || tap_not_ok "$name ran to its end" "exit status $rc (143: killed after ${NP_VM_FILE_TIMEOUT}s)"
	online_all_cpus "$name"
done

total=$(wc -l <"$NP_VM_TAP_LOG")
failed=$(grep -c '^not ok' "$NP_VM_TAP_LOG")
echo "1..$total" >&3
echo "1..$total"
[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
