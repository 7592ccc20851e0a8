#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make-64n-synthetic-asym.sh OUT.xml
#
# Regenerates tests/fixtures/topologies/64n-synthetic-asym.xml: hwloc's
# synthetic machine `pack:16 numa:4 core:4 pu:1` (16 packages of 4 NUMA
# nodes of 4 single-PU cores: 64 nodes, 256 PUs, 1 GiB per node) plus an
# asymmetric NUMALatency matrix added with hwloc-annotate (a distances2
# element, kind 6 = from user | means latency). The matrix, over node OS
# indexes i, j with package p(n) = n / 4:
#   10                              on the diagonal
#   11                              between nodes 5 and 6 (both ways): the
#                                   nearest pair, and not the lowest-numbered
#   12 if i < j, 13 if i > j        other pairs in one package
#   20 + 2|p(i) - p(j)| (+1 if i > j) across packages
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUT.xml" >&2
	exit 2
fi
out=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

HWLOC_DONT_ADD_VERSION_INFO=1 lstopo-no-graphics --input 'pack:16 numa:4 core:4 pu:1' \
	--of xml "$work/base.xml"

awk 'BEGIN {
	n = 64
	print "name=NUMALatency"
	print 6
	print n
	for (i = 0; i < n; i++)
		print "NUMANode:" i
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			pi = int(i / 4); pj = int(j / 4)
			if (i == j)
				d = 10
			else if ((i == 5 && j == 6) || (i == 6 && j == 5))
				d = 11
			else if (pi == pj)
				d = i < j ? 12 : 13
			else
				d = 20 + 2 * (pi > pj ? pi - pj : pj - pi) + (i > j)
			print d
		}
}' >"$work/distances.txt"

HWLOC_DONT_ADD_VERSION_INFO=1 hwloc-annotate "$work/base.xml" "$out" dummy \
	distances "$work/distances.txt"
