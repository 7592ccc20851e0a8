# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Helpers for tests that run a private libvirtd (sourced after lib.sh):
# test_libvirt.sh and tests/bench/bench_libvirt.sh. Everything libvirt
# writes lands in a private mount namespace (`unshare -m`) over its own
# /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt,
# /etc/passwd (for the libvirt-qemu user) and /usr/bin/numad, so the host
# is left as it was, even when the test is killed.

LV_URI=qemu:///system

# lv_check: skip unless libvirtd, virtlogd, virsh, QEMU, busybox, cpio and
# unshare are there and a guest kernel can be had. Sets LV_KERNEL.
lv_check() {
	local tool
	[ "$(id -u)" = 0 ] || np_skip "needs root"
	for tool in /usr/sbin/libvirtd /usr/sbin/virtlogd virsh qemu-system-x86_64 \
		unshare cpio gzip; do
		command -v "$tool" >/dev/null ||
			np_skip "$tool not found (scripts/deps.sh installs libvirt-daemon," \
				"libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86)"
	done
	[ -x /bin/busybox ] || np_skip "/bin/busybox not found (busybox-static)"
	# shellcheck disable=SC2034 # read by test_libvirt.sh, which sources this
	LV_KERNEL=$("$NP_SOURCE_DIR/tests/vm/fetch-kernel.sh" \
		"${NP_BUILD_DIR:-$NP_SOURCE_DIR/build}/vm-cache") ||
		np_skip "no guest kernel (tests/vm/fetch-kernel.sh failed)"
}

# lv_initramfs FILE: a busybox initramfs whose init just sleeps.
lv_initramfs() {
	local root
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/proc"
	cp /bin/busybox "$root/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\n' >"$root/init"
	printf 'while :; do /bin/busybox sleep 3600; done\n' >>"$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$1"
	rm -rf "$root"
}

# lv_namespace DIR: (inside the namespace) bind the private libvirt dirs
# under DIR over the real ones, and a private /etc/passwd and /etc/group
# that hold libvirt-qemu. /usr/bin/numad becomes DIR/numad when it is there.
lv_namespace() {
	local d=$1 sub
	mount --make-rprivate /
	for sub in etc run lib log; do
		mkdir -p "$d/$sub"
	done
	mkdir -p "$d/log/qemu" "$d/etc/hooks/qemu.d" /etc/libvirt /var/lib/libvirt \
		/var/log/libvirt /run/libvirt
	cp -a /etc/libvirt/. "$d/etc/" 2>/dev/null
	cat >"$d/etc/qemu.conf" <<-CONF
	security_driver = "none"
	namespaces = [ ]
	user = "root"
	group = "root"
	CONF
	cp /etc/passwd "$d/passwd"
	cp /etc/group "$d/group"
	grep -q '^libvirt-qemu:' "$d/passwd" ||
		echo "libvirt-qemu:x:64055:64055:Libvirt Qemu:/nonexistent:/usr/sbin/nologin" >>"$d/passwd"
	grep -q '^libvirt-qemu:' "$d/group" || echo "libvirt-qemu:x:64055:" >>"$d/group"
	grep -q '^kvm:' "$d/group" || echo "kvm:x:64056:" >>"$d/group"
	mount --bind "$d/etc" /etc/libvirt
	mount --bind "$d/run" /run/libvirt
	mount --bind "$d/lib" /var/lib/libvirt
	mount --bind "$d/log" /var/log/libvirt
	mount --bind "$d/passwd" /etc/passwd
	mount --bind "$d/group" /etc/group
	if [ -e "$d/numad" ]; then
		[ -e /usr/bin/numad ] || np_skip "/usr/bin/numad missing: nothing to bind over"
		mount --bind "$d/numad" /usr/bin/numad
	fi
}

# lv_daemons_start DIR: virtlogd then libvirtd, their PID files in DIR.
lv_daemons_start() {
	local i
	/usr/sbin/virtlogd -d -p "$1/virtlogd.pid" || return 1
	/usr/sbin/libvirtd -d -p "$1/libvirtd.pid" || return 1
	for ((i = 0; i < 300; i++)); do
		virsh -q -c "$LV_URI" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# lv_kill_pidfile FILE: stop the daemon FILE names and wait for it.
lv_kill_pidfile() {
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$1"
}

# lv_daemons_stop DIR: every running domain destroyed, then the daemons.
lv_daemons_stop() {
	local dom
	for dom in $(virsh -q -c "$LV_URI" list --name 2>/dev/null); do
		virsh -q -c "$LV_URI" destroy "$dom" >/dev/null 2>&1
	done
	lv_kill_pidfile "$1/libvirtd.pid"
	lv_kill_pidfile "$1/virtlogd.pid"
}

# lv_domain_xml NAME KERNEL INITRD [VCPU_ATTRS]: a 96 MiB, 1 vCPU TCG domain.
lv_domain_xml() {
	cat <<-XML
	<domain type='qemu'>
	  <name>$1</name>
	  <memory unit='MiB'>96</memory>
	  <vcpu${4:+ $4}>1</vcpu>
	  <os>
	    <type arch='x86_64' machine='pc'>hvm</type>
	    <kernel>$2</kernel>
	    <initrd>$3</initrd>
	    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
	  </os>
	  <on_reboot>destroy</on_reboot>
	  <devices>
	    <emulator>/usr/bin/qemu-system-x86_64</emulator>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	XML
}
