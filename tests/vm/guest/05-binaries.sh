#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The host-built programs copied into the initramfs run in the guest (their
# libraries and the dynamic loader came along), and libnuma there sees the
# emulated nodes.

if [ -n "$NUMAPLACE" ]; then
	tap_expect "numaplace --version runs in the guest" \
		"numaplace" "$("$NUMAPLACE" --version 2>&1 | cut -d' ' -f1)"
else
	tap_skip "numaplace runs in the guest" "no numaplace binary in this initramfs"
fi

if [ -x "$NP_VM_BIN/numactl" ]; then
	nodes=$(topo_node_ids)
	tap_expect "numactl --hardware (libnuma) sees every node" \
		"available: $(echo "$nodes" | wc -w) nodes ($(cpulist_compress "$nodes"))" \
		"$("$NP_VM_BIN/numactl" --hardware 2>&1 | head -n 1)"
else
	tap_skip "numactl runs in the guest" "no numactl in this initramfs"
fi

if [ -x "$NP_VM_BIN/numad" ]; then
	tap_check "numad -V runs in the guest" "$NP_VM_BIN/numad" -V
else
	tap_skip "numad runs in the guest" "no numad in this initramfs"
fi
