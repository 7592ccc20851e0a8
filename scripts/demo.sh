#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the dependencies, build numaplace and show it at work on this
# machine: the topology it sees, what it would choose for a guest, and a
# real command run inside the cpuset numaplace made for it. Needs root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
sh scripts/build.sh build
np="$top/build/plugin/numaplace"
state=$(mktemp -d /tmp/numaplace-demo.XXXXXX)
trap 'rm -rf "$state"' EXIT

echo "\$ numaplace topology"
"$np" topology
echo
echo "\$ numaplace --topology tests/fixtures/topologies/8n-amd64-bulldozer-64pu.xml advise web1 --vcpus 12 --memory 40G"
"$np" --state-dir "$state" --topology tests/fixtures/topologies/8n-amd64-bulldozer-64pu.xml \
	advise web1 --vcpus 12 --memory 40G
echo
echo "\$ numaplace run --name demo -- sh -c 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup'"
"$np" --state-dir "$state" run --name demo -- \
	sh -c 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup'
