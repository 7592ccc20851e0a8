#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the dependencies, build numaplace twice (plain, then with
# AddressSanitizer + UndefinedBehaviorSanitizer) and run the whole test
# suite in both: unit, fuzz-corpus replay, integration on the real cgroups,
# LXC and numad, and (plain build only) the install layout and the emulated
# NUMA machines under QEMU.
# Needs root. NUMAPLACE_REQUIRE_ALL=1 turns every skip into a failure.
# (BUILD_TESTING=ON: the demo may have configured build/ without tests.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/deps.sh

echo "== build (plain) =="
sh scripts/build.sh build -DBUILD_TESTING=ON
echo "== tests (plain) =="
ctest --test-dir build --output-on-failure -LE fuzz

echo "== build (ASan+UBSan) =="
sh scripts/build.sh build-asan -DNUMAPLACE_SANITIZE=ON -DBUILD_TESTING=ON
echo "== tests (ASan+UBSan) =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -LE 'fuzz|vm|install'
