#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the Debian packages numaplace and libnumaplace-dev from a clean copy
# of this tree (the files git tracks, as they are in the work tree), and
# put the .deb files in OUT (default: the top of the tree). Installs the
# build dependencies first (apt-get build-dep). Needs root for apt-get.
# Usage: scripts/package.sh [OUT]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$top}" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null ||
	sed -n '1s/.*(\(.*\)).*/\1/p' "$top/debian/changelog")
work=$(mktemp -d /tmp/numaplace-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/numaplace-$version

echo "package.sh: copying the tracked files to $src"
mkdir "$src"
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$src")

echo "package.sh: installing the build dependencies"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends dpkg-dev debhelper fakeroot >/dev/null
(cd "$src" && apt-get build-dep -y -qq ./ >/dev/null)

echo "package.sh: building (dpkg-buildpackage -b -us -uc; log in $out/numaplace-package.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/numaplace-package.log" 2>&1; then
	tail -n 30 "$out/numaplace-package.log" >&2
	echo "package.sh: the build failed; the whole log is $out/numaplace-package.log" >&2
	exit 1
fi
for deb in "$work"/*.deb; do
	case $deb in *-dbgsym_*) continue ;; esac
	cp "$deb" "$out/"
	echo "package.sh: $out/$(basename "$deb")"
done
