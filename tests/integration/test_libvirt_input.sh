#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `numaplace hook libvirt` and `numaplace numad` given bad input, without
# libvirt: garbage, empty or <vcpu>-less domain XML, bad numad arguments, a
# missing QEMU PID file at started. Each ends with its exit code (2 input,
# 1 runtime), exactly one `numaplace:` line on stderr, nothing on stdout
# and no record left. Also: other stages exit 0 silently, a name that is
# not a guest name goes by the UUID, a name another front end holds is
# refused, and advisor = numad never runs numaplace itself.
. "${NP_SOURCE_DIR:?}/tests/integration/lib.sh"

np_sandbox np-lvin
conf=$NP_T/np.conf
printf '[placement]\ncgroup-parent = %s\ncpu-overcommit = 64\n' "$NP_PARENT" >"$conf"
export NUMAPLACE_CONFIG=$conf NUMAPLACE_STATE_DIR=$NP_STATE
export NUMAPLACE_LIBVIRT_RUN_DIR=$NP_T/run
mkdir -p "$NP_T/run"
uuid=0b5e4c1a-9f2d-4e8b-a7c6-3d1f0e2b9a84
dom() { # NAME [VCPU_ELEMENT]
	printf "<domain type='qemu'><name>%s</name><uuid>%s</uuid>" "$1" "$uuid"
	printf "<memory unit='MiB'>96</memory>%s</domain>" "${2-<vcpu>1</vcpu>}"
}
records() { (cd "$NP_STATE" 2>/dev/null && ls -- *.json 2>/dev/null | paste -sd' '); }

# row DESC RC STDIN ARGS...: one bad call.
row() {
	local desc=$1 rc=$2 in=$3 lines
	shift 3
	np_run "$@" <<<"$in"
	[ -z "$in" ] && np_run "$@" </dev/null
	lines=$(grep -c . <<<"$NP_ERR")
	if [ "$NP_RC" = "$rc" ] && [ "$lines" = 1 ] && [[ $NP_ERR == numaplace:* ]] &&
		[ -z "$NP_OUT" ] && [ -z "$(records)" ]; then
		np_pass "$desc: exit $rc, one line: $NP_ERR"
	else
		np_fail "$desc: exit $NP_RC (want $rc), stdout [$NP_OUT], stderr [$NP_ERR], records [$(records)]"
	fi
}

row "garbage XML at prepare" 2 "<domain><name>x</nam" hook libvirt x prepare begin -
row "not XML at all" 2 $'\x7fELF\x01' hook libvirt x prepare begin -
row "empty XML" 2 "" hook libvirt x prepare begin -
row "not a <domain>" 2 "<network><name>x</name></network>" hook libvirt x prepare begin -
row "no <vcpu> at prepare" 2 "$(dom vm1 "")" hook libvirt vm1 prepare begin -
row "<vcpu> not a number" 2 "$(dom vm1 "<vcpu>two</vcpu>")" hook libvirt vm1 prepare begin -
row "<memory> in an unknown unit" 2 "$(dom vm1 | sed "s/unit='MiB'/unit='parsecs'/")" \
	hook libvirt vm1 prepare begin -
row "a bad cpuset=" 2 "$(dom vm1 "<vcpu cpuset='0-'>1</vcpu>")" hook libvirt vm1 prepare begin -
row "an entity is not expanded" 2 \
	'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain><name>&x;</name></domain>' \
	hook libvirt vm1 prepare begin -
row "missing PID file at started" 1 "$(dom vm1)" hook libvirt vm1 started begin -
row "too few operands" 2 "$(dom vm1)" hook libvirt vm1 prepare
for args in "" "-w" "-w x" "-w 0:10" "-w 1:0" "-w 1:-5" "-w 1:10:3" "-S 0" "-w 1:10 -v"; do
	# shellcheck disable=SC2086
	row "numad $args" 2 "" numad $args
