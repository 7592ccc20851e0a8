#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run np_test_host on the real cpuset hierarchy, below a parent group unique
# to this run, and remove that group whatever happens.
#   bash run.sh HOST MODULE
source "$NP_SOURCE_DIR/tests/integration/lib.sh"

host=$1
module=$2

# The mount point of the cgroup v1 hierarchy with the cpuset controller.
np_cpuset_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpuset(,|$)/) { print $5; exit } }' \
		/proc/self/mountinfo
}

[ "$(id -u)" = 0 ] || np_skip "writing cpuset cgroups needs root"
mount=$(np_cpuset_mount)
[ -n "$mount" ] || np_skip "no cgroup v1 cpuset hierarchy (this test does not cover cgroup v2 yet)"

parent="np-test-$$-$RANDOM"
work=$(mktemp -d)

# Move any task still in our groups back to the root (they are this test's
# sleepers; nothing is killed), then remove the groups deepest first.
cleanup() {
	if [ -d "$mount/$parent" ]; then
		find "$mount/$parent" -name cgroup.procs | while read -r procs; do
			while read -r pid; do
				echo "$pid" >"$mount/cgroup.procs" 2>/dev/null
			done <"$procs"
		done
		find "$mount/$parent" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$mount/$parent" ] && echo "cleanup: could not remove $mount/$parent"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

mkdir "$mount/$parent" || np_skip "cannot create a group in $mount"
cat "$mount/cpuset.cpus" >"$mount/$parent/cpuset.cpus"
cat "$mount/cpuset.mems" >"$mount/$parent/cpuset.mems"

"$host" "$module" "$work" "$mount" "$parent"
