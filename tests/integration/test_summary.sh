#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ledger summary STATE/.summary is never trusted when it should not be
# (docs/contract.md "State", core/ledger/ledger_summary.h). On the 4-node
# capture every CPU is held by an exclusive guest (x1..x8), so a summary
# that leaves one of them out would hand its CPU to another guest. For
# each way of damaging it: missing, torn, one byte garbled, of another
# generation (a stale copy put back), of another format version, with the
# wrong guest count, with its lines out of order, a directory, a symbolic
# link:
#  - the damaged summary lies where it can (x8 left out, or x8's exclusive
#    CPU named wrong), and a control shows that the same lie with a right
#    header is believed, so the lie matters;
#  - `advise` (no lock) decides from the records and leaves the file as
#    it was; `reserve` decides from the records and leaves the summary
#    consistent with them (np_summary_consistent);
#  - lines out of order: a `release` through them still frees the CPU.
# On the live machine (reconcile refuses captures), for each damage
# `reconcile` says "rebuilt the ledger summary" and leaves it consistent,
# a second one says nothing of it, and a stray .summary.tmp (what a kill
# while writing the summary leaves) is swept.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

command -v jq >/dev/null || np_skip "jq is not installed"
command -v od >/dev/null || np_skip "od is not installed"
T=$(mktemp -d /tmp/np-summary.XXXXXX)
trap 'rm -rf "$T"' EXIT
topo=$NP_FIXTURES/topologies/4n-amd64-8pu.xml
conf=$T/np.conf
printf '[placement]\ncpu-overcommit = 1\n[guest x*]\nexclusive = yes\n' >"$conf"

np() { "$NUMAPLACE" --topology "$topo" --config "$conf" --state-dir "$NP_STATE" "$@"; }
npr() { np_run --topology "$topo" --config "$conf" --state-dir "$NP_STATE" "$@"; }

