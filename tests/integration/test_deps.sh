#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/deps.sh: `packages` (what the test suite needs, installed by
# scripts/test.sh) holds every package of `build_packages` (what building
# and running need, installed by `deps.sh --build` for the demo and the
# README's install step), and every one of them is a Debian package name
# that apt knows. Nothing is installed.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

deps=$NP_SOURCE_DIR/scripts/deps.sh
# list VAR: the words of VAR="..." in deps.sh, one per line.
list() {
	awk -v var="$1" 'index($0, var "=\"") == 1 { on = 1; sub(/^[^"]*"/, "") }
		on { line = $0; sub(/".*/, "", line); print line; if ($0 ~ /"/) exit }' "$deps" |
		tr -s ' \t' '\n\n' | sed '/^$/d'
}
packages=$(list packages)
build_packages=$(list build_packages)
np_expect "packages lists more than build_packages" yes \
	"$([ "$(wc -l <<<"$packages")" -gt "$(wc -l <<<"$build_packages")" ] && echo yes || echo no)"
for p in $build_packages; do
	if grep -qx -- "$p" <<<"$packages"; then
		np_pass "build package $p is in packages"
	else
		np_fail "build package $p is missing from packages"
	fi
done
# shellcheck disable=SC2086
known=$(apt-cache show --no-all-versions $packages 2>/dev/null | sed -n 's/^Package: //p')
for p in $packages; do
	if grep -qx -- "$p" <<<"$known"; then
		np_pass "apt knows $p"
	else
		np_fail "apt does not know the package $p"
	fi
done
np_run_deps() { sh "$deps" --bogus >/dev/null 2>&1; echo $?; }
np_expect "deps.sh refuses an unknown option" 2 "$(np_run_deps)"
np_done
