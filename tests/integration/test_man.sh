#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages: numaplace(1) and numaplace.conf(5) format with no warning
# under `groff -man -ww` (for a terminal, plain ASCII and PostScript);
# numaplace(1) names every command and every option that `numaplace --help`
# and `numaplace COMMAND --help` list, and every exit code; numaplace.conf(5)
# names every key of the shipped policy and both kinds of section.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

MAN=$NP_SOURCE_DIR/docs/man
command -v groff >/dev/null || np_skip "groff is not installed (package groff-base)"

for page in numaplace.1 numaplace.conf.5; do
	for device in utf8 ascii ps; do
		warnings=$(groff -man -ww -T"$device" -z "$MAN/$page" 2>&1)
		np_expect "$page: groff -man -ww -T$device: no warning" "" "$warnings"
	done
done

# mentions PAGE WORD: whether the page's source spells WORD (groff escapes
# the hyphens of options and names as \-).
mentions() {
	grep -qF -- "${2//-/\\-}" "$MAN/$1"
}

np_run --help
commands=$(awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' <<<"$NP_OUT")
[ -n "$commands" ] || np_fail "numaplace --help lists no command"
options=$(grep -o -- '--[a-z][a-z-]*' <<<"$NP_OUT")
for cmd in $commands; do
	if grep -qE "^\.(B|BR|BI) \"?${cmd//-/\\\\-}( |\"|$)" "$MAN/numaplace.1"; then
		np_pass "numaplace.1: command $cmd"
	else
		np_fail "numaplace.1: no entry for the command $cmd"
	fi
	np_run "$cmd" --help
	options+=$'\n'$(grep -o -- '--[a-z][a-z-]*' <<<"$NP_OUT")
done
for option in $(sort -u <<<"$options"); do
	if mentions numaplace.1 "$option"; then
		np_pass "numaplace.1: option $option"
	else
		np_fail "numaplace.1: the option $option is not documented"
	fi
done
for word in NUMAPLACE_CONFIG NUMAPLACE_TOPOLOGY NUMAPLACE_STATE_DIR SI_KERNEL 125 126 127 \
	"EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
	if mentions numaplace.1 "$word"; then
		np_pass "numaplace.1: $word"
	else
		np_fail "numaplace.1: $word is missing"
	fi
done

keys=$(sed -n 's/^#\([a-z][a-z-]*\) = .*/\1/p' "$NP_SOURCE_DIR/conf/numaplace.conf" | sort -u)
[ "$(wc -l <<<"$keys")" -ge 17 ] || np_fail "the shipped policy shows fewer than 17 keys: [$keys]"
for key in $keys; do
	if grep -qE "^\.(BI|BR) ${key//-/\\\\-} " "$MAN/numaplace.conf.5"; then
		np_pass "numaplace.conf.5: key $key"
	else
		np_fail "numaplace.conf.5: the key $key has no entry"
	fi
done
for word in "[placement]" "[guest " "RULE MATCHING" numaplace.conf.d .conf.sample; do
	if mentions numaplace.conf.5 "$word"; then
		np_pass "numaplace.conf.5: $word"
	else
		np_fail "numaplace.conf.5: $word is missing"
	fi
done
np_done
