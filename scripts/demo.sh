#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what building needs, build numaplace (quietly) and show it at work
# on this machine: the topology it sees, what it would choose for a guest on
# a captured 8-node machine, and a real command run inside the cpuset
# numaplace made for it. Leaves no record, cgroup or process behind (the
# build stays in build/). Needs root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log=$(mktemp /tmp/numaplace-demo-build.XXXXXX)
state=$(mktemp -d /tmp/numaplace-demo.XXXXXX)
made=""

# The cpuset parents `run` may create (numaplace on cgroup v1,
# numaplace.slice on v2) that do not exist yet: removed at the end.
for mount in $(awk '{ for (i = 7; i < NF && $i != "-"; i++) continue
		      if ($(i + 1) == "cgroup2" ||
			  ($(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpuset(,|$)/)) print $5 }' \
		/proc/self/mountinfo); do
	for parent in "$mount/numaplace" "$mount/numaplace.slice"; do
		[ -e "$parent" ] || made="$made $parent"
	done
done
cleanup() {
	for parent in $made; do
		[ -d "$parent" ] && rmdir "$parent" 2>/dev/null || :
	done
	rm -rf "$state" "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "Installing the build dependencies (apt) and building numaplace into build/ ..."
if ! { sh scripts/deps.sh --build && sh scripts/build.sh build -DBUILD_TESTING=OFF; } >"$log" 2>&1; then
	tail -n 25 "$log" >&2
	echo "demo: the build failed (the last lines of its log are above)" >&2
	exit 1
fi
np="$top/build/plugin/numaplace"
capture=tests/fixtures/topologies/8n-amd64-bulldozer-64pu.xml

echo
echo "\$ numaplace topology"
"$np" topology
echo
echo "\$ numaplace --topology $capture advise web1 --vcpus 12 --memory 40G"
"$np" --state-dir "$state" --topology "$capture" advise web1 --vcpus 12 --memory 40G
echo
echo "\$ numaplace run --name demo -- sh -c 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup'"
"$np" --state-dir "$state" run --name demo -- \
	sh -c 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup'
