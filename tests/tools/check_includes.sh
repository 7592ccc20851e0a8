#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Check that the include graph of core/ and plugin/ has no circle. The graph
# comes from `gcc -MM` on every .c and .h file; a module's file and its
# header are one node (foo.c with foo.h), and so is a module's private
# header (foo_priv.h, foo_internal.h), so "a.c includes b.h while b.c
# includes a.h" is a circle even when each header is guarded.
# Usage: check_includes.sh [SOURCE_DIR]. Exit 0 when there is no circle,
# 1 with one line per circle on stderr otherwise.
set -eu

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

# Edges ("FROM>TO", as printed below) tolerated while a known circle is
# being fixed; none today. Only for such a transition, never to hide a new one.
known_edges=${NP_INCLUDES_KNOWN_EDGES-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

incs=$(find core plugin -type d | sort | sed 's/^/-I/' | tr '\n' ' ')
find core plugin -name '*.[ch]' | sort > "$work/files"
if [ ! -s "$work/files" ]; then
	echo "check_includes: no source file under $src/core or $src/plugin" >&2
	exit 1
fi

# FILE DEPENDENCY for every project file each file includes, directly or not.
while read -r f; do
	# shellcheck disable=SC2086 # $incs is a list of options
	if ! deps=$(gcc -MM -MG $incs -x c "$f" 2> "$work/err"); then
		echo "check_includes: gcc -MM $f: $(head -n 1 "$work/err")" >&2
		exit 1
	fi
	printf '%s\n' "$deps" | sed 's/^[^:]*://; s/\\$//' | tr ' ' '\n' |
		grep -E '^(core|plugin)/' | sed "s|^|$f |" || true
done < "$work/files" > "$work/deps"

# The node of a file: its name without folder, extension or _priv/_internal.
awk -v known="$known_edges" '
	function node(p) {
		sub(/.*\//, "", p); sub(/\.[ch]$/, "", p); sub(/_(priv|internal)$/, "", p)
		return p
	}
	BEGIN { split(known, k, " "); for (i in k) tolerated[k[i]] = 1 }
	{
		a = node($1); b = node($2)
		if (a != b && !((a ">" b) in tolerated))
			print a, b
	}' "$work/deps" | sort -u > "$work/edges"

tsort "$work/edges" > /dev/null 2> "$work/loops" || true
if [ -s "$work/loops" ]; then
	awk '/contains a loop/ { if (c) print c; c = ""; next }
	     { sub(/^tsort: /, ""); c = c (c ? " <-> " : "") $0 }
	     END { if (c) print c }' "$work/loops" |
		sed 's/^/check_includes: include circle: /' >&2
	exit 1
fi
exit 0
