#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what numaplace needs to build and to run its whole test suite on
# Debian 12. Needs root. Idempotent.
set -eu

packages="cmake gcc clang make pkg-config git ca-certificates
	libcgroup-dev libnuma-dev libinih-dev libhwloc-dev hwloc libjson-c-dev
	libcmocka-dev numad numactl cgroup-tools
	lxc busybox-static qemu-system-x86 cpio gzip xz-utils binutils iproute2 procps gnuplot-nox jq runc crun"

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
