#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# facts-to-sysfs.sh [--form new|old] [--no-memfree] FACTS OUTDIR
#
# Builds OUTDIR/sys/devices/system/{node,cpu}, a Linux sysfs tree as
# hwloc-gather-topology captures it, for the machine a .facts sidecar
# describes (see tests/fixtures/topologies/README.md), so that
# `HWLOC_FSROOT=OUTDIR lstopo` and `numaplace --topology OUTDIR` read it.
#
#   --form new   nodeN/cpulist and nodeN/cpumap, core_cpus/package_cpus
#                and their *_list files (kernels since 5.3); the default.
#   --form old   only the hex masks: nodeN/cpumap, thread_siblings and
#                core_siblings (as the older captures have).
#   --no-memfree nodeN/meminfo without a MemFree line.
#
# Each node's MemFree is half its MemTotal (in kB). Cores: the CPUs of a
# node, in ascending order, are split into smt_threads_per_core columns;
# core j holds the j-th CPU of each column (node0=0-7,16-23 with SMT2 gives
# cores {0,16} {1,17} ...). Each CPU node is one package. The facts file
# is trusted input: this is a test tool.
set -euo pipefail

form=new
memfree=yes
while [ $# -gt 0 ]; do
	case "$1" in
	--form) form=$2; shift 2 ;;
	--no-memfree) memfree=no; shift ;;
	*) break ;;
	esac
done
if [ $# -ne 2 ] || { [ "$form" != new ] && [ "$form" != old ]; }; then
	echo "usage: $0 [--form new|old] [--no-memfree] FACTS OUTDIR" >&2
	exit 2
fi

awk -F= -v form="$form" -v memfree="$memfree" -v sys="$2/sys/devices/system" '
# expand(LIST, A): A[1..n] = the numbers of a cpulist, ascending; returns n.
function expand(list, a,    parts, np, i, r, lo, hi, n, v) {
	n = 0
	np = split(list, parts, ",")
	for (i = 1; i <= np; i++) {
		if (parts[i] == "")
			continue
		r = split(parts[i], lo, "-")
		hi = r == 2 ? lo[2] : lo[1]
		for (v = lo[1] + 0; v <= hi + 0; v++)
			a[++n] = v
	}
	return n
}

# mask(A, N): kernel hex mask of A[1..N] over `width` bits, 32-bit words,
# most significant first ("00000000,000000ff").
function mask(a, n,    set, i, words, w, out, word, nib, b, v) {
	for (i = 1; i <= n; i++)
		set[a[i]] = 1
	words = int((width + 31) / 32)
	out = ""
	for (w = words - 1; w >= 0; w--) {
		word = ""
		for (nib = 7; nib >= 0; nib--) {
			v = 0
			for (b = 3; b >= 0; b--)
				v = v * 2 + ((w * 32 + nib * 4 + b) in set)
			word = word sprintf("%x", v)
		}
		out = out (out == "" ? "" : ",") word
	}
	return out
}

# compress(A, N): canonical cpulist of A[1..N] (ascending).
function compress(a, n,    i, lo, hi, out) {
	out = ""
	for (i = 1; i <= n; i++) {
		if (i > 1 && a[i] == hi + 1) {
			hi = a[i]
			continue
		}
		if (i > 1)
			out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
		lo = hi = a[i]
	}
	if (n)
		out = out (out == "" ? "" : ",") (lo == hi ? lo : lo "-" hi)
	return out
}

# put(PATH, TEXT): queue a file; dirs collects the directories to make.
function put(path, text,    d) {
	files[++nfiles] = path
	content[nfiles] = text
	d = path
	sub(/\/[^\/]*$/, "", d)
	dirs[d] = 1
}

# both(BASE, LIST): BASE as a hex mask and, in the new form, BASE_list.
function both(base, list,    a, n) {
	n = expand(list, a)
	put(base, mask(a, n))
	if (form == "new")
		put(base "_list", list)
}

function write_node(id,    dir, a, n, kb) {
	dir = sys "/node/node" id
	n = expand(F["node" id], a)
	put(dir "/cpumap", mask(a, n))
	if (form == "new")
		put(dir "/cpulist", F["node" id])
	kb = int(F["mem" id] / 1024)
	text = sprintf("Node %d MemTotal:       %d kB", id, kb)
	if (memfree == "yes")
		text = text sprintf("\nNode %d MemFree:        %d kB\nNode %d MemUsed:        %d kB",
				    id, int(kb / 2), id, kb - int(kb / 2))
	put(dir "/meminfo", text)
	put(dir "/distance", F["dist" id])
}

# write_cores(ID, PACKAGE): the cores of node ID, all in package PACKAGE.
function write_cores(id, package,    a, n, ncores, j, k, core, nc, list, dir) {
	n = expand(F["node" id], a)
	ncores = int(n / smt)
	for (j = 0; j < ncores; j++) {
		nc = 0
		for (k = 0; k < smt; k++)
			core[++nc] = a[1 + j + k * ncores]
		for (k = 1; k <= nc; k++)      # sort the siblings
			for (m = k + 1; m <= nc; m++)
				if (core[m] < core[k]) { t = core[k]; core[k] = core[m]; core[m] = t }
		list = compress(core, nc)
		for (k = 0; k < smt; k++) {
			dir = sys "/cpu/cpu" a[1 + j + k * ncores] "/topology"
			put(dir "/core_id", j)
			put(dir "/physical_package_id", package)
			if (form == "new") {
				both(dir "/core_cpus", list)
				both(dir "/package_cpus", F["node" id])
			}
			both(dir "/thread_siblings", list)
			both(dir "/core_siblings", F["node" id])
		}
	}
}

/^#/ || !/=/ { next }
{ F[$1] = substr($0, length($1) + 2) }

END {
	smt = F["smt_threads_per_core"]
	ncpu = expand(F["cpus"], cpus)
	width = cpus[ncpu] + 1
	put(sys "/node/online", F["node_ids"])
	put(sys "/node/possible", F["node_ids"])
	put(sys "/cpu/online", F["cpus"])
	put(sys "/cpu/possible", F["cpus"])
	put(sys "/cpu/present", F["cpus"])
	nn = expand(F["node_ids"], ids)
	package = 0
	for (i = 1; i <= nn; i++) {
		write_node(ids[i])
		if (F["node" ids[i]] != "")
			write_cores(ids[i], package++)
	}
	cmd = "mkdir -p"
	for (d in dirs)
		cmd = cmd " \047" d "\047"
	if (system(cmd) != 0)
		exit 1
	for (i = 1; i <= nfiles; i++) {
		print content[i] > files[i]
		close(files[i])
	}
}' "$1"