done
ln -s "$NUMAPLACE" "$NP_T/numad"
np_run_numad() { "$NP_T/numad" "$@" >"$NP_T/out" 2>"$NP_T/err"; NP_RC=$?; }
np_run_numad -x
np_expect "run as numad, a bad option exits 2" "2 1" "$NP_RC $(grep -c . "$NP_T/err")"

# Stages numaplace has nothing to do at, and release of what is not there.
for stage in "start begin" "stopped end" "migrate begin" "restore begin" "foo bar"; do
	# shellcheck disable=SC2086
	np_run hook libvirt vm1 $stage - <<<"$(dom vm1)"
	np_expect "stage $stage: exit 0, silent" "0||" "$NP_RC|$NP_OUT|$NP_ERR"
done
np_run hook libvirt vm1 release end - <<<"$(dom vm1)"
np_expect "release of a domain with no record: exit 0, silent" "0||" "$NP_RC|$NP_OUT|$NP_ERR"

# prepare, a numad claim, release: nothing on stdout, nothing left.
np_run hook libvirt vm1 prepare begin - <<<"$(dom vm1)"
np_expect "prepare reserves vm1, silently" "0|||vm1.json" "$NP_RC|$NP_OUT|$NP_ERR|$(records)"
np_expect "the reservation notes numad's request and its front end" "1 96 libvirt false" \
	"$(jq -r '[.numad_vcpus, .numad_mb, .frontend, .claimed] | map(tostring) | join(" ")' \
		"$NP_STATE/vm1.json")"
np_run numad -w 1:96
np_expect "numad -w 1:96 answers with vm1's nodes and claims it" "0 $(jq -r .nodes \
	"$NP_STATE/vm1.json") true" "$NP_RC $NP_OUT $(jq -r .claimed "$NP_STATE/vm1.json")"
np_run numad -w 1:96
np_expect "a second numad -w 1:96 only advises" "0 vm1.json" "$NP_RC $(records)"
np_run hook libvirt vm1 release end - <<<"$(dom vm1)"
np_expect "release end releases vm1" "0|" "$NP_RC|$(records)"

# A domain name that is not a guest name goes by its UUID.
np_run hook libvirt "bad/name" prepare begin - <<<"$(dom "bad/name")"
np_expect "a domain named bad/name is reserved under its UUID" "0|$uuid.json" \
	"$NP_RC|$(records)"
np_run hook libvirt "bad/name" release end - <<<"$(dom "bad/name")"
np_expect "and released under it" "0|" "$NP_RC|$(records)"

# A name another front end holds is refused, and left alone at release.
np_run reserve web1
np_run hook libvirt web1 prepare begin - <<<"$(dom web1)"
np_expect "web1 held by the CLI: prepare exits 1" 1 "$NP_RC"
[[ $NP_ERR == *"held by the cli front end"* ]] && np_pass "it names the holder: $NP_ERR" ||
	np_fail "no holder named: $NP_ERR"
np_run hook libvirt web1 release end - <<<"$(dom web1)"
np_expect "release end leaves the CLI's web1 alone" "0 cli" \
	"$NP_RC $(jq -r .frontend "$NP_STATE/web1.json")"
np_run release web1

# advisor = numad never runs numaplace (a divert would make it loop).
printf '[placement]\nadvisor = numad\nnumad = %s\nfallback = none\n' "$NP_T/numad" >"$NP_T/nd.conf"
np_run --config "$NP_T/nd.conf" advise g1
if [ -x /usr/bin/numad.distrib ]; then
	np_pass "numad.distrib exists: advise used it (exit $NP_RC)"
else
	np_expect "advisor = numad refuses numaplace as numad" 1 "$NP_RC"
	[[ $NP_ERR == *"is numaplace itself"* ]] && np_pass "it says so: $NP_ERR" ||
		np_fail "advise with numaplace as numad: $NP_ERR"
fi
np_done
