#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# numaplace with a real libvirtd and QEMU (TCG) domains: `hook libvirt`
# as libvirt's qemu.d hook and `numaplace numad` answering libvirt's
# <vcpu placement='auto'> at /usr/bin/numad. The test starts its own
# virtlogd and libvirtd in a private mount and PID namespace (see
# libvirt_lib.sh), so the host keeps its /etc/libvirt, /run/libvirt and
# /usr/bin/numad, and every process the test started dies with it.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/libvirt_lib.sh"

if [ "${1:-}" != --inner ]; then
	lv_check
	command -v jq >/dev/null || np_skip "jq not found"
	NP_CG=$(np_cpuset_mount)
	[ -n "$NP_CG" ] && [ -w "$NP_CG" ] || np_skip "no writable cpuset hierarchy"
	T=$(mktemp -d /tmp/test_libvirt.XXXXXX)
	machine_existed=no
	[ -d "$NP_CG/machine" ] && machine_existed=yes
	before=$(ls -d "$NP_CG"/machine/qemu-* 2>/dev/null)
	# libvirt's groups of this run's domains (not those that were there
	# before); the namespace's processes are gone by now.
	outer_cleanup() {
		local dir
		for dir in "$NP_CG"/machine/qemu-*; do
			[ -d "$dir" ] && ! grep -qxF -- "$dir" <<<"$before" || continue
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		[ "$machine_existed" = no ] && rmdir "$NP_CG/machine" 2>/dev/null
		rm -rf "$T"
	}
	trap outer_cleanup EXIT
	# Killed: unshare goes, and with it (--kill-child) every process of the
	# namespace: libvirtd, virtlogd, QEMU. The mounts were only ever there.
	trap 'kill -9 "$ns" 2>/dev/null; wait "$ns"; exit 1' TERM INT HUP
	LV_KERNEL=$LV_KERNEL T=$T unshare -m -p -f --kill-child --mount-proc \
		bash "$0" --inner &
	ns=$!
	wait "$ns"
	exit $?
fi

NP_CG=$(np_cpuset_mount)
D=$T/ns
STATE=$T/state
CONF=$T/numaplace.conf
mkdir -p "$D"
lv_initramfs "$T/initrd.gz"

cat >"$CONF" <<'CONF'
[guest ex*]
exclusive = yes

[guest au*]
cpu-overcommit = 4
CONF
cat >"$D/numad" <<SH
#!/bin/bash
export NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF
exec -a numad "$NUMAPLACE" "\$@"
SH
chmod 755 "$D/numad"
lv_namespace "$D"
cat >/etc/libvirt/hooks/qemu.d/50-numaplace <<SH
#!/bin/sh
export NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF
exec "$NUMAPLACE" hook libvirt "\$@"
SH
chmod 755 /etc/libvirt/hooks/qemu.d/50-numaplace

trap 'lv_daemons_stop "$T"' EXIT
lv_daemons_start "$T" || { echo "not ok - libvirtd did not start"; exit 1; }

vsh() { virsh -q -c "$LV_URI" "$@"; }

# define NAME [VCPU_ATTRS]
define() {
	lv_domain_xml "$1" "$LV_KERNEL" "$T/initrd.gz" "${2:-}" >"$T/$1.xml"
	vsh define "$T/$1.xml" >/dev/null
}

# rec NAME FIELD: a field of NAME's record ("" when there is none).
rec() {
	[ -f "$STATE/$1.json" ] && jq -r ".$2" "$STATE/$1.json"
}

