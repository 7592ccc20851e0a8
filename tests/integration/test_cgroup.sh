#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# core/cgroup on the real cpuset hierarchy (as root): runs test_cgroup_real
# in its three modes under a parent group unique to this run, removes that
# parent whatever happens, and checks the hierarchy is exactly as before.
. "$NP_SOURCE_DIR/tests/integration/lib.sh"

PROG=$NP_BUILD_DIR/tests/integration/test_cgroup_real

[ "$(id -u)" = 0 ] || np_skip "cgroup tests need root"

# The cpuset hierarchy: a v1 mount with the cpuset option, else the unified
# mount when its cgroup.controllers lists cpuset.
find_mount() {
	local mnt fstype opts ctl
	while read -r mnt fstype opts; do
		case "$fstype" in
		cgroup) case ",$opts," in *,cpuset,*) echo "v1 $mnt"; return ;; esac ;;
		cgroup2) read -r ctl <"$mnt/cgroup.controllers" 2>/dev/null
			case " $ctl " in *" cpuset "*) echo "v2 $mnt"; return ;; esac ;;
		esac
	done < <(awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $(i + 3) }' /proc/self/mountinfo)
}

read -r VERSION MNT < <(find_mount)
[ -n "${MNT:-}" ] || np_skip "no cpuset cgroup hierarchy is mounted"
[ -x "$PROG" ] || { echo "not ok - $PROG is not built"; exit 1; }

# Every group of the hierarchy with its cpus and mems, sorted.
# Groups of other numaplace test runs (np-*) that may come and go at the
# same time are left out; this run's own parent group is kept.
snapshot() {
	find "$MNT" -type d | sort | while read -r d; do
		case "${d#"$MNT"/}" in
		"$PARENT" | "$PARENT"/*) ;;
		np-*) continue ;;
		esac
		printf '%s cpus=%s mems=%s\n' "$d" "$(cat "$d/cpuset.cpus" 2>/dev/null)" \
			"$(cat "$d/cpuset.mems" 2>/dev/null)"
	done
}

PARENT=np-test-$$-$RANDOM
TOP=$MNT/$PARENT
ENABLED_CPUSET=0

# Remove TOP and everything below it; tasks still inside (ours) go to the
# root group first.
cleanup() {
	[ -d "$TOP" ] || return 0
	find "$TOP" -name cgroup.procs | while read -r f; do
		while read -r pid; do echo "$pid" >"$MNT/cgroup.procs" 2>/dev/null; done <"$f"
	done
	find "$TOP" -depth -type d -exec rmdir {} \; 2>/dev/null
	if [ "$ENABLED_CPUSET" = 1 ]; then echo -cpuset >"$MNT/cgroup.subtree_control"; fi
	[ ! -d "$TOP" ]
}
trap cleanup EXIT

BEFORE=$(snapshot)
mkdir "$TOP" 2>/dev/null || np_skip "the cpuset hierarchy at $MNT is not writable"
if [ "$VERSION" = v1 ]; then
	cat "$MNT/cpuset.cpus" >"$TOP/cpuset.cpus"
	cat "$MNT/cpuset.mems" >"$TOP/cpuset.mems"
else
	case " $(cat "$MNT/cgroup.subtree_control") " in
	*" cpuset "*) ;;
	*) echo +cpuset >"$MNT/cgroup.subtree_control" && ENABLED_CPUSET=1 ;;
	esac
fi
echo "# cpuset hierarchy $VERSION at $MNT, test parent $PARENT"

for mode in quirks libcgroup files; do
	if NP_CGROUP_TEST_PARENT=$PARENT "$PROG" "$mode"; then
		np_pass "test_cgroup_real $mode"
	else
		np_fail "test_cgroup_real $mode"
	fi
done

# libcgroup 2.0.2 exports cgroup_get_controller_version but does not declare it.
incdir=$(pkg-config --variable=includedir libcgroup)
if grep -rq cgroup_get_controller_version "$incdir/libcgroup.h" "$incdir/libcgroup"; then
	np_fail "cgroup_get_controller_version is declared in the headers now"
else
	np_pass "cgroup_get_controller_version is not in the libcgroup headers"
fi

if cleanup; then np_pass "test parent removed"; else np_fail "test parent $TOP left behind"; fi
AFTER=$(snapshot)
if [ "$BEFORE" = "$AFTER" ]; then
	np_pass "the cpuset hierarchy is as it was"
else
	np_fail "the cpuset hierarchy changed: $(diff <(echo "$BEFORE") <(echo "$AFTER") | head -20)"
fi
np_done
