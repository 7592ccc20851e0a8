#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what numaplace needs on Debian 12. Needs root. Idempotent.
#   sh scripts/deps.sh           everything the whole test suite needs
#   sh scripts/deps.sh --build   only what building and running numaplace need
# libhwloc-plugins is left out on purpose: numaplace and its tests work with
# hwloc's built-in XML reader as well as with its libxml2 plugin.
set -eu

# Everything the test suite needs, building included.
packages="cmake gcc clang make pkg-config git ca-certificates
	libcgroup-dev libnuma-dev libinih-dev libhwloc-dev hwloc libjson-c-dev libxml2-dev
	libcmocka-dev numad numactl cgroup-tools
	groff-base
	debhelper dpkg-dev fakeroot lintian man-db
	lxc busybox-static qemu-system-x86 cpio gzip xz-utils binutils iproute2 procps gnuplot-nox jq
	runc crun shellcheck strace tmux
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
# What building numaplace and running it need (a subset of packages).
build_packages="cmake gcc make pkg-config
	libcgroup-dev libnuma-dev libinih-dev libhwloc-dev libjson-c-dev libxml2-dev"

case "${1:-}" in
--build) list=$build_packages ;;
"") list=$packages ;;
*)
	echo "usage: deps.sh [--build]" >&2
	exit 2
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600
# shellcheck disable=SC2086
apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends $list >/dev/null