# threads_cpus NAME: the distinct Cpus_allowed_list of every QEMU thread.
threads_cpus() {
	local pid
	pid=$(cat "/run/libvirt/qemu/$1.pid" 2>/dev/null) || { echo "(not running)"; return; }
	awk '/^Cpus_allowed_list:/ { print $2 }' /proc/"$pid"/task/*/status | sort -u |
		paste -sd' '
}

# check_on_record NAME: every QEMU thread runs on NAME's record cpus.
check_on_record() {
	local cpus
	cpus=$(rec "$1" cpus)
	np_expect "$1: every QEMU thread on its record's cpus" "$cpus" "$(threads_cpus "$1")"
}

records() { (cd "$STATE" 2>/dev/null && ls -- *.json 2>/dev/null | sed 's/\.json$//' | paste -sd' '); }

# --- exclusive domains -------------------------------------------------------
for n in ex1 ex2 ex3; do define "$n"; done
vsh start ex1 >/dev/null
vsh start ex2 >/dev/null
np_expect "ex1 and ex2 are placed by the hook" "placed placed" "$(rec ex1 phase) $(rec ex2 phase)"
np_expect "ex1 holds one exclusive CPU" "$(rec ex1 cpus)" "$(rec ex1 exclusive)"
c1=$(rec ex1 cpus) c2=$(rec ex2 cpus)
if [ "${c1//[0-9]/}" = "" ] && [ "${c2//[0-9]/}" = "" ] && [ "$c1" != "$c2" ]; then
	np_pass "ex1 and ex2 run on different single CPUs ($c1, $c2)"
else
	np_fail "ex1 and ex2 on different single CPUs: got [$c1] [$c2]"
fi
check_on_record ex1
check_on_record ex2
np_expect "ex1's record is made by libvirt" libvirt "$(rec ex1 frontend)"
out=$(vsh start ex3 2>&1)
rc=$?
np_expect "ex3 is refused by virsh start" 1 "$rc"
case $out in
*"no fit"*) np_pass "virsh start ex3 says why: no fit" ;;
*) np_fail "virsh start ex3 does not give the no-fit reason: $out" ;;
esac
np_expect "no record for the refused ex3" "" "$(rec ex3 phase)"
# libvirt ran its release stage after the refused start: the refusal stays.
refusal=$(NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF "$NUMAPLACE" --json status | jq -r '.refused[] | select(.name == "ex3") | .reason')
case $refusal in
*"no fit"*) np_pass "status keeps ex3's refusal after libvirt's release stage" ;;
*) np_fail "status does not show ex3's refusal: [$refusal]" ;;
esac
vsh destroy ex1 >/dev/null
np_expect "ex1's record goes with it" "" "$(rec ex1 phase)"
vsh start ex3 >/dev/null
np_expect "ex3 starts once ex1 is gone" placed "$(rec ex3 phase)"
np_expect "its placement clears the refusal" 0 \
	"$(NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF "$NUMAPLACE" --json status | jq '[.refused[] | select(.name == "ex3")] | length')"
check_on_record ex3
vsh destroy ex2 >/dev/null
vsh destroy ex3 >/dev/null
np_expect "no record is left" "" "$(records)"

# --- a domain that pins its own CPUs: booked, not rewritten ------------------
define pin1 "cpuset='1'"
vsh start pin1 >/dev/null
np_expect "pin1 is booked on its own pinned CPU" "placed 1" "$(rec pin1 phase) $(rec pin1 cpus)"
np_expect "pin1: no cgroup written" null "$(rec pin1 cgroup)"
np_expect "pin1's threads stay where libvirt pinned them" 1 "$(threads_cpus pin1)"
vsh destroy pin1 >/dev/null

# --- a name another front end holds ------------------------------------------
define web1
NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF "$NUMAPLACE" reserve web1 >/dev/null
out=$(vsh start web1 2>&1)
np_expect "web1, held by the CLI, is refused to libvirt" 1 $?
case $out in
*"held by the cli front end"*) np_pass "virsh start web1 names the front end holding it" ;;
*) np_fail "virsh start web1: $out" ;;
esac
np_expect "the CLI keeps its web1" cli "$(rec web1 frontend)"
NUMAPLACE_STATE_DIR=$STATE "$NUMAPLACE" release web1

# --- placement='auto': numaplace answers as numad ----------------------------
define au1 "placement='auto'"
vsh start au1 >/dev/null
nodeset=$(sed -n "s/.*<numad nodeset='\([^']*\)'.*/\1/p" /run/libvirt/qemu/au1.xml)
np_expect "libvirt's numad nodeset for au1 is au1's record nodes" "$(rec au1 nodes)" "$nodeset"
np_expect "au1's reservation was claimed by numaplace numad" true "$(rec au1 claimed)"
NUMAPLACE_STATE_DIR=$STATE NUMAPLACE_CONFIG=$CONF np_run --json status
np_expect "status lists au1 under its own name" au1 \
	"$(jq -r '.guests[].name' <<<"$NP_OUT" | paste -sd' ')"
check_on_record au1

# two same-size auto domains at once
define au2 "placement='auto'"
define au3 "placement='auto'"
vsh start au2 >"$T/au2.out" 2>&1 &
p2=$!
vsh start au3 >"$T/au3.out" 2>&1 &
p3=$!
wait $p2
r2=$?
wait $p3
r3=$?
np_expect "au2 and au3 start at once" "0 0" "$r2 $r3"
[ "$r2 $r3" = "0 0" ] || cat "$T/au2.out" "$T/au3.out"
np_expect "au2 and au3 are booked under their own names" "placed placed true true" \
	"$(rec au2 phase) $(rec au3 phase) $(rec au2 claimed) $(rec au3 claimed)"
check_on_record au2
check_on_record au3

# --- libvirtd restart keeps the running domains where they were --------------
before=$(for n in au1 au2 au3; do echo "$n $(threads_cpus "$n") $(rec "$n" cpus)"; done)
lv_kill_pidfile "$T/libvirtd.pid"
/usr/sbin/libvirtd -d -p "$T/libvirtd.pid"
for ((i = 0; i < 300; i++)); do
	[ "$(vsh list --name | grep -c .)" = 3 ] && break
	sleep 0.1
done
after=$(for n in au1 au2 au3; do echo "$n $(threads_cpus "$n") $(rec "$n" cpus)"; done)
np_expect "after a libvirtd restart the domains are where they were" "$before" "$after"
for n in au1 au2 au3; do
	grp=$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ { print $3 }' \
		/proc/"$(cat /run/libvirt/qemu/$n.pid)"/cgroup)
	np_expect "$n: its domain group's mems are its record's" "$(rec "$n" mems)" \
		"$(cat "$NP_CG${grp%/emulator}/cpuset.mems")"
done
for n in au1 au2 au3; do vsh destroy "$n" >/dev/null; done
np_expect "every record goes away with its domain" "" "$(records)"

np_done
