#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fetch-kernel.sh CACHE_DIR: print the path of a Debian 6.1 kernel image
# for the VM tests, fetching it into CACHE_DIR the first time.
#
# The kernel package is downloaded (`apt-get download`, no root needed, never
# installed) and only ./boot/vmlinuz-* is extracted from it. Its XZ payload
# is then unpacked once into vmlinux-* (an ELF image QEMU boots through its
# PVH entry point), which saves the guest ~3 s of decompression under TCG
# at every boot; when that is not possible the vmlinuz is printed instead.
# Images already in CACHE_DIR are reused. Concurrent callers serialise on
# CACHE_DIR/.lock.
# Exit 0 with the path on stdout; 1 with the reason on stderr when the
# kernel cannot be had (no apt, no package lists, offline).
set -euo pipefail

die() {
	echo "fetch-kernel: $*" >&2
	exit 1
}

# The newest vmlinuz already in the cache, or nothing.
cached_kernel() {
	find "$1" -maxdepth 1 -name 'vmlinuz-*' -type f | sort -V | tail -n 1
}

# The package linux-image-amd64 depends on (the current ABI), else the
# highest-numbered linux-image-6.1.0-N-amd64 apt knows.
kernel_package() {
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\.0-[0-9]+-amd64$/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
			awk '{ print $1 }' | sort -V | tail -n 1)
	fi
	[ -n "$pkg" ] || die "apt knows no linux-image-6.1.0-*-amd64 package (run apt-get update?)"
	echo "$pkg"
}

# Download PKG into WORK and move its vmlinuz into CACHE.
fetch_into() {
	local cache=$1 work=$2 pkg=$3 deb
	local -a aptopts=()

	# apt drops to user _apt for downloads, which cannot write a private
	# temporary directory; as root, download as root instead.
	[ "$(id -u)" = 0 ] && aptopts=(-o APT::Sandbox::User=root)
	(cd "$work" && apt-get "${aptopts[@]}" -q download "$pkg" >&2) ||
		die "apt-get download $pkg failed"
	deb=$(find "$work" -maxdepth 1 -name '*.deb' | head -n 1)
	[ -n "$deb" ] || die "apt-get download $pkg left no .deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' ||
		die "no ./boot/vmlinuz-* in $deb"
	for img in "$work"/boot/vmlinuz-*; do
		mv "$img" "$cache/"
	done
}

# unpack_vmlinux VMLINUZ VMLINUX: write the ELF kernel inside the bzImage
# VMLINUZ to VMLINUX when it is XZ-compressed and has a PVH entry note
# (Xen ELF note type 18, XEN_ELFNOTE_PHYS32_ENTRY); fail otherwise.
unpack_vmlinux() {
	local off tmp=$2.tmp
	command -v xz >/dev/null && command -v readelf >/dev/null || return 1
	off=$(grep -abo -m 1 $'\xfd7zXZ' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	# xz stops after the payload, so tail may die of SIGPIPE: not a failure.
	if xz -dc --single-stream <(tail -c +$((off + 1)) "$1") >"$tmp" 2>/dev/null &&
		readelf -n "$tmp" 2>/dev/null | grep -Eq '^[[:space:]]+Xen[[:space:]].*(0x00000012|PHYS32_ENTRY)'; then
		mv "$tmp" "$2"
		return 0
	fi
	rm -f "$tmp"
	return 1
}

main() {
	[ $# -eq 1 ] || die "usage: fetch-kernel.sh CACHE_DIR"
	local cache=$1 kernel pkg

	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/.lock"
	flock 9
	kernel=$(cached_kernel "$cache")
	if [ -z "$kernel" ]; then
		if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
			die "apt-get and dpkg-deb are needed to fetch the kernel"
		fi
		pkg=$(kernel_package)
		FETCH_WORK=$(mktemp -d "$cache/.fetch.XXXXXX")
		trap 'rm -rf "$FETCH_WORK"' EXIT
		fetch_into "$cache" "$FETCH_WORK" "$pkg"
		kernel=$(cached_kernel "$cache")
	fi
	[ -n "$kernel" ] || die "no kernel image in $cache"
	local elf=$cache/vmlinux-${kernel##*/vmlinuz-}
	if [ -f "$elf" ] || unpack_vmlinux "$kernel" "$elf"; then
		kernel=$elf
	fi
	echo "$kernel"
}

main "$@"
