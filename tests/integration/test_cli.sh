#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line as a user meets it: `numaplace cpulist`, help, version,
# usage errors and global options on either side of the subcommand.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

# np_lines TEXT: how many lines TEXT has (0 for empty).
np_lines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

# np_expect_usage DESC ARGS...: exit 2, nothing on stdout, one stderr line
# starting "numaplace: ".
np_expect_usage() {
	local desc=$1
	shift
	np_run "$@"
	np_expect "$desc: exit code" 2 "$NP_RC"
	np_expect "$desc: stdout" "" "$NP_OUT"
	np_expect "$desc: one stderr line" 1 "$(np_lines "$NP_ERR")"
	case $NP_ERR in
	"numaplace: "*) np_pass "$desc: stderr prefix" ;;
	*) np_fail "$desc: stderr [$NP_ERR] lacks the numaplace: prefix" ;;
	esac
}

# np_expect_out DESC EXPECTED ARGS...: exit 0, stdout EXPECTED, no stderr.
np_expect_out() {
	local desc=$1 want=$2
	shift 2
	np_run "$@"
	np_expect "$desc: exit code" 0 "$NP_RC"
	np_expect "$desc: stdout" "$want" "$NP_OUT"
	np_expect "$desc: stderr" "" "$NP_ERR"
}

np_expect_out "libvirt exclusion" "0-2,4-7" cpulist '0-7,^3' --dialect libvirt
np_expect_out "libvirt dialect first" "0-2,4-7" cpulist --dialect=libvirt '0-7,^3'
np_expect_out "kernel pattern" "0-1,4-5,8-9,12-13" cpulist '0-15:2/4'
np_expect_out "kernel by name" "0-1,4-5,8-9,12-13" cpulist --dialect kernel '0-15:2/4'
np_expect_out "canonical order" "0-3,8-11" cpulist '11,10,9,8,0-3:1/1,2'
np_expect_out "mask" "0000000f" cpulist --mask 0-3
np_expect_out "mask, two words" "00000001,00000000" cpulist 32 --mask
np_expect_out "mask of the empty set" "00000000" cpulist '' --mask
np_expect_out "sysfs newline" "0-3" cpulist $'0-3\n'

# An empty list prints an empty line: exactly one newline on stdout.
out=$("$NUMAPLACE" cpulist '' | od -An -c | tr -d ' ')
np_expect "empty list prints one newline" '\n' "$out"

np_expect_usage "garbage" cpulist '0-3x'
np_expect "garbage: message" \
	"numaplace: cpulist: invalid cpu list \"0-3x\": unexpected 'x' at position 4, expected ':', ',' or end" \
	"$NP_ERR"
np_expect_usage "past 8191" cpulist 8192
np_expect_usage "libvirt empty" cpulist '' --dialect libvirt
np_expect_usage "libvirt range exclusion" cpulist '^1-3' --dialect libvirt
np_expect_usage "kernel N" cpulist 'N'
np_expect_usage "unknown dialect" cpulist 1 --dialect systemd
np_expect_usage "no list" cpulist
np_expect_usage "two lists" cpulist 1 2
np_expect_usage "unknown cpulist option" cpulist --bogus 1
np_expect_usage "dialect without value" cpulist 1 --dialect

# A hostile list never breaks the one-line rule, and is shown escaped.
np_expect_usage "control bytes" cpulist $'1\n2\e[31m'
case $NP_ERR in
*'"1\n2\x1b[31m"'*) np_pass "control bytes are escaped" ;;
*) np_fail "control bytes not escaped: [$NP_ERR]" ;;
esac

np_run --version
np_expect "--version: exit code" 0 "$NP_RC"
case $NP_OUT in
"numaplace "[0-9]*) np_pass "--version prints numaplace VERSION" ;;
*) np_fail "--version printed [$NP_OUT]" ;;
esac

np_run --help
np_expect "--help: exit code" 0 "$NP_RC"
case $NP_OUT in
*"Usage: numaplace"*"cpulist"*) np_pass "--help lists cpulist" ;;
*) np_fail "--help printed [$NP_OUT]" ;;
esac

np_run cpulist --help
np_expect "cpulist --help: exit code" 0 "$NP_RC"
case $NP_OUT in
*"--dialect"*"--mask"*) np_pass "cpulist --help names its options" ;;
*) np_fail "cpulist --help printed [$NP_OUT]" ;;
esac

np_expect_usage "unknown command" frobnicate
np_expect_usage "unknown global option" --frobnicate cpulist 1
np_expect_usage "no command" --json
np_expect_usage "global option without value" cpulist 1 --state-dir

# Global options stand before or after the subcommand.
json='{"list":"1","mask":"00000002","count":1}'
np_expect_out "--json before" "$json" --json cpulist 1
np_expect_out "--json after" "$json" cpulist 1 --json
np_expect_out "--json with a dialect" '{"list":"0-2,4-7","mask":"000000f7","count":7}' \
	cpulist --json '0-7,^3' --dialect libvirt
np_expect_out "--state-dir= after" "1-2" cpulist 1-2 --state-dir=/nonexistent
np_expect_out "--topology before" "1-2" --topology /nonexistent cpulist 1-2

np_done
