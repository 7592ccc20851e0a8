#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Check the layers of docs/architecture.md on the built objects (nm):
# - a layer uses only symbols defined in itself or in the layers it is
#   built over: core/CMakeLists.txt's np_layer(NAME BELOW...) lines for
#   core/, and for plugin/ common over core, hooks over common, cli and
#   module at the top;
# - no two object files call each other, directly or round a longer circle.
# Usage: check_layers.sh BUILD_DIR [SOURCE_DIR]. Exit 0 when both hold,
# 1 with one line per problem on stderr otherwise, 2 on a usage error.
set -eu

build=${1:-}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "$build" ] || [ ! -d "$build/core" ]; then
	echo "usage: check_layers.sh BUILD_DIR [SOURCE_DIR] (a configured and built tree)" >&2
	exit 2
fi

# Edges ("FROM>TO", as printed below) tolerated while a known circle is
# being fixed; none today. Only for such a transition, never to hide a new one.
known_edges=${NP_LAYERS_KNOWN_EDGES-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# LAYER BELOW... for every layer, from core/CMakeLists.txt plus plugin/.
sed -n 's/^np_layer(\([a-z_]*\)\(.*\))$/\1\2/p' "$src/core/CMakeLists.txt" > "$work/below"
if [ ! -s "$work/below" ]; then
	echo "check_layers: no np_layer() line in $src/core/CMakeLists.txt" >&2
	exit 1
fi
core=$(cut -d' ' -f1 "$work/below" | tr '\n' ' ')
{
	echo "common $core"
	echo "hooks common $core"
	echo "cli hooks common $core"
	echo "module $core"
} >> "$work/below"

# The CMake object directory of a layer, and the source folder its
# objects' paths continue (TOP/FOLDER/FILE.c.o for TOP/FOLDER/FILE.c).
objdir() {
	case $1 in
	common) echo "$build/plugin/CMakeFiles/np_front_common.dir plugin" ;;
	hooks) echo "$build/plugin/CMakeFiles/np_front_hooks.dir plugin" ;;
	cli) echo "$build/plugin/CMakeFiles/numaplace.dir plugin" ;;
	module) echo "$build/plugin/CMakeFiles/numaplace_module.dir plugin" ;;
	*) echo "$build/core/CMakeFiles/np_$1.dir core" ;;
	esac
}

# The objects under DIR whose source still exists below SOURCE_DIR/TOP (a
# renamed file leaves its old object behind in the build tree).
objects() {
	find "$1" -name '*.c.o' 2>/dev/null | sort | while read -r o; do
		rel=${o#"$1"/}
		if [ -f "$src/$2/${rel%.o}" ]; then
			echo "$o"
		fi
	done
}

# D|U LAYER LAYER/FILE SYMBOL for every global symbol defined or used.
for layer in $(cut -d' ' -f1 "$work/below"); do
	# shellcheck disable=SC2046 # two words: the directory and the folder
	set -- $(objdir "$layer")
	dir=$1
	objs=$(objects "$1" "$2")
	if [ -z "$objs" ]; then
		echo "check_layers: layer $layer: no object files under $dir" >&2
		exit 1
	fi
	for o in $objs; do
		f=$layer/$(basename "$o" .c.o)
		nm --defined-only -g "$o" | awk -v l="$layer" -v f="$f" 'NF == 3 { print "D", l, f, $3 }'
		nm -u "$o" | awk -v l="$layer" -v f="$f" '{ print "U", l, f, $2 }'
	done
done > "$work/syms"

awk -v known="$known_edges" '
	FNR == 1 { pass++ }
	pass == 1 { for (i = 2; i <= NF; i++) below[$1, $i] = 1; next }
	pass == 2 { if ($1 == "D") { layer[$4] = $2; file[$4] = $3 }; next }
	$1 == "U" && ($4 in layer) { use[++n] = $2 " " $3 " " $4 }
	END {
		split(known, k, " ")
		for (i in k) tolerated[k[i]] = 1
		bad = 0
		for (i = 1; i <= n; i++) {
			split(use[i], u, " ")
			l = layer[u[3]]; f = file[u[3]]
			if (l != u[1] && !((u[1], l) in below)) {
				printf "check_layers: %s uses %s, defined in %s: layer %s is not below layer %s\n",
				       u[2], u[3], f, l, u[1] > "/dev/stderr"
				bad = 1
			}
			if (f != u[2] && !((u[2] ">" f) in tolerated))
				print u[2], f > "'"$work/edges"'"
		}
		exit bad
	}' "$work/below" "$work/syms" "$work/syms" || status=1

touch "$work/edges"
sort -u "$work/edges" | tsort > /dev/null 2> "$work/loops" || true
if [ -s "$work/loops" ]; then
	# tsort lists each circle's members after a "contains a loop" line.
	awk '/contains a loop/ { if (c) print c; c = ""; next }
	     { sub(/^tsort: /, ""); c = c (c ? " <-> " : "") $0 }
	     END { if (c) print c }' "$work/loops" |
		sed 's/^/check_layers: call circle between files: /' >&2
	status=1
fi
exit "${status:-0}"
