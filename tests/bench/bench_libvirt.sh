#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench_libvirt.sh NUMAPLACE WORK [RUNS]: the time of `virsh start` for one
# 96 MiB, 1 vCPU TCG domain, RUNS times (10 by default) without the
# numaplace qemu hook and RUNS times with it (libvirtd restarted between,
# as hooks are read at its start). Prints the median and the slowest of
# each. libvirtd runs in a private mount and PID namespace as in
# tests/integration/test_libvirt.sh, so nothing of the host changes.
# Not a test: it prints figures and never judges them.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
numaplace=$1 work=$2 runs=${3:-10}

say() { printf '%s\n' "$*"; }
np_skip() { say "  skipped: $*"; exit 0; }
NP_SOURCE_DIR=$src
. "$src/tests/integration/libvirt_lib.sh"

# median_max FILE: "median max" of the numbers in FILE, in ms.
median_max() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.0f ms, max %.0f ms", m, v[NR] }'
}

# starts FILE: RUNS starts and destroys of domain b1, start times into FILE.
starts() {
	local i t0 t1
	: >"$1"
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		virsh -q -c "$LV_URI" start b1 >/dev/null || return 1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000)) >>"$1"
		virsh -q -c "$LV_URI" destroy b1 >/dev/null
	done
}

if [ "${4:-}" != --inner ]; then
	say ""
	say "virsh start, 96 MiB 1 vCPU TCG domain, $runs starts each way:"
	lv_check
	mkdir -p "$work"
	T=$(mktemp -d "$work/bench_libvirt.XXXXXX")
	LV_KERNEL=$LV_KERNEL T=$T unshare -m -p -f --kill-child --mount-proc \
		bash "$0" "$numaplace" "$work" "$runs" --inner
	rc=$?
	rm -rf "$T"
	exit $rc
fi

lv_initramfs "$T/initrd.gz"
lv_namespace "$T/ns"
trap 'lv_daemons_stop "$T"' EXIT
printf '[placement]\n' >"$T/np.conf"
lv_domain_xml b1 "$LV_KERNEL" "$T/initrd.gz" >"$T/b1.xml"
lv_daemons_start "$T" || np_skip "libvirtd did not start"
virsh -q -c "$LV_URI" define "$T/b1.xml" >/dev/null
starts "$T/plain" || np_skip "virsh start failed"
lv_daemons_stop "$T"
cat >/etc/libvirt/hooks/qemu.d/50-numaplace <<SH
#!/bin/sh
export NUMAPLACE_STATE_DIR=$T/state NUMAPLACE_CONFIG=$T/np.conf
exec "$numaplace" hook libvirt "\$@"
SH
chmod 755 /etc/libvirt/hooks/qemu.d/50-numaplace
lv_daemons_start "$T" || np_skip "libvirtd did not start again"
starts "$T/hook" || np_skip "virsh start with the hook failed"
say "  without the hook: $(median_max "$T/plain")"
say "  with the hook:    $(median_max "$T/hook")"
