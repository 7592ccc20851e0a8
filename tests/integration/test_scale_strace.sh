#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Decisions cost the same with 1,000 guests as with none (issue 21,
# docs/contract.md "State": `advise`, `reserve` and `place` read the ledger
# summary, not every record), counted exactly with strace rather than
# timed: on the 64-node capture,
#  - `advise` and `reserve` make as many openat calls with 1,000 guests in
#    the ledger as with none, give or take 4;
#  - neither opens another guest's NAME.json;
#  - `status` (which reads the records themselves) opens each NAME.json
#    once, not once per guest.
# The 1,000 guests are made by real `reserve` calls (1-4 vCPUs each).
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

N=1000
SLACK=4
command -v jq >/dev/null || np_skip "jq is not installed"
command -v strace >/dev/null || np_skip "strace is not installed (scripts/deps.sh installs it)"
strace -f -o /dev/null true 2>/dev/null || np_skip "strace cannot trace here (ptrace refused)"
T=$(mktemp -d /tmp/np-scale-strace.XXXXXX)
trap 'rm -rf "$T"' EXIT
NP_STATE=$T/state
topo=$NP_FIXTURES/topologies/64n-synthetic-asym.xml
conf=$T/np.conf
printf '[placement]\ncpu-overcommit = 100\n' >"$conf"

declare -A ADVISE=() RESERVE=()
np() { "$NUMAPLACE" --topology "$topo" --config "$conf" --state-dir "$NP_STATE" "$@"; }

# np_trace OUT ARGS...: run numaplace ARGS under strace, the openat calls
# into OUT; prints numaplace's exit code (and when not 0, its stderr's first
# line). LeakSanitizer (of an ASan build) does not work under ptrace:
# leaks are looked for by the other tests, not here.
np_trace() {
	local out=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat -o "$out" \
		"$NUMAPLACE" --topology "$topo" --config "$conf" --state-dir "$NP_STATE" "$@" \
		>/dev/null 2>"$out.err"
	local rc=$?
	[ "$rc" = 0 ] && echo 0 || echo "$rc $(head -n 1 "$out.err")"
}

# np_opens FILE: how many openat calls FILE holds.
np_opens() { grep -c 'openat(' "$1"; }

# np_other_records FILE SELF: the records other than SELF's that FILE
# shows opened, one per line.
np_other_records() {
	grep -o '"[^"/]*\.json"' "$1" | tr -d '"' | grep -vx "$2\.json"
}

# np_measure TAG: advise and reserve of guest `probe` under strace, the
# counts in ADVISE[TAG] and RESERVE[TAG]; the reservation is released after.
np_measure() {
	local tag=$1
	np_expect "$tag: advise probe" 0 "$(np_trace "$T/advise.$tag" advise probe --vcpus 2)"
	np_expect "$tag: reserve probe" 0 "$(np_trace "$T/reserve.$tag" reserve probe --vcpus 2)"
	np release probe
	ADVISE[$tag]=$(np_opens "$T/advise.$tag")
	RESERVE[$tag]=$(np_opens "$T/reserve.$tag")
	np_expect "$tag: advise opens no other guest's record" "" \
		"$(np_other_records "$T/advise.$tag" probe | head -3 | tr '\n' ' ')"
	np_expect "$tag: reserve opens no other guest's record" "" \
		"$(np_other_records "$T/reserve.$tag" probe | head -3 | tr '\n' ' ')"
}

echo "# 1. no guests (a ledger that had one: its files are there)"
np reserve first >/dev/null && np release first
np_measure none
echo "# advise: ${ADVISE[none]} openat calls, reserve: ${RESERVE[none]}"
[ "${ADVISE[none]}" -gt 0 ] && [ "${RESERVE[none]}" -gt 0 ] && np_pass "strace counted the calls" ||
	np_fail "strace counted no openat call: $(cat "$T/advise.none.err")"

echo "# ${SECONDS}s 2. $N guests, each by a real reserve"
bad=0
for ((i = 1; i <= N; i++)); do
	np reserve "$(printf 'g%04d' "$i")" --vcpus $((i % 4 + 1)) >/dev/null || bad=$((bad + 1))
done
echo "# ${SECONDS}s reserved"
np_expect "every reserve worked" 0 "$bad"
np_expect "records" "$N" "$(find "$NP_STATE" -maxdepth 1 -name '*.json' | wc -l)"
np_expect "the summary says what the records say" consistent "$(np_summary_consistent)"
np_measure many
echo "# advise: ${ADVISE[many]} openat calls, reserve: ${RESERVE[many]} (with none: ${ADVISE[none]}, ${RESERVE[none]})"
np_expect "advise with $N guests opens at most $SLACK more files than with none" yes \
	"$([ "${ADVISE[many]}" -le $((ADVISE[none] + SLACK)) ] && echo yes)"
np_expect "reserve with $N guests opens at most $SLACK more files than with none" yes \
	"$([ "${RESERVE[many]}" -le $((RESERVE[none] + SLACK)) ] && echo yes)"

echo "# 3. status reads each record once"
np_expect "status" 0 "$(np_trace "$T/status" status)"
opened=$(grep -o '"g[0-9]*\.json"' "$T/status" | sort | uniq -c | sort -rn)
np_expect "status opens every record" "$N" "$(grep -c . <<<"$opened")"
np_expect "status opens none twice" 1 "$(head -n 1 <<<"$opened" | awk '{ print $1 }')"
np_done
