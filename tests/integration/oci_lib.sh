#!/bin/bash
# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the OCI runtime tests (sourced after lib.sh):
# a busybox bundle per container, the numaplace hooks in its config.json,
# and a cleanup that deletes the test's containers and their groups in
# every hierarchy the runtime made them in.

# oci_sandbox RUNTIME NAME: np_sandbox NAME, with the runtime's containers
# and groups (OCI_RUNTIME) cleaned up at exit too.
oci_sandbox() {
	command -v "$1" >/dev/null || np_skip "$1 is not installed"
	np_sandbox "$2"
	OCI_RUNTIME=$1
	trap oci_cleanup EXIT
}

# oci_rootfs DIR: a rootfs holding /bin/busybox and its sh, grep, sleep.
oci_rootfs() {
	local tool
	mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/sys"
	cp /bin/busybox "$1/bin/busybox"
	for tool in sh grep sleep cat; do
		ln -sf busybox "$1/bin/$tool"
	done
}

# oci_bundle RUNTIME ID [ANNOTATIONS_JSON]: make $NP_T/bundles/ID from
# `RUNTIME spec`, terminal false, in the group /$NP_TOP/ID, running a
# script that prints its own /proc/self/status and cgroup lines and then
# sleeps; the numaplace hooks at createRuntime and poststop.
oci_bundle() {
	local dir=$NP_T/bundles/$2 env
	mkdir -p "$dir"
	oci_rootfs "$dir/rootfs"
	(cd "$dir" && "$1" spec)
	env=$(jq -cn --arg c "$NP_T/np.conf" --arg s "$NP_STATE" \
		'["NUMAPLACE_CONFIG=" + $c, "NUMAPLACE_STATE_DIR=" + $s, "PATH=/usr/bin:/bin"]')
	jq --arg top "/$NP_TOP/$2" --arg np "$NUMAPLACE" --argjson env "$env" \
		--argjson ann "${3:-{\}}" '
		.process.terminal = false |
		.process.args = ["/bin/sh", "-c",
			"grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status; grep -E \"^[0-9]+:(cpuset)?:\" /proc/self/cgroup; echo ready; exec sleep 600"] |
		.linux.cgroupsPath = $top |
		.annotations = $ann |
		.hooks = {
			createRuntime: [{ path: $np, args: ["numaplace", "hook", "oci", "create"], env: $env }],
			poststop: [{ path: $np, args: ["numaplace", "hook", "oci", "delete"], env: $env }]
		}' "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# oci_wait_ready FILE: wait (up to 20 s) until the container says ready.
oci_wait_ready() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready$' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# oci_field FILE KEY: the value of "KEY:\tVALUE" the container printed.
oci_field() { sed -n "s/^$2:[[:space:]]*//p" "$1"; }

# oci_cleanup: delete every container of this test, remove the
# groups the runtime left under /$NP_TOP in any hierarchy, then the sandbox.
oci_cleanup() {
	local id dir
	for dir in "$NP_T"/bundles/*; do
		[ -d "$dir" ] || continue
		id=${dir##*/}
		"$OCI_RUNTIME" --root "$NP_T/runtime" delete -f "$id" >/dev/null 2>&1
	done
	for dir in /sys/fs/cgroup/*/"$NP_TOP" /sys/fs/cgroup/"$NP_TOP"; do
		[ -d "$dir" ] && [ "${dir%/*}" != "$NP_CG" ] || continue
		find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	np_sandbox_cleanup
}
