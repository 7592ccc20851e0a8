#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run `shellcheck -S warning` over every shell file of the tree: the tests
# (tests/**/*.sh), scripts/*.sh, the bash completion and the Debian
# maintainer scripts. Each carries a shebang or a `shellcheck shell=`
# directive, which shellcheck checks too.
# Usage: check_shell.sh [SOURCE_DIR]. Exit 0 when all pass, 1 otherwise,
# 77 (skip) without shellcheck unless NUMAPLACE_REQUIRE_ALL=1.
set -eu

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

if ! command -v shellcheck >/dev/null 2>&1; then
	echo "check_shell: shellcheck not found (scripts/deps.sh installs it)" >&2
	[ "${NUMAPLACE_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi

files=$({
	find tests -name '*.sh'
	find scripts -maxdepth 1 -name '*.sh'
	find contrib/bash-completion -type f
	find debian -maxdepth 1 \( -name '*.postinst' -o -name '*.postrm' \
		-o -name '*.preinst' -o -name '*.prerm' \)
} 2>/dev/null | sort)
if [ -z "$files" ]; then
	echo "check_shell: no shell file under $src" >&2
	exit 1
fi
# shellcheck disable=SC2086 # one word per file; the tree's names hold no blank
shellcheck -S warning $files
