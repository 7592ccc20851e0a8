/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "sysfs.h"

/* The sysfs root of the live machine. */
#define NP_TOPOLOGY_LIVE_ROOT "/"
#define NP_TOPOLOGY_LIVE_LABEL "live"
#define NP_DISTANCE_LOCAL 10u
#define NP_DISTANCE_REMOTE 20u

enum np_source_kind { NP_SOURCE_LIVE, NP_SOURCE_XML, NP_SOURCE_DIR };

/* Everything one load works on. */
struct np_loader {
	const char *source;        /* the path given; NULL for the live machine */
	enum np_source_kind kind;
	hwloc_topology_t hw;
	struct np_topology *topo;  /* being built */
	hwloc_obj_t *hwnodes;      /* hwloc NUMA objects, in topo->nodes order */
};

/* An inconsistency in the topology data `r` (already in `err`): an input
 * error for a capture, a runtime failure for the live machine. */
static int np_topology_bad(const struct np_loader *l, struct np_err *err, int r)
{
	if (err && l->kind == NP_SOURCE_LIVE)
		err->input = false;
	return r;
}

static int np_topology_classify(const char *source, enum np_source_kind *kind,
				struct np_err *err)
{
	struct stat st;

	if (!source) {
		*kind = NP_SOURCE_LIVE;
		return 0;
	}
	if (stat(source, &st) < 0)
		return np_err_input(err, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		*kind = NP_SOURCE_DIR;
	else if (S_ISREG(st.st_mode))
		*kind = NP_SOURCE_XML;
	else
		return np_err_input(err, "neither an hwloc XML file nor a directory");
	return 0;
}

/* A directory source: it must hold sys/devices/system/cpu, and
 * HWLOC_FSROOT must already name it (hwloc reads it only from there). */
static int np_topology_check_dir(const char *dir, struct np_err *err)
{
	_cleanup_free_ char *cpu_dir = NULL;
	_cleanup_free_ char *want = realpath(dir, NULL);
	_cleanup_free_ char *have = NULL;
	const char *fsroot = getenv("HWLOC_FSROOT");
	struct stat st;

	if (!want)
		return np_err_input(err, "%s", strerror(errno));
	if (asprintf(&cpu_dir, "%s/sys/devices/system/cpu", want) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (stat(cpu_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return np_err_input(err, "no sys/devices/system/cpu in this directory "
				    "(expected a captured sys/ tree)");
	if (fsroot && *fsroot)
		have = realpath(fsroot, NULL);
	if (!have || strcmp(have, want) != 0)
		return np_err_input(err, "HWLOC_FSROOT must name this directory before it is loaded");
	return 0;
}

/* Drop what numaplace never reads. Groups and caches stay: hwloc gives a
 * NUMA node the cpuset of the object it hangs from, so removing that
 * object would widen the node's cpuset. */
static void np_topology_set_filters(hwloc_topology_t hw)
{
	hwloc_topology_set_io_types_filter(hw, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_type_filter(hw, HWLOC_OBJ_MISC, HWLOC_TYPE_FILTER_KEEP_NONE);
}

/* Point hwloc at the source. An XML file is parsed here already. */
static int np_topology_select(struct np_loader *l, struct np_err *err)
{
	switch (l->kind) {
	case NP_SOURCE_XML:
		if (hwloc_topology_set_xml(l->hw, l->source) < 0)
			return np_err_input(err, "not a valid hwloc XML topology (%s)",
					    strerror(errno));
		return 0;
	case NP_SOURCE_DIR:
		/* The x86 backend would mix this machine's CPUID into the capture. */
		hwloc_topology_set_components(l->hw, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
		return 0;
	case NP_SOURCE_LIVE:
		return 0;
	}
	return np_err_set(err, -EINVAL, "unknown topology source");
}

static int np_topology_hwloc_load(struct np_loader *l, struct np_err *err)
{
	int r;

	if (hwloc_topology_init(&l->hw) < 0)
		return np_err_set(err, -ENOMEM, "hwloc: cannot initialize a topology");
	hwloc_topology_set_flags(l->hw, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	np_topology_set_filters(l->hw);
	r = np_topology_select(l, err);
	if (r < 0)
		return r;
	errno = 0;
	if (hwloc_topology_load(l->hw) < 0)
		return np_topology_bad(l, err, np_err_input(err, "%s (%s)", l->kind == NP_SOURCE_XML ?
							    "not a valid hwloc XML topology" :
							    "hwloc cannot load it", errno ? strerror(errno) :
							    "no CPU or no NUMA node in it"));
	if (l->kind == NP_SOURCE_LIVE && !hwloc_topology_is_thissystem(l->hw))
		return np_err_set(err, -EINVAL, "hwloc was redirected away from this machine "
				  "(HWLOC_XMLFILE, HWLOC_SYNTHETIC or HWLOC_FSROOT set?)");
	return 0;
}

/* Copy an hwloc bitmap (OS indexes) into a cpuset. */
static int np_topology_from_bitmap(const struct np_loader *l, hwloc_const_bitmap_t b,
				   struct np_cpuset *out, struct np_err *err)
{
	unsigned i;

	if (hwloc_bitmap_weight(b) < 0 || hwloc_bitmap_last(b) >= (int)NP_CPUSET_MAX)
		return np_topology_bad(l, err, np_err_input(err, "a CPU or node number beyond %u",
							    NP_CPUSET_MAX - 1));
	np_cpuset_zero(out);
	hwloc_bitmap_foreach_begin(i, b)
		np_cpuset_add(out, i);
	hwloc_bitmap_foreach_end();
	return 0;
}

/* Order hwloc NUMA objects by OS index. */
static int np_topology_cmp_hwnode(const void *a, const void *b)
{
	unsigned x = (*(const hwloc_obj_t *)a)->os_index;
	unsigned y = (*(const hwloc_obj_t *)b)->os_index;

	return x < y ? -1 : x > y;
}

/* Fill ids and total memory of every node, in ascending id order. */
static int np_topology_collect_nodes(struct np_loader *l, struct np_err *err)
{
	struct np_topology *topo = l->topo;
	int n = hwloc_get_nbobjs_by_type(l->hw, HWLOC_OBJ_NUMANODE);
	hwloc_obj_t obj = NULL;

	if (n <= 0)
		return np_topology_bad(l, err, np_err_input(err, "no NUMA node"));
	l->hwnodes = calloc((size_t)n, sizeof(*l->hwnodes));
	topo->nodes = calloc((size_t)n, sizeof(*topo->nodes));
	if (!l->hwnodes || !topo->nodes)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < (unsigned)n; i++)
		l->hwnodes[i] = obj = hwloc_get_next_obj_by_type(l->hw, HWLOC_OBJ_NUMANODE, obj);
	qsort(l->hwnodes, (size_t)n, sizeof(*l->hwnodes), np_topology_cmp_hwnode);
	topo->nnodes = (unsigned)n;
	for (unsigned i = 0; i < topo->nnodes; i++) {
		unsigned id = l->hwnodes[i]->os_index;

		if (id >= NP_CPUSET_MAX || (i && id == topo->nodes[i - 1].id))
			return np_topology_bad(l, err, np_err_input(err, "bad NUMA node number %u", id));
		topo->nodes[i].id = id;
		topo->nodes[i].memory_total = l->hwnodes[i]->attr->numanode.local_memory;
		np_cpuset_add(&topo->node_ids, id);
	}
	return 0;
}

/* How the CPU-less rule orders candidate nodes. */
struct np_node_rank {
	unsigned index;  /* into topo->nodes */
	bool special;    /* hwloc marks it as special memory (subtype, DAX) */
	int weight;      /* PUs in hwloc's cpuset */
};

static int np_topology_cmp_rank(const void *a, const void *b)
{
	const struct np_node_rank *x = a, *y = b;

	if (x->special != y->special)
		return x->special ? 1 : -1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The kernel's view from hwloc alone (an XML capture). The kernel gives
 * each CPU to exactly one node; hwloc gives a CPU-less node the cpuset of
 * the node(s) it is near (initiators, distances, KNL, GPU). So take nodes
 * plain-before-special, then smallest cpuset, then lowest id, and let each
 * own its hwloc cpuset unless that overlaps CPUs already owned.
 */
static int np_topology_cpus_from_hwloc(struct np_loader *l, struct np_err *err)
{
	struct np_topology *topo = l->topo;
	_cleanup_free_ struct np_node_rank *rank = calloc(topo->nnodes, sizeof(*rank));
	struct np_cpuset owned, cpus;

	if (!rank)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < topo->nnodes; i++) {
		hwloc_obj_t obj = l->hwnodes[i];

		rank[i].index = i;
		rank[i].special = obj->subtype || hwloc_obj_get_info_by_name(obj, "DAXDevice");
		rank[i].weight = hwloc_bitmap_weight(obj->cpuset);
	}
	qsort(rank, topo->nnodes, sizeof(*rank), np_topology_cmp_rank);
	np_cpuset_zero(&owned);
	for (unsigned k = 0; k < topo->nnodes; k++) {
		struct np_node *node = &topo->nodes[rank[k].index];
		int r = np_topology_from_bitmap(l, l->hwnodes[rank[k].index]->cpuset, &cpus, err);

		if (r < 0)
			return r;
		if (np_cpuset_intersects(&owned, &cpus))
			continue;
		node->cpus = cpus;
		np_cpuset_or(&owned, &owned, &cpus);
	}
	return 0;
}

/* The kernel's view from ROOT/sys (live or a captured tree): -ENOENT when
 * some node has no cpulist nor cpumap there. Only CPUs hwloc found count. */
static int np_topology_cpus_from_sysfs(struct np_loader *l, const char *root,
				       struct np_err *err)
{
	struct np_topology *topo = l->topo;

	for (unsigned i = 0; i < topo->nnodes; i++) {
		struct np_cpuset cpus;
		struct np_err sub = NP_ERR_INIT;
		int r = np_sysfs_node_cpus(root, topo->nodes[i].id, &cpus, &sub);

		if (r == -ENOENT) {
			np_err_clear(&sub);
			return r;
		}
		if (r < 0)
			return np_topology_bad(l, err, np_err_move(err, &sub));
		np_cpuset_and(&topo->nodes[i].cpus, &cpus, &topo->cpus);
	}
	return 0;
}

static int np_topology_node_cpus(struct np_loader *l, struct np_err *err)
{
	const char *root = l->kind == NP_SOURCE_LIVE ? NP_TOPOLOGY_LIVE_ROOT : l->source;
	int r = np_topology_from_bitmap(l, hwloc_topology_get_topology_cpuset(l->hw),
					&l->topo->cpus, err);

	if (r < 0)
		return r;
	if (l->kind != NP_SOURCE_XML) {
		r = np_topology_cpus_from_sysfs(l, root, err);
		if (r != -ENOENT)
			return r;
		for (unsigned i = 0; i < l->topo->nnodes; i++)
			np_cpuset_zero(&l->topo->nodes[i].cpus);
	}
	return np_topology_cpus_from_hwloc(l, err);
}

/* Free memory: libnuma live, MemFree of a captured tree, else the total. */
static int np_topology_memory_free(struct np_loader *l, struct np_err *err)
{
	struct np_topology *topo = l->topo;

	if (l->kind == NP_SOURCE_LIVE && numa_available() < 0)
		return np_err_set(err, -ENOSYS, "libnuma: NUMA is not available on this kernel");
	for (unsigned i = 0; i < topo->nnodes; i++) {
		struct np_node *node = &topo->nodes[i];
		long long free_bytes = 0;
		int r;

		node->memory_free = node->memory_total;
		if (l->kind == NP_SOURCE_LIVE) {
			if (numa_node_size64((int)node->id, &free_bytes) < 0 || free_bytes < 0)
				return np_err_set(err, -EIO, "libnuma: no free memory figure for node %u",
						  node->id);
			node->memory_free = (uint64_t)free_bytes;
		} else if (l->kind == NP_SOURCE_DIR) {
			struct np_err sub = NP_ERR_INIT;

			r = np_sysfs_node_memfree(l->source, node->id, &node->memory_free, &sub);
			if (r < 0 && r != -ENOENT)
				return np_err_move(err, &sub);
			np_err_clear(&sub);
		}
	}
	return 0;
}

/* Take an hwloc matrix over exactly our nodes, reordered to node order.
 * False (distances untouched or to be overwritten) when it does not fit. */
static bool np_topology_take_matrix(struct np_topology *topo, const struct hwloc_distances_s *d)
{
	unsigned n = topo->nnodes;
	_cleanup_free_ unsigned *map = calloc(n, sizeof(*map));
	struct np_cpuset seen;

	if (!map || d->nbobjs != n)
		return false;
	np_cpuset_zero(&seen);
	for (unsigned i = 0; i < n; i++) {
		int idx = d->objs[i] && d->objs[i]->type == HWLOC_OBJ_NUMANODE ?
			  np_topology_node_index(topo, d->objs[i]->os_index) : -1;

		if (idx < 0 || np_cpuset_has(&seen, (unsigned)idx))
			return false;
		np_cpuset_add(&seen, (unsigned)idx);
		map[i] = (unsigned)idx;
	}
	for (unsigned i = 0; i < n * n; i++) {
		hwloc_uint64_t v = d->values[i];

		if (v == 0 || v > UINT_MAX)
			return false;
		topo->distances[map[i / n] * n + map[i % n]] = (unsigned)v;
	}
	return true;
}

/* The first usable latency matrix: "NUMALatency", else any NUMA latency. */
static bool np_topology_find_matrix(hwloc_topology_t hw, struct np_topology *topo, bool by_name)
{
	struct hwloc_distances_s *d[8];
	unsigned nr = NP_ARRAY_SIZE(d);
	bool found = false;
	int r;

	if (by_name)
		r = hwloc_distances_get_by_name(hw, "NUMALatency", &nr, d, 0);
	else
		r = hwloc_distances_get_by_type(hw, HWLOC_OBJ_NUMANODE, &nr, d,
						HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0);
	if (r < 0)
		return false;
	nr = nr < NP_ARRAY_SIZE(d) ? nr : NP_ARRAY_SIZE(d);
	for (unsigned i = 0; i < nr; i++) {
		if (!found)
			found = np_topology_take_matrix(topo, d[i]);
		hwloc_distances_release(hw, d[i]);
	}
	return found;
}

static int np_topology_distances(struct np_loader *l, struct np_err *err)
{
	struct np_topology *topo = l->topo;
	unsigned n = topo->nnodes;

	topo->distances = calloc((size_t)n * n, sizeof(*topo->distances));
	if (!topo->distances)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (np_topology_find_matrix(l->hw, topo, true) || np_topology_find_matrix(l->hw, topo, false))
		return 0;
	topo->distances_default = true;
	for (unsigned i = 0; i < n * n; i++)
		topo->distances[i] = i / n == i % n ? NP_DISTANCE_LOCAL : NP_DISTANCE_REMOTE;
	return 0;
}

/* Index of the node whose CPUs hold `cpu`, or -1. */
static int np_topology_cpu_node(const struct np_topology *topo, unsigned cpu)
{
	for (unsigned i = 0; i < topo->nnodes; i++)
		if (np_cpuset_has(&topo->nodes[i].cpus, cpu))
			return (int)i;
	return -1;
}

static int np_topology_cmp_core(const void *a, const void *b)
{
	int x = np_cpuset_next(&((const struct np_core *)a)->pus, 0);
	int y = np_cpuset_next(&((const struct np_core *)b)->pus, 0);

	return x < y ? -1 : x > y;
}

/* Append the core of `pu` unless `pu` is not its first PU. A PU outside
 * any Core object is a core of its own. */
static int np_topology_add_core(struct np_loader *l, hwloc_obj_t pu, struct np_err *err)
{
	struct np_topology *topo = l->topo;
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(l->hw, HWLOC_OBJ_CORE, pu);
	struct np_core *c = &topo->cores[topo->ncores];
	int node, r;

	if (core && hwloc_bitmap_first(core->cpuset) != (int)pu->os_index)
		return 0;
	r = np_topology_from_bitmap(l, core ? core->cpuset : pu->cpuset, &c->pus, err);
	if (r < 0)
		return r;
	np_cpuset_and(&c->pus, &c->pus, &topo->cpus);
	node = np_topology_cpu_node(topo, pu->os_index);
	if (node < 0)
		return np_topology_bad(l, err, np_err_input(err, "CPU %u is in no NUMA node",
							    pu->os_index));
	c->node = (unsigned)node;
	topo->ncores++;
	return 0;
}

static int np_topology_cores(struct np_loader *l, struct np_err *err)
{
	struct np_topology *topo = l->topo;
	int npus = hwloc_get_nbobjs_by_type(l->hw, HWLOC_OBJ_PU);
	hwloc_obj_t pu = NULL;

	topo->cores = calloc(npus > 0 ? (size_t)npus : 1, sizeof(*topo->cores));
	if (!topo->cores)
		return np_err_set(err, -ENOMEM, "out of memory");
	while ((pu = hwloc_get_next_obj_by_type(l->hw, HWLOC_OBJ_PU, pu))) {
		int r = np_topology_add_core(l, pu, err);

		if (r < 0)
			return r;
	}
	qsort(topo->cores, topo->ncores, sizeof(*topo->cores), np_topology_cmp_core);
	return 0;
}

static int np_topology_build(struct np_loader *l, struct np_err *err)
{
	int r;

	if (l->kind == NP_SOURCE_DIR && (r = np_topology_check_dir(l->source, err)) < 0)
		return r;
	if ((r = np_topology_hwloc_load(l, err)) < 0 ||
	    (r = np_topology_collect_nodes(l, err)) < 0 ||
	    (r = np_topology_node_cpus(l, err)) < 0 ||
	    (r = np_topology_memory_free(l, err)) < 0 ||
	    (r = np_topology_distances(l, err)) < 0)
		return r;
	return np_topology_cores(l, err);
}

int np_topology_load(const char *source, struct np_topology **out, struct np_err *err)
{
	struct np_loader l = { .source = source };
	const char *label = source ? source : NP_TOPOLOGY_LIVE_LABEL;
	int r = np_topology_classify(source, &l.kind, err);

	if (r < 0)
		return np_err_wrap(err, "%s", label);
	l.topo = calloc(1, sizeof(*l.topo));
	if (!l.topo || !(l.topo->source = strdup(label))) {
		np_topology_free(l.topo);
		return np_err_set(err, -ENOMEM, "%s: out of memory", label);
	}
	r = np_topology_build(&l, err);
	if (l.hw)
		hwloc_topology_destroy(l.hw);
	free(l.hwnodes);
	if (r < 0) {
		np_topology_free(l.topo);
		return np_err_wrap(err, "%s", label);
	}
	*out = l.topo;
	return 0;
}

void np_topology_free(struct np_topology *topo)
{
	if (!topo)
		return;
	free(topo->source);
	free(topo->nodes);
	free(topo->distances);
	free(topo->cores);
	free(topo);
}

int np_topology_node_index(const struct np_topology *topo, unsigned id)
{
	unsigned lo = 0, hi = topo->nnodes;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (topo->nodes[mid].id == id)
			return (int)mid;
		if (topo->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

unsigned np_topology_distance(const struct np_topology *topo, unsigned a, unsigned b)
{
	if (a >= topo->nnodes || b >= topo->nnodes)
		return UINT_MAX;
	return topo->distances[a * topo->nnodes + b];
}
