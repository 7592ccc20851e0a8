#!/bin/sh
# shellcheck shell=dash # busybox ash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `place` and `run` in create mode: numaplace makes <cgroup-parent>/<guest>
# (numaplace.slice on cgroup v2, enabling +cpuset on the way), the group's
# effective cpus and mems are the advice, the process is confined to them
# (Cpus_allowed_list, Mems_allowed_list), and `release` — or the end of
# `run` — leaves no group and no record behind.
. "$NP_VM_GUEST_DIR/nplib.sh"
np_have "place and run create a cpuset group" || return 0

root=$(np_cg_root)
parent=$(np_parent)
vcpus=$(($(np_max_node_cpus) + 1))

sleep 1000 &
pid=$!
np_json place place pair "$pid" --vcpus "$vcpus"
np_expect_ok "place pair $pid --vcpus $vcpus exits 0"
cpus=$(cpulist_expand "$(np_get .cpus)")
mems=$(cpulist_expand "$(np_get .mems)")
tap_expect "its cpus are those of its nodes" "$(np_nodes_cpus "$(np_list .nodes)")" "$cpus"
if [ "$NP_VM_CGROUP" = v2 ]; then
	tap_check "+cpuset is enabled in the root's subtree_control" \
		grep -qw cpuset "$root/cgroup.subtree_control"
	tap_check "and in $parent's" grep -qw cpuset "$root/$parent/cgroup.subtree_control"
fi
tap_expect "the group's effective cpus are the advice" "$cpus" "$(np_cg_set "$parent/pair" cpus)"
tap_expect "the group's effective mems are the advice" "$mems" "$(np_cg_set "$parent/pair" mems)"
tap_expect "the process is in $parent/pair" "/$parent/pair" "$(np_cpuset_of "$pid")"
tap_expect "its Cpus_allowed_list is the advice" "$cpus" "$(np_allowed "$pid" Cpus)"
tap_expect "its Mems_allowed_list is the advice" "$mems" "$(np_allowed "$pid" Mems)"

np_json place-status status
tap_expect "status: alive, group present, no drift" "$pid true true false" \
	"$(np_guest_field pair pid) $(np_guest_field pair alive) $(np_guest_field pair cgroup_present) $(np_guest_field pair drift)"

np_json place-again place pair "$pid" --vcpus "$vcpus"
np_expect_ok "the same name and pid again is a no-op"
sleep 1000 &
other=$!
np_json place-other place pair "$other" --vcpus "$vcpus"
tap_expect "the same name with another live pid exits 1" 1 "$NP_RC"
tap_expect "and leaves that pid where it was" "$(np_cpuset_of $$)" "$(np_cpuset_of "$other")"
kill "$other"

"$NUMAPLACE" release pair >/tmp/np-release.out 2>&1
tap_expect "release refuses a group whose process still runs (exit 1)" 1 "$?"
kill "$pid"
wait "$pid" "$other" 2>/dev/null
tap_check "once it has stopped, release pair succeeds" "$NUMAPLACE" release pair
tap_check "the group is gone" test ! -e "$root/$parent/pair"
tap_expect "no record is left" "" "$(np_state_files)"

# run: the child reports its own cpuset, its group's effective sets and
# its allowed lists from inside, then exits 7.
cat >/tmp/np-run-child.sh <<'EOF'
g=$(cat /proc/self/cpuset)
echo "group $g"
if [ -e "$1$g/cpuset.cpus.effective" ]; then
	echo "cpus $(cat "$1$g/cpuset.cpus.effective")"
	echo "mems $(cat "$1$g/cpuset.mems.effective")"
else
	echo "cpus $(cat "$1$g/cpuset.effective_cpus")"
	echo "mems $(cat "$1$g/cpuset.effective_mems")"
fi
awk '/^(Cpus|Mems)_allowed_list:/ { print $1, $2 }' /proc/self/status
exit 7
EOF
np_json run-advise advise one --vcpus "$vcpus"
want_cpus=$(cpulist_expand "$(np_get .cpus)")
want_mems=$(cpulist_expand "$(np_get .mems)")
"$NUMAPLACE" run --name one --vcpus "$vcpus" -- sh /tmp/np-run-child.sh "$root" >/tmp/np-run.out 2>&1
tap_expect "run exits with the child's status" 7 "$?"
field() {
	cpulist_expand "$(awk -v k="$1" '$1 == k { print $2 }' /tmp/np-run.out)"
}
tap_expect "run: the child runs in $parent/one" "group /$parent/one" "$(grep '^group' /tmp/np-run.out)"
tap_expect "run: its group's effective cpus are what advise said" "$want_cpus" "$(field cpus)"
tap_expect "run: its group's effective mems are what advise said" "$want_mems" "$(field mems)"
tap_expect "run: its Cpus_allowed_list is the advice" "$want_cpus" "$(field Cpus_allowed_list:)"
tap_expect "run: its Mems_allowed_list is the advice" "$want_mems" "$(field Mems_allowed_list:)"
tap_check "run: the group is gone after it" test ! -e "$root/$parent/one"
tap_expect "run: no record is left" "" "$(np_state_files)"
np_release_all
