#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure and build numaplace into DIR (default: build; a relative DIR is
# below the source tree), passing any further arguments to cmake.
# Usage: scripts/build.sh [DIR] [CMAKE ARGS...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
[ $# -gt 0 ] && shift
case "$dir" in
/*) ;;
*) dir=$top/$dir ;;
esac
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
