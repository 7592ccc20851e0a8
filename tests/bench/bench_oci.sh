#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench_oci.sh NUMAPLACE WORK [RUNS]: `runc run -d` until `runc state` says
# running, for one busybox container, without and with the numaplace OCI
# hooks (createRuntime and poststop), RUNS times each (10 by default),
# alternating. Prints median and p99 of each. The container runs in a
# group of its own (/np-bench-oci-PID) under a runc root in WORK; both are
# removed at the end, even on failure.
# Not a test: it prints figures and never judges them.
set -u

numaplace=$1 work=$2 runs=${3:-10}
top=np-bench-oci-$$
root=$work/runc-root
state=$work/state-oci
id=np-bench-oci-$$

say() { printf '%s\n' "$*"; }
skip() { say "  skipped: $*"; exit 0; }

cleanup() {
	runc --root "$root" delete -f "$id" >/dev/null 2>&1
	find /sys/fs/cgroup -maxdepth 2 -type d -name "$top" -exec rmdir {} + 2>/dev/null
	return 0
}
trap cleanup EXIT

say ""
say "runc run -d to running, busybox container, $runs starts each way:"
[ "$(id -u)" = 0 ] || skip "runc needs root"
for tool in runc jq busybox; do
	command -v "$tool" >/dev/null || skip "$tool is missing (Debian packages runc, jq, busybox-static)"
done

# Two bundles sharing one rootfs: runc's own spec, and the same with the hooks.
make_bundles() {
	local hooks env
	mkdir -p "$work/oci-rootfs/bin" "$work/plain" "$work/hook"
	cp /bin/busybox "$work/oci-rootfs/bin/busybox"
	ln -sf busybox "$work/oci-rootfs/bin/sleep"
	printf '[placement]\n' >"$work/oci.conf"
	(cd "$work/plain" && runc spec) || return 1
	env=$(jq -cn --arg c "$work/oci.conf" --arg s "$state" \
		'["NUMAPLACE_CONFIG=" + $c, "NUMAPLACE_STATE_DIR=" + $s]')
	jq --arg r "$work/oci-rootfs" --arg cg "/$top/$id" '.process.terminal = false |
		.process.args = ["/bin/sleep", "600"] | .root.path = $r | .linux.cgroupsPath = $cg' \
		"$work/plain/config.json" >"$work/plain/c" && mv "$work/plain/c" "$work/plain/config.json"
	hooks=$(jq -cn --arg np "$numaplace" --argjson env "$env" '{
		createRuntime: [{ path: $np, args: ["numaplace", "hook", "oci", "create"], env: $env }],
		poststop: [{ path: $np, args: ["numaplace", "hook", "oci", "delete"], env: $env }] }')
	jq --argjson h "$hooks" '.hooks = $h' "$work/plain/config.json" >"$work/hook/config.json"
}

# One start of bundle MODE; prints the microseconds to running.
start_once() {
	local t0 t1
	t0=$EPOCHREALTIME
	runc --root "$root" run -d --bundle "$work/$1" "$id" </dev/null >"$work/oci-$1.log" 2>&1 || return 1
	[ "$(runc --root "$root" state "$id" | jq -r .status)" = running ] || return 1
	t1=$EPOCHREALTIME
	echo $(( ${t1/./} - ${t0/./} ))
}

# median and p99 (nearest rank) of the numbers on stdin, one a line.
figures() {
	sort -n | awk '{ v[NR] = $1 } END { r = int(NR * 0.99 + 0.999); if (r > NR) r = NR
		printf "%d %d %d", v[int((NR + 1) / 2)], v[r], NR }'
}

make_bundles || skip "runc spec failed"
: >"$work/oci-plain.us"
: >"$work/oci-hook.us"
for ((i = 0; i < runs; i++)); do
	for mode in plain hook; do
		us=$(start_once "$mode") || { say "  failed: runc run ($mode): $(tail -n 2 "$work/oci-$mode.log")"; exit 1; }
		if [ "$mode" = hook ] && [ ! -e "$state/$id.json" ]; then
			say "  failed: the container runs but the hook reserved nothing in $state"
			exit 1
		fi
		echo "$us" >>"$work/oci-$mode.us"
		runc --root "$root" delete -f "$id" >/dev/null 2>&1
	done
done
for mode in plain hook; do
	read -r median p99 n < <(figures <"$work/oci-$mode.us")
	printf '  %-10s %3s runs  median %8.1f ms  p99 %8.1f ms\n' "$mode" "$n" \
		"${median}e-3" "${p99}e-3"
done
[ -e "$state/$id.json" ] && say "  warning: runc delete left the reservation in $state"
exit 0
