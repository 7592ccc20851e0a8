#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# numaplace check-config: every problem as FILE:LINE on stderr, capped at 50
# lines; exit 0 and `ok` when clean, 2 otherwise; warnings for what this
# machine lacks. Runs against a fixture topology so results do not depend
# on the host.
. "$(dirname "$0")/lib.sh"

TOPO="$NP_FIXTURES/topologies/4n-amd64-8pu.xml"
[ -r "$TOPO" ] || np_skip "fixture $TOPO missing"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CONF="$TMP/numaplace.conf"

check() {
	np_run --topology "$TOPO" --config "$CONF" check-config "$@"
}

# The shipped file and the example drop-in, installed under a .conf name.
cp "$NP_SOURCE_DIR/conf/numaplace.conf" "$CONF"
check
np_expect "shipped config: exit 0" 0 "$NP_RC"
np_expect "shipped config: ok" ok "$NP_OUT"
np_expect "shipped config: nothing on stderr" "" "$NP_ERR"

mkdir "$TMP/numaplace.conf.d"
cp "$NP_SOURCE_DIR/conf/numaplace.conf.d/50-example.conf.sample" "$TMP/numaplace.conf.d/"
check --verbose
np_expect "a .sample drop-in is not read" "; read $CONF" "$(grep '^; read' <<<"$NP_OUT")"
cp "$TMP/numaplace.conf.d/50-example.conf.sample" "$TMP/numaplace.conf.d/50-example.conf"
check --verbose
np_expect "example drop-in as .conf: exit 0" 0 "$NP_RC"
np_expect "example drop-in as .conf: read" "; read $TMP/numaplace.conf.d/50-example.conf" \
	"$(grep '^; read' <<<"$NP_OUT" | tail -n 1)"
np_expect "example drop-in as .conf: ok last" ok "$(tail -n 1 <<<"$NP_OUT")"

# --verbose shows each [placement] value with where it came from.
printf '[placement]\n; a comment\nnumad-timeout = 2s\n' >"$CONF"
check --verbose
np_expect "verbose: origin of a set key" "numad-timeout     = 2s           ; $CONF:3" \
	"$(grep '^numad-timeout' <<<"$NP_OUT")"
np_expect "verbose: built-in default" "lock-timeout      = 30s          ; built-in default" \
	"$(grep '^lock-timeout' <<<"$NP_OUT")"

# A broken drop-in: its file and line, exit 2, no `ok`.
printf '[placement]\nvcpus = 2\n' >"$CONF"
rm -f "$TMP"/numaplace.conf.d/*
printf '[guest web-*]\n\nvcpus = many\n' >"$TMP/numaplace.conf.d/60-bad.conf"
check
np_expect "broken drop-in: exit 2" 2 "$NP_RC"
np_expect "broken drop-in: nothing on stdout" "" "$NP_OUT"
case "$NP_ERR" in
"$TMP/numaplace.conf.d/60-bad.conf:3: vcpus: invalid count \"many\""*) np_pass "broken drop-in: FILE:LINE" ;;
*) np_fail "broken drop-in: FILE:LINE: got [$NP_ERR]" ;;
esac
np_expect "broken drop-in: one line" 1 "$(wc -l <<<"$NP_ERR")"

# Problems of every file in one run, in file order.
printf '[placement]\nvcpus = 2\n[nope]\n' >"$CONF"
check
np_expect "two files: exit 2" 2 "$NP_RC"
np_expect "two files: each problem" "$CONF:3
$TMP/numaplace.conf.d/60-bad.conf:3" "$(cut -d: -f1,2 <<<"$NP_ERR")"

# More than 50 problems: 50 lines, then the count of the rest.
rm -f "$TMP"/numaplace.conf.d/*
{
	echo '[placement]'
	for i in $(seq 1 60); do echo "bogus$i = 1"; done
} >"$CONF"
check
np_expect "60 problems: exit 2" 2 "$NP_RC"
np_expect "60 problems: 51 lines" 51 "$(wc -l <<<"$NP_ERR")"
np_expect "60 problems: first" "$CONF:2: unknown key \"bogus1\"" "$(head -n 1 <<<"$NP_ERR")"
np_expect "60 problems: 50th" "$CONF:51: unknown key \"bogus50\"" "$(sed -n 50p <<<"$NP_ERR")"
np_expect "60 problems: the rest counted" "… and 10 more" "$(tail -n 1 <<<"$NP_ERR")"

# Well-formed, but this 8-CPU, 4-node machine lacks some CPUs and nodes:
# warnings, still ok.
printf '[guest big]\ncpus = 0-15\nmems = 0-5\n' >"$CONF"
check
np_expect "misfit rule: exit 0" 0 "$NP_RC"
np_expect "misfit rule: ok" ok "$NP_OUT"
np_expect "misfit rule: warnings" \
	"$CONF:2: warning: cpus: CPUs 8-15 are not on this machine (it has 0-7); guests this rule matches will fail here
$CONF:3: warning: mems: nodes 4-5 are not on this machine (it has 0-3); guests this rule matches will fail here" \
	"$NP_ERR"

# A named file that does not exist is an error, by option or environment.
check_missing() {
	np_expect "$1: exit 2" 2 "$NP_RC"
	np_expect "$1: says so" "$TMP/missing.conf: cannot open: No such file or directory" "$NP_ERR"
}
np_run --topology "$TOPO" --config "$TMP/missing.conf" check-config
check_missing "--config missing"
NUMAPLACE_CONFIG="$TMP/missing.conf" np_run --topology "$TOPO" check-config
check_missing "NUMAPLACE_CONFIG missing"

# A missing main file with a drop-in directory is fine when not named:
# only the default path is optional, so this is checked through the API
# in tests/unit/test_policy.c. Operands are a usage error.
check extra
np_expect "operand: exit 2" 2 "$NP_RC"

np_done
