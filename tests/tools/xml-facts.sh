#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# xml-facts.sh FILE.xml
#
# Prints, in the .facts format of tests/fixtures/topologies/README.md, what
# the hwloc command-line tools (hwloc-calc, hwloc-info, lstopo-no-graphics)
# report for an hwloc XML file. It reads nothing else, so it serves as the
# independent reference for numaplace's topology output. Note that
# node<N>= is hwloc's cpuset of the node: for a CPU-less node that is the
# locality hwloc gives it, not the kernel's (empty) view; the sidecar's
# cpuless_nodes tells which nodes those are.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 FILE.xml" >&2
	exit 2
fi
xml=$1

# compress: on each input line, comma-separated numbers -> canonical cpulist.
compress() {
	awk -F, '{
		n = 0
		for (i = 1; i <= NF; i++)
			if ($i != "")
				v[++n] = $i + 0
		for (i = 2; i <= n; i++)          # insertion sort
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		out = ""
		for (i = 1; i <= n; i++) {
			if (i > 1 && v[i] == hi + 1) { hi = v[i]; continue }
			if (i > 1)
				out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
			lo = hi = v[i]
		}
		if (n)
			out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
		print out
	}'
}

calc() {
	hwloc-calc --input "$xml" "$@"
}

# The NUMALatency rows, columns in ascending node id order, as
# "dist<N>=v v v" lines; nothing when the file has no such matrix.
distances() {
	lstopo-no-graphics --input "$xml" --distances -p | awk '
		/^Relative latency matrix \(name NUMALatency / { inside = 1; next }
		inside && /^ index/ { for (i = 2; i <= NF; i++) col[i] = $i; ncol = NF; next }
		inside && NF == ncol && $1 ~ /^[0-9]+$/ {
			for (i = 2; i <= NF; i++) v[$1, col[i]] = $i
			ids[++nids] = $1; next }
		inside { inside = 0 }
		END {
			for (i = 1; i <= nids; i++)       # sort ids numerically
				for (j = i + 1; j <= nids; j++)
					if (ids[j] + 0 < ids[i] + 0) { t = ids[i]; ids[i] = ids[j]; ids[j] = t }
			for (i = 1; i <= nids; i++) {
				row = ""
				for (j = 1; j <= nids; j++)
					row = row (j > 1 ? " " : "") v[ids[i], ids[j]]
				print "dist" ids[i] "=" row
			}
		}'
}

node_ids=$(calc --intersect numa --po all | compress)
echo "file=$(basename "$xml")"
echo "nodes=$(calc -N numa all)"
echo "node_ids=$node_ids"
echo "packages=$(calc -N package all)"
echo "cores=$(calc -N core all)"
echo "pus=$(calc -N pu all)"
echo "cpus=$(calc --intersect pu --po all | compress)"
# One hwloc-calc for every node's PUs (locations on stdin, one answer a
# line), one hwloc-info for every node's memory.
nodes=$(echo "$node_ids" | tr ',' '\n' | awk -F- '{ e = NF == 2 ? $2 : $1; for (i = $1; i <= e; i++) print i }')
mapfile -t pus < <(echo "$nodes" | sed 's/^/numa:/' | calc --pi --po -I pu 2>/dev/null |
	grep -v '^Waiting for locations' | compress)
declare -A mem=()
while read -r id bytes; do
	mem[$id]=$bytes
done < <(hwloc-info --input "$xml" numa:all | awk '
	/^ os index = / { id = $NF }
	/^ local memory = / { print id, $NF }')
i=0
for n in $nodes; do
	echo "node$n=${pus[i]}"
	echo "mem$n=${mem[$n]}"
	i=$((i + 1))
done
dist=$(distances)
if [ -n "$dist" ]; then
	echo "distances=yes"
	echo "$dist"
else
	echo "distances=no"
fi
