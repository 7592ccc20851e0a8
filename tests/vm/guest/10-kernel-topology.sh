#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel sees exactly the emulated machine: its nodes, CPUs, distance
# matrix, memory per node and its memory-only nodes.

sysnode=/sys/devices/system/node
all_nodes=$(topo_node_ids)

tap_expect "kernel: online nodes are the emulated ones" \
	"$all_nodes" "$(cpulist_expand "$(read_file $sysnode/online)")"
tap_expect "kernel: online CPUs are the emulated ones" \
	"$(topo_all_cpus)" "$(cpulist_expand "$(read_file /sys/devices/system/cpu/online)")"
tap_expect "kernel: nodes with CPUs" \
	"$(topo_cpu_nodes)" "$(cpulist_expand "$(read_file $sysnode/has_cpu)")"
tap_expect "kernel: every node has memory" \
	"$all_nodes" "$(cpulist_expand "$(read_file $sysnode/has_memory)")"

# node_mem_ok ID: node ID's MemTotal lies between 70% of the emulated size
# (the rest is what the kernel keeps: struct pages, its image, the
# initramfs on the boot node) and the emulated size.
node_mem_ok() {
	local want got
	want=$(topo_node_mem_kib "$1")
	got=$(awk '$3 == "MemTotal:" { print $4 }' "$sysnode/node$1/meminfo")
	if [ -n "$got" ] && [ "$got" -le "$want" ] && [ "$got" -ge $((want * 7 / 10)) ]; then
		tap_ok "kernel: node$1 MemTotal ${got} kB of ${want} kB emulated"
	else
		tap_not_ok "kernel: node$1 MemTotal within 70-100% of ${want} kB" "got: [$got]"
	fi
}

for id in $all_nodes; do
	tap_expect "kernel: node$id cpulist" \
		"$(cpulist_expand "$(topo_node_cpus "$id")")" \
		"$(cpulist_expand "$(read_file "$sysnode/node$id/cpulist")")"
	tap_expect "kernel: node$id distances" \
		"$(topo_dist_row "$id")" "$(read_file "$sysnode/node$id/distance")"
	node_mem_ok "$id"
done

for id in $(topo_memonly_nodes); do
	tap_expect "kernel: node$id is memory-only (empty cpulist)" \
		"" "$(read_file "$sysnode/node$id/cpulist")"
done
