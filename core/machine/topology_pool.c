/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A topology narrowed to a pool of CPUs and memory nodes (a cgroup
 * parent's own cpuset): what the advisor may choose from. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "topology.h"

/* Copy the nodes of `src` that are in `mems`, with their CPUs narrowed to
 * `cpus`; `map[i]` becomes the new index of src node i, or -1. */
static int np_pool_nodes(const struct np_topology *src, const struct np_cpuset *cpus,
			 const struct np_cpuset *mems, struct np_topology *dst, int *map)
{
	dst->nodes = calloc(src->nnodes ? src->nnodes : 1, sizeof(*dst->nodes));
	if (!dst->nodes)
		return -ENOMEM;
	for (unsigned i = 0; i < src->nnodes; i++) {
		struct np_node *n = &dst->nodes[dst->nnodes];

		map[i] = -1;
		if (!np_cpuset_has(mems, src->nodes[i].id))
			continue;
		*n = src->nodes[i];
		np_cpuset_and(&n->cpus, &src->nodes[i].cpus, cpus);
		np_cpuset_or(&dst->cpus, &dst->cpus, &n->cpus);
		np_cpuset_add(&dst->node_ids, n->id);
		map[i] = (int)dst->nnodes++;
	}
	return 0;
}

/* The distances between the kept nodes, in their new order. */
static int np_pool_distances(const struct np_topology *src, const int *map,
			     struct np_topology *dst)
{
	dst->distances = calloc((size_t)dst->nnodes * dst->nnodes + 1, sizeof(unsigned));
	if (!dst->distances)
		return -ENOMEM;
	for (unsigned a = 0; a < src->nnodes; a++)
		for (unsigned b = 0; b < src->nnodes; b++)
			if (map[a] >= 0 && map[b] >= 0)
				dst->distances[(size_t)map[a] * dst->nnodes + (size_t)map[b]] =
					src->distances[(size_t)a * src->nnodes + b];
	return 0;
}

/* The cores of the kept nodes, each with only its PUs in the pool. */
static int np_pool_cores(const struct np_topology *src, const int *map,
			 struct np_topology *dst)
{
	dst->cores = calloc(src->ncores ? src->ncores : 1, sizeof(*dst->cores));
	if (!dst->cores)
		return -ENOMEM;
	for (unsigned i = 0; i < src->ncores; i++) {
		struct np_core *c = &dst->cores[dst->ncores];
		int node = map[src->cores[i].node];

		if (node < 0)
			continue;
		np_cpuset_and(&c->pus, &src->cores[i].pus, &dst->cpus);
		if (np_cpuset_empty(&c->pus))
			continue;
		c->node = (unsigned)node;
		dst->ncores++;
	}
	return 0;
}

int np_topology_pool(const struct np_topology *src, const struct np_cpuset *cpus,
		     const struct np_cpuset *mems, struct np_topology **out, struct np_err *err)
{
	struct np_topology *dst = calloc(1, sizeof(*dst));
	_cleanup_free_ int *map = calloc(src->nnodes ? src->nnodes : 1, sizeof(int));

	if (!dst || !map || !(dst->source = strdup(src->source)) ||
	    np_pool_nodes(src, cpus, mems, dst, map) < 0 ||
	    np_pool_distances(src, map, dst) < 0 || np_pool_cores(src, map, dst) < 0) {
		np_topology_free(dst);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	dst->distances_default = src->distances_default;
	*out = dst;
	return 0;
}