# np_sum_hash: the summary's checksum of stdin (np_sum_hash() in
# core/ledger/ledger_summary.c: 8 bytes at a time, little-endian words),
# as 16 hex digits. Bash arithmetic wraps at 64 bits like uint64_t; the
# shifts are made logical by masking.
np_sum_hash() {
	local -a b
	local k=$((0x9e3779b97f4a7c15)) h len i j w
	read -r -a b < <(od -An -v -tu1 | tr '\n' ' ')
	len=${#b[@]}
	h=$((len * k))
	for ((i = 0; i + 8 <= len; i += 8)); do
		w=0
		for ((j = 7; j >= 0; j--)); do
			w=$(((w << 8) | b[i + j]))
		done
		h=$(((h ^ w) * k))
		h=$((h ^ ((h >> 29) & 0x7ffffffff)))
	done
	for (( ; i < len; i++)); do
		h=$(((h ^ b[i]) * k))
		h=$((h ^ ((h >> 29) & 0x7ffffffff)))
	done
	printf '%016x\n' "$h"
}

np_gen() { cut -d' ' -f1 "$NP_STATE/.generation"; }

# np_forge VERSION GEN COUNT BODY: a summary of the lines in file BODY with
# this header, its size and checksum right.
np_forge() {
	printf 'numaplace-summary %s %s %s %s %s\n' "$1" "$2" "$3" "$(wc -c <"$4")" \
		"$(np_sum_hash <"$4")"
	cat "$4"
}

# np_look: what STATE/.summary is, to tell whether a command changed it.
np_look() {
	local f=$NP_STATE/.summary
	if [ -L "$f" ]; then
		echo "link to $(readlink "$f")"
	elif [ -d "$f" ]; then
		echo "directory"
	elif [ -f "$f" ]; then
		echo "file $(md5sum <"$f")"
	else
		echo "missing"
	fi
}

# np_fill CASE: a fresh state dir for CASE holding x1..x8, one exclusive
# CPU each (the capture's 8), and in $T/CASE.good its summary.
np_fill() {
	local i bad=0
	NP_STATE=$T/$1
	for ((i = 1; i <= 8; i++)); do
		np reserve "x$i" >/dev/null || bad=$((bad + 1))
	done
	np_expect "$1: x1..x8 reserved" 0 "$bad"
	cp "$NP_STATE/.summary" "$T/$1.good"
}

# np_lie CASE: into $T/CASE.lie the good summary's lines without x8's.
np_lie() {
	tail -n +2 "$T/$1.good" | grep -v '^x8 ' >"$T/$1.lie"
}

# np_exclusive_once: no CPU is in two records' exclusive CPUs.
np_exclusive_once() {
	local x c twice=0
	declare -A held=()
	for x in $(jq -r '.exclusive' "$NP_STATE"/*.json); do
		np_expand "$x"
		for c in "${NP_LIST[@]}"; do
			[ -n "${held[$c]:-}" ] && twice=$((twice + 1))
			held[$c]=1
		done
	done
	echo "$twice"
}

# np_not_fooled CASE: with the damaged summary in place, advise and
# reserve x9 find no CPU (the records hold them all); advise leaves the
# file as it was, reserve leaves the summary consistent (a directory in
# its place is moved aside as .corrupt.summary).
np_not_fooled() {
	local before
	before=$(np_look)
	npr advise x9
	np_expect "$1: advise x9 decides from the records: no fit" "1 no fit" \
		"$NP_RC $([[ $NP_ERR == "numaplace: advise: "*"no fit"* ]] && echo no fit)"
	np_expect "$1: advise leaves the summary as it was" "$before" "$(np_look)"
	npr reserve x9
	np_expect "$1: reserve x9 decides from the records: no fit" "1 no fit" \
		"$NP_RC $([[ $NP_ERR == "numaplace: reserve: "*"no fit"* ]] && echo no fit)"
	np_expect "$1: no record for x9" no "$([ -e "$NP_STATE/x9.json" ] && echo yes || echo no)"
	np_expect "$1: no exclusive CPU held twice" 0 "$(np_exclusive_once)"
	np_expect "$1: reserve leaves the summary consistent" consistent "$(np_summary_consistent)"
	if [ "$1" = directory ]; then
		np_expect "$1: the directory is moved aside" yes \
			"$([ -d "$NP_STATE/.corrupt.summary" ] && echo yes)"
		rmdir "$NP_STATE/.corrupt.summary"
	fi
	np_expect "$1: no temporary file left" "" "$(find "$NP_STATE" -maxdepth 1 -name "*.tmp")"
}

echo "# 1. the lies matter: a summary with a right header is believed"
np_fill control
np_lie control
np_expect "the test's checksum is numaplace's" \
	"$(head -n 1 "$T/control.good" | cut -d' ' -f6)" "$(tail -n +2 "$T/control.good" | np_sum_hash)"
np_forge 1 "$(np_gen)" 7 "$T/control.lie" >"$NP_STATE/.summary"
npr advise x9
np_expect "control: without x8's line, advise x9 gets x8's CPU 7" "0 cpus=7 mems=3" \
	"$NP_RC ${NP_OUT% advisor=*}"
tail -n +2 "$T/control.good" | sed 's/^x8 reserved 7 7 /x8 reserved 7 6 /' >"$T/control.garble"
np_forge 1 "$(np_gen)" 8 "$T/control.garble" >"$NP_STATE/.summary"
npr advise x9
np_expect "control: with x8's exclusive CPU garbled 7 -> 6, advise x9 gets CPU 7" \
	"0 cpus=7 mems=3" "$NP_RC ${NP_OUT% advisor=*}"

echo "# 2. each damage: advise and reserve decide from the records"
np_fill missing
rm "$NP_STATE/.summary"
np_not_fooled missing

np_fill torn
# Cut in the middle of x8's line: what is left says nothing of x8.
head -c "$(($(stat -c %s "$T/torn.good") - 5))" "$T/torn.good" >"$NP_STATE/.summary"
np_not_fooled torn

np_fill garbled
sed 's/^x8 reserved 7 7 /x8 reserved 7 6 /' "$T/garbled.good" >"$NP_STATE/.summary"
np_expect "garbled: one byte differs" 1 "$(cmp -l "$T/garbled.good" "$NP_STATE/.summary" | wc -l)"
np_not_fooled garbled

np_fill stale
# A copy saved before x8 was reserved, put back: whole, of the generation before.
np release x8 >/dev/null
cp "$NP_STATE/.summary" "$T/stale.old"
np reserve x8 >/dev/null
np_expect "stale: x8 has CPU 7 again" 7 "$(jq -r .exclusive "$NP_STATE/x8.json")"
cp "$T/stale.old" "$NP_STATE/.summary"
np_not_fooled stale

np_fill version
np_lie version
np_forge 2 "$(np_gen)" 7 "$T/version.lie" >"$NP_STATE/.summary"
np_not_fooled version

np_fill count
np_lie count
np_forge 1 "$(np_gen)" 8 "$T/count.lie" >"$NP_STATE/.summary"
np_not_fooled count

np_fill symlink
np_lie symlink
# A well-formed lie, current: trusted if the link were followed.
np_forge 1 "$(np_gen)" 7 "$T/symlink.lie" >"$T/symlink.target"
cp "$T/symlink.target" "$T/symlink.target.was"
rm "$NP_STATE/.summary"
ln -s "$T/symlink.target" "$NP_STATE/.summary"
np_not_fooled symlink
np_expect "symlink: the file it pointed to is untouched" same \
	"$(cmp -s "$T/symlink.target" "$T/symlink.target.was" && echo same)"

np_fill directory
rm "$NP_STATE/.summary"
mkdir "$NP_STATE/.summary"
np_not_fooled directory
npr release x8
np_expect "directory: release works" 0 "$NP_RC"
npr reserve x9
np_expect "directory: reserve x9 then gets x8's CPU 7" "0 cpus=7 mems=3" \
	"$NP_RC ${NP_OUT% advisor=*}"

echo "# 3. lines out of order: a release through them frees the CPU"
np_fill order
# x3's line last: a search by name over the lines misses it, so trusting
# them, release x3 would leave its line and CPU 1 booked for ever.
tail -n +2 "$T/order.good" >"$T/order.body"
{ grep -v "^x3 " "$T/order.body"; grep "^x3 " "$T/order.body"; } >"$T/order.lines"
np_expect "order: the same 8 lines, x3 last" "8 same x3" \
	"$(wc -l <"$T/order.lines") $(LC_ALL=C sort "$T/order.lines" | cmp -s - "$T/order.body" && echo same) $(tail -n 1 "$T/order.lines" | cut -d" " -f1)"
np_forge 1 "$(np_gen)" 8 "$T/order.lines" >"$NP_STATE/.summary"
before=$(np_look)
npr advise x9
np_expect "order: advise x9: no fit" 1 "$NP_RC"
np_expect "order: advise leaves the summary as it was" "$before" "$(np_look)"
npr release x3
np_expect "order: release x3" 0 "$NP_RC"
np_expect "order: release leaves the summary consistent" consistent "$(np_summary_consistent)"
npr advise x9
np_expect "order: advise x9 gets x3's CPU 1" "0 cpus=1 mems=1" "$NP_RC ${NP_OUT% advisor=*}"
npr reserve x9
np_expect "order: reserve x9 gets x3's CPU 1" "0 cpus=1 mems=1" "$NP_RC ${NP_OUT% advisor=*}"
np_expect "order: consistent after" consistent "$(np_summary_consistent)"

echo "# 4. reconcile on the live machine rebuilds a damaged summary, once"
NP_STATE=$T/live
top=np-summary-${T##*.}
live=$T/live.conf
printf '[placement]\ncgroup-parent = %s/numaplace\ncpu-overcommit = 8\n' "$top" >"$live"
lnp() { np_run --config "$live" --state-dir "$NP_STATE" "$@"; }
for g in s1 s2 s3; do
	lnp reserve "$g"
	np_expect "live: reserve $g" 0 "$NP_RC"
done
lnp reconcile
np_expect "live: a first reconcile on a good summary says nothing of it" "0 " \
	"$NP_RC $(grep summary <<<"$NP_OUT$NP_ERR")"
cp "$NP_STATE/.summary" "$T/live.good"
np_lie_live() { tail -n +2 "$T/live.good" | grep -v '^s3 ' >"$T/live.lie"; }

# np_damage HOW: damage the live summary in way HOW.
np_damage() {
	local f=$NP_STATE/.summary
	rm -rf "$f"
	case $1 in
	missing) ;;
	torn) head -c "$(($(stat -c %s "$T/live.good") - 5))" "$T/live.good" >"$f" ;;
	garbled) sed '2s/ reserved / reservex /' "$T/live.good" >"$f" ;;
	stale)
		cp "$T/live.good" "$T/live.old"
		lnp reserve s4 && lnp release s4
		cp "$T/live.old" "$f"
		;;
	version) np_lie_live && np_forge 2 "$(np_gen)" 2 "$T/live.lie" >"$f" ;;
	count) np_lie_live && np_forge 1 "$(np_gen)" 3 "$T/live.lie" >"$f" ;;
	order)
		tail -n +2 "$T/live.good" | LC_ALL=C sort -r >"$T/live.lines"
		np_forge 1 "$(np_gen)" 3 "$T/live.lines" >"$f"
		;;
	lie) np_lie_live && np_forge 1 "$(np_gen)" 2 "$T/live.lie" >"$f" ;;
	symlink) ln -s "$T/live.good" "$f" ;;
	directory) mkdir "$f" ;;
	esac
}

for how in missing torn garbled stale version count order lie symlink directory; do
	np_damage "$how"
	lnp reconcile
	if [ "$how" = directory ]; then
		np_expect "$how: reconcile moves the directory aside" yes \
			"$([ -d "$NP_STATE/.corrupt.summary" ] && echo yes)"
		rmdir "$NP_STATE/.corrupt.summary"
	fi
	np_expect "$how: reconcile says it rebuilt the summary" "0 yes" \
		"$NP_RC $(grep -q '^rebuilt the ledger summary: ' <<<"$NP_OUT" && echo yes)"
	np_expect "$how: consistent after reconcile" consistent "$(np_summary_consistent)"
	lnp reconcile
	np_expect "$how: a second reconcile says nothing of the summary" "0 " \
		"$NP_RC $(grep summary <<<"$NP_OUT$NP_ERR")"
done

echo "# 5. a kill while writing the summary leaves .summary.tmp: reconcile sweeps it"
lnp reserve s5
np_expect "live: reserve s5" 0 "$NP_RC"
# Half a summary, as a write cut short leaves it (a later write through
# the same name would replace it: reconcile comes first).
head -c 40 "$NP_STATE/.summary" >"$NP_STATE/.summary.tmp"
lnp status
np_expect "status works with the stray file" 0 "$NP_RC"
lnp reconcile
np_expect "reconcile removes it" "0 yes" \
	"$NP_RC $(grep -q '^removed 1 temporary file' <<<"$NP_OUT" && echo yes)"
np_expect "no .summary.tmp left" no "$([ -e "$NP_STATE/.summary.tmp" ] && echo yes || echo no)"
np_expect "consistent after the sweep" consistent "$(np_summary_consistent)"
for g in s1 s2 s3 s5; do
	lnp release "$g"
done
np_expect "released: no record left" 0 "$(np_records | wc -l)"
np_expect "released: consistent" consistent "$(np_summary_consistent)"
cg=$(np_cpuset_mount)
np_expect "no group of this run on the machine" no \
	"$([ -n "$cg" ] && [ -e "$cg/$top" ] && echo yes || echo no)"
np_done
