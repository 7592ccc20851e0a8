#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# contrib/bash-completion/numaplace, driven as bash drives it (COMP_WORDS,
# COMP_CWORD, then the function): what it offers, and that its commands
# and options are those the built numaplace prints in its --help, so the
# two cannot drift apart.
. "$(dirname "$0")/lib.sh"

# shellcheck source=contrib/bash-completion/numaplace
. "$NP_SOURCE_DIR/contrib/bash-completion/numaplace"
T=$(mktemp -d /tmp/np-completion.XXXXXX)
trap 'rm -rf "$T"' EXIT

# complete LINE: what completing at the end of LINE offers, sorted, one
# line; a LINE ending in a space completes an empty word.
complete_at_end() {
	local line=$1
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	_numaplace numaplace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# The commands `numaplace --help` lists, sorted.
help_commands=$("$NUMAPLACE" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && !/^Commands:/ { print $1 }' |
	sort | tr '\n' ' ' | sed 's/ $//')
np_expect "every command of numaplace --help, nothing else" "$help_commands" "$(complete_at_end "numaplace ")"
np_expect "a command's prefix" "reconcile release reserve" "$(complete_at_end "numaplace re")"
np_expect "after global options" "release" "$(complete_at_end "numaplace --json --state-dir /x rel")"
np_expect "the global options" "--config --help --json --state-dir --topology --version" \
	"$(complete_at_end "numaplace --")"

# Each command's own options are the ones its --help usage line shows.
for cmd in $help_commands; do
	want=$("$NUMAPLACE" "$cmd" --help | sed -n 's/^Usage: numaplace \[GLOBAL OPTIONS\] //p' |
		grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ')
	got=$(complete_at_end "numaplace $cmd --" | tr ' ' '\n' |
		grep -v -x -e --config -e --topology -e --state-dir -e --json -e --help -e --version |
		sort -u | tr '\n' ' ')
	np_expect "$cmd: the options of its usage line" "$want" "$got"
done

mkdir -p "$T/state" "$T/other"
touch "$T/state/web1.json" "$T/state/db2.json" "$T/state/.lock" "$T/state/.generation" \
	"$T/state/.corrupt.old.json" "$T/state/.web1.json.tmp" "$T/other/far.json" "$T/np.conf"
np_expect "release: the guests of --state-dir DIR" "db2 web1" \
	"$(complete_at_end "numaplace --state-dir $T/state release ")"
np_expect "release: --state-dir=DIR after the command" "web1" \
	"$(complete_at_end "numaplace release --state-dir=$T/state w")"
np_expect "release: \$NUMAPLACE_STATE_DIR" "far" \
	"$(NUMAPLACE_STATE_DIR=$T/other complete_at_end "numaplace release ")"
np_expect "release: one guest only" "" "$(complete_at_end "numaplace --state-dir $T/state release web1 ")"
np_expect "place: a PID second" "$$" \
	"$(complete_at_end "numaplace place web1 $$" | tr ' ' '\n' | grep -x "$$")"
np_expect "cpulist --dialect" "kernel libvirt" "$(complete_at_end "numaplace cpulist --dialect ")"
np_expect "hook" "libvirt lxc oci" "$(complete_at_end "numaplace hook ")"
np_expect "no guess for a size" "" "$(complete_at_end "numaplace advise web1 --memory ")"
np_expect "--config: files" "$T/np.conf" "$(complete_at_end "numaplace --config $T/np.c")"
np_expect "--state-dir: directories" "$T/state" "$(complete_at_end "numaplace --state-dir $T/st")"
np_expect "run -- : a command" "true" \
	"$(complete_at_end "numaplace run --vcpus 2 -- tru" | tr ' ' '\n' | grep -x true)"
np_expect "numaplace -- : a command" "true" \
	"$(complete_at_end "numaplace -- tru" | tr ' ' '\n' | grep -x true)"
np_expect "run -- CMD then files" "$T/np.conf" "$(complete_at_end "numaplace run -- cat $T/np.")"

# Installed where bash-completion looks for it on demand.
cmake --install "$NP_BUILD_DIR" --prefix "$T/inst" >/dev/null 2>&1
np_expect "installed as share/bash-completion/completions/numaplace" "same" \
	"$(cmp -s "$NP_SOURCE_DIR/contrib/bash-completion/numaplace" \
		"$T/inst/share/bash-completion/completions/numaplace" && echo same)"
np_done
