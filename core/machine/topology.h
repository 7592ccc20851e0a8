/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_TOPOLOGY_H
#define NUMAPLACE_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"

/*
 * The machine as the advisor sees it: NUMA nodes with their CPUs (OS
 * numbering, the kernel's view), memory and the distance matrix, plus the
 * cores with their PU siblings. Built with hwloc from the live machine, an
 * hwloc XML capture, or a directory holding a captured `sys/` tree.
 */
struct np_node {
	unsigned id;            /* OS node number (sparse ids are kept) */
	struct np_cpuset cpus;  /* kernel view: empty for a CPU-less node */
	uint64_t memory_total;  /* bytes */
	uint64_t memory_free;   /* bytes; equals total for a capture that has no figure */
};

struct np_core {
	unsigned node;          /* index into np_topology.nodes */
	struct np_cpuset pus;   /* the core's PUs (SMT siblings), OS numbering */
};

struct np_topology {
	char *source;           /* "live", or the path given */
	bool distances_default; /* no matrix was found: 10 diagonal, 20 elsewhere */
	unsigned nnodes;
	struct np_node *nodes;  /* ascending id */
	unsigned *distances;    /* nnodes * nnodes, row-major, in `nodes` order */
	unsigned ncores;
	struct np_core *cores;  /* ascending by first PU */
	struct np_cpuset cpus;  /* every PU of the machine */
	struct np_cpuset node_ids; /* every node id */
};

/*
 * Load a topology. `source` NULL means the live machine, discovered whole
 * (CPUs outside the caller's cpuset included), with free memory per node
 * from libnuma. A regular file is read as hwloc XML. A directory must hold
 * a `sys/` tree and is read by hwloc only through HWLOC_FSROOT, which is
 * process-global: the caller (the CLI, never the module) must have set
 * HWLOC_FSROOT to that directory first, else this is an input error.
 * A capture that fails to load is an input error naming the file and reason.
 *
 * Node CPUs are the kernel's view. From a sysfs tree (live or a directory)
 * they are nodeN/cpulist, or the hex nodeN/cpumap. An XML capture only has
 * hwloc's cpusets, which give a CPU-less node the CPUs near it; there each
 * CPU goes to one node: plain nodes before those hwloc marks as special
 * memory (a subtype such as MCDRAM, or a DAX device), smaller cpusets
 * first, then lower ids. (So of two plain nodes with the same cpuset, the
 * higher id is taken as the CPU-less one.) Free memory: libnuma live,
 * nodeN/meminfo MemFree for a directory (else the total), the total for XML.
 */
int np_topology_load(const char *source, struct np_topology **out, struct np_err *err);

/* A copy of `src` narrowed to a pool (topology_pool.c): only the nodes in
 * `mems`, each with only its CPUs in `cpus` (a node may so become CPU-less),
 * and only the cores that keep a PU. Ids, memory and distances are kept.
 * Free it with np_topology_free(). */
int np_topology_pool(const struct np_topology *src, const struct np_cpuset *cpus,
		     const struct np_cpuset *mems, struct np_topology **out, struct np_err *err);

/* Free a topology; NULL is fine. */
void np_topology_free(struct np_topology *topo);

/* Index into `nodes` of OS node `id`, or -1 when the machine has no such node. */
int np_topology_node_index(const struct np_topology *topo, unsigned id);

/* Distance between nodes at indexes `a` and `b` (not OS ids); UINT_MAX
 * when either index is out of range. */
unsigned np_topology_distance(const struct np_topology *topo, unsigned a, unsigned b);

#endif
