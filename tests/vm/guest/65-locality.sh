#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Where a guest's memory really is (`status`: memory per node, locality),
# on a real multi-node kernel:
# - a guest run on one node that touched 64 MiB shows at least 95% of it
#   there, and its per-node bytes agree (within 5%) with the kernel's own
#   /proc/PID/numa_maps of its process;
# - memory touched on node 0 before the process is placed on node 1 stays
#   remote with v1's memory-migrate = no (locality < 0.1) and follows with
#   memory-migrate = yes (>= 0.9); on cgroup v2 the kernel moves it with
#   cpuset.mems whatever the key says (>= 0.9).
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "status shows memory locality" || return 0
touch_bin=$NP_VM_BIN/np-vm-memtouch
if [ ! -x "$touch_bin" ]; then
	tap_skip "status shows memory locality" "no np-vm-memtouch in this initramfs"
	return 0
fi
root=$(np_cg_root)
mib=64

# mem_on NAME NODE: the bytes of guest NAME on NODE in the last status answer.
mem_on() {
	awk -F '\t' -v name="$1" -v node="$2" '
		$1 ~ /^\.guests\[[0-9]+\]\.name$/ && $2 == name { g = $1; sub(/\.name$/, "", g) }
		g != "" && index($1, g ".memory.by_node[") == 1 {
			k = $1; sub(/\.[a-z]+$/, "", k)
			if ($1 ~ /\.node$/) id[k] = $2; else bytes[k] = $2 }
		END { s = 0; for (k in id) if (id[k] == node) s += bytes[k]; print s }' "$NP_FLAT"
}

# maps_on PID NODE: the bytes of PID on NODE by its numa_maps.
maps_on() {
	awk -v n="N$2=" '{ ps = 4096
		for (i = 1; i <= NF; i++) if ($i ~ /^kernelpagesize_kB=/) { split($i, a, "="); ps = a[2] * 1024 }
		for (i = 1; i <= NF; i++) if (index($i, n) == 1) { split($i, a, "="); s += a[2] * ps } }
		END { printf "%d\n", s }' "/proc/$1/numa_maps"
}

# within PCT A B: true when A and B differ by at most PCT% of B.
within() {
	awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 100 <= p * b) }'
}

# at_least X Y: true when the number X >= Y.
at_least() {
	awk -v x="$1" -v y="$2" 'BEGIN { exit !(x >= y) }'
}

node1_cpus=$(cpulist_compress "$(topo_node_cpus 1)")
node0_cpus=$(cpulist_compress "$(topo_node_cpus 0)")

# 1. run on node 1, touch 64 MiB there.
printf '[guest loc-run]\nadvisor = static\ncpus = %s\nmems = 1\n' "$node1_cpus" >/tmp/np-loc.conf
"$NUMAPLACE" --config /tmp/np-loc.conf run --name loc-run -- "$touch_bin" $mib >/tmp/np-loc.out 2>&1 &
rpid=$!
if np_wait_for /tmp/np-loc.out '^ready '; then
	read -r _ pid _ </tmp/np-loc.out
	np_json loc-status --config /tmp/np-loc.conf status
	np_expect_ok "status exits 0"
	on1=$(mem_on loc-run 1)
	tap_check "at least 95% of $mib MiB on node 1 ($on1 bytes)" at_least "$on1" $((mib * 1048576 * 95 / 100))
	for n in $(topo_node_ids); do
		k=$(maps_on "$pid" "$n")
		s=$(mem_on loc-run "$n")
		if [ "$k" -eq 0 ]; then
			tap_expect "node $n: nothing there, as numa_maps says" 0 "$s"
		else
			tap_check "node $n: status ($s) within 5% of numa_maps ($k)" within 5 "$s" "$k"
		fi
	done
	loc=$(np_guest_field loc-run locality)
	tap_check "locality >= 0.95 ($loc)" at_least "$loc" 0.95
else
	tap_not_ok "np-vm-memtouch under run got ready" "$(cat /tmp/np-loc.out)"
fi
kill -TERM "$rpid"
wait "$rpid"

# 2. memory touched on node 0, then the process placed on node 1.
# before_after MIGRATE: leaves the locality after the move in LOC.
before_after() {
	local pre=$root/np-loc-pre conf=/tmp/np-loc-$1.conf out=/tmp/np-loc-$1.out pid
	mkdir -p "$pre"
	if [ "$NP_VM_CGROUP" = v2 ]; then
		echo +cpuset >"$root/cgroup.subtree_control"
		echo "$node0_cpus" >"$pre/cpuset.cpus"
		echo 0 >"$pre/cpuset.mems"
	else
		echo "$node0_cpus" >"$pre/cpuset.cpus"
		echo 0 >"$pre/cpuset.mems"
	fi
	sh -c "echo \$\$ >$pre/cgroup.procs && exec $touch_bin $mib" >"$out" 2>&1 &
	pid=$!
	LOC=''
	if np_wait_for "$out" '^ready '; then
		tap_check "migrate=$1: touched on node 0 first" at_least "$(maps_on "$pid" 0)" $((mib * 1048576 * 95 / 100))
		printf '[guest loc-move]\nadvisor = static\ncpus = %s\nmems = 1\nmemory-migrate = %s\n' \
			"$node1_cpus" "$1" >"$conf"
		np_json loc-place-$1 --config "$conf" place loc-move "$pid"
		np_expect_ok "migrate=$1: place on node 1"
		np_json loc-move-$1 --config "$conf" status
		LOC=$(np_guest_field loc-move locality)
		tap_diag "migrate=$1: locality $LOC, node 0 $(mem_on loc-move 0), node 1 $(mem_on loc-move 1)"
	else
		tap_not_ok "migrate=$1: np-vm-memtouch got ready" "$(cat "$out")"
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
	"$NUMAPLACE" --config "$conf" release loc-move >/dev/null 2>&1
	rmdir "$pre"
}

before_after no
if [ "$NP_VM_CGROUP" = v1 ]; then
	tap_check "v1, memory-migrate = no: the memory stays remote (locality $LOC < 0.1)" \
		awk -v x="$LOC" 'BEGIN { exit !(x != "" && x < 0.1) }'
else
	tap_check "v2, memory-migrate = no: the kernel moves it anyway (locality $LOC >= 0.9)" \
		at_least "${LOC:-0}" 0.9
fi
before_after yes
tap_check "memory-migrate = yes: the memory follows (locality $LOC >= 0.9)" at_least "${LOC:-0}" 0.9
