#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory really lands where numaplace put the guest: a child under
# `numaplace run` maps and writes 64 MiB (np-vm-memtouch) and the kernel's
# per-node page counts of that mapping (/proc/PID/numa_maps) show it all on
# the chosen nodes; with `memory-mode = interleave` it is spread over them.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "memory placed on the chosen nodes" || return 0
touch_bin=$NP_VM_BIN/np-vm-memtouch
if [ ! -x "$touch_bin" ]; then
	tap_skip "memory placed on the chosen nodes" "no np-vm-memtouch in this initramfs"
	return 0
fi
if [ "$NP_VM_CGROUP" != v2 ]; then
	tap_skip "memory placed on the chosen nodes" "run on the cgroup v2 guests"
	return 0
fi

mib=64
pages=$((mib * 256))
vcpus=$(($(np_max_node_cpus) + 1))
want=$(np_pairs | awk -v v="$vcpus" '$3 >= v { print $1, $2 }' | np_best_set)

# touch_run MODE: run np-vm-memtouch under numaplace with MODE; leaves the
# mems of its group in NODES, the numa_maps line of the mapping in LINE and
# the child's allowed nodes in ALLOWED, then stops it and checks what run
# left behind.
touch_run() {
	local conf=/tmp/np-mem-$1.conf out=/tmp/np-mem-$1.out rpid pid addr
	printf '[placement]\nmemory-mode = %s\n' "$1" >"$conf"
	"$NUMAPLACE" --config "$conf" run --name "mem-$1" --vcpus "$vcpus" --memory ${mib}M \
		-- "$touch_bin" $mib >"$out" 2>&1 &
	rpid=$!
	NODES='' LINE='' ALLOWED=''
	if np_wait_for "$out" '^ready '; then
		read -r _ pid addr <"$out"
		NODES=$(np_cg_set "$(np_parent)/mem-$1" mems)
		LINE=$(grep "^$addr " "/proc/$pid/numa_maps")
		ALLOWED=$(np_allowed "$pid" Mems)
	else
		tap_diag "np-vm-memtouch did not get ready:" "$(cat "$out")"
	fi
	kill -TERM "$rpid"
	wait "$rpid"
	tap_expect "$1: run dies of the signal forwarded to its child" 143 "$?"
	tap_check "$1: run removed the group" test ! -e "$(np_cg_root)/$(np_parent)/mem-$1"
	tap_expect "$1: the guest is on the nearest pair of nodes" "$want" "$NODES"
	tap_expect "$1: the child may use those nodes only" "$NODES" "$ALLOWED"
}

# val KEY: the value of KEY= in LINE (0 when absent).
val() {
	echo "$LINE" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { n = $2 } END { print n + 0 }'
}

# count NODE: pages of LINE on NODE.
count() {
	val "N$1"
}

# on_nodes NODES...: pages of LINE on those nodes; elsewhere: the rest.
on_nodes() {
	local id sum=0
	for id in $1; do
		sum=$((sum + $(count "$id")))
	done
	echo "$sum"
}

touch_run strict
tap_expect "strict: numa_maps counts all $pages pages of the mapping" "$pages" "$(val anon)"
others=
for id in $(topo_node_ids); do
	case " $NODES " in
	*" $id "*) ;;
	*) others="$others${others:+ }$id" ;;
	esac
done
tap_expect "strict: all $pages pages are on nodes $NODES" "$pages" "$(on_nodes "$NODES")"
tap_expect "strict: none on nodes $others" 0 "$(on_nodes "$others")"

touch_run interleave
tap_expect "interleave: the mapping's policy is interleave over nodes $NODES" \
	"interleave:$(cpulist_compress "$NODES")" "$(echo "$LINE" | awk '{ print $2 }')"
tap_expect "interleave: all $pages pages are on nodes $NODES" "$pages" "$(on_nodes "$NODES")"
n=$(echo "$NODES" | wc -w)
[ "$n" -gt 0 ] || n=1
for id in $NODES; do
	got=$(count "$id")
	# Round robin gives each node pages/n; at least half of that share.
	if [ "$got" -ge $((pages / n / 2)) ]; then
		tap_ok "interleave: node $id holds $got of $pages pages"
	else
		tap_not_ok "interleave: node $id holds at least $((pages / n / 2)) of $pages pages" "$LINE"
	fi
done
tap_expect "no record is left" "" "$(np_state_files)"
