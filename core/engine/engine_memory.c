/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status: where each guest's resident memory really is. */
#include "engine_priv.h"

#include <errno.h>
#include <stdlib.h>

#include "cgroup_memory.h"
#include "cleanup.h"

/* Sum the numa_maps of `pids`; a process that ended or that cannot be
 * read is left out (its pages are not counted). True in *known when at
 * least one was read. Only running out of memory fails. */
static int np_memory_from_pids(struct np_engine *eng, const pid_t *pids, size_t n,
			       struct np_memstat *m, bool *known, struct np_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct np_memstat one = { 0 };
		int r = np_memstat_read_pid(eng->proc_root, pids[i], &one, NULL);

		for (size_t j = 0; r == 0 && j < one.n; j++)
			r = np_memstat_add(m, one.by_node[j].node, one.by_node[j].bytes, err);
		np_memstat_clear(&one);
		if (r == -ENOMEM)
			return r;
		*known = *known || r == 0;
	}
	return 0;
}

/* The group's memory.numa_stat, else its processes' numa_maps. */
static int np_memory_from_group(struct np_engine *eng, struct np_cgroup *cg,
				struct np_guest_status *g, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	bool pages;
	int r;

	r = np_cgroup_numa_stat(cg, g->rec.cgroup, &text, &pages, NULL);
	if (r == 0) {
		long page = sysconf(_SC_PAGESIZE);

		r = np_memstat_parse_numa_stat(text, pages, page > 0 ? (uint64_t)page : 4096,
					       &g->memory, NULL);
		g->memory_known = r == 0;
		if (r == 0)
			return 0;
		np_memstat_clear(&g->memory);
	}
	if (np_cgroup_tasks(cg, g->rec.cgroup, &pids, &n, NULL) < 0)
		return 0;
	return np_memory_from_pids(eng, pids, n, &g->memory, &g->memory_known, err);
}

int np_engine_guest_memory(struct np_engine *eng, struct np_guest_status *g, struct np_err *err)
{
	struct np_cgroup *cg;
	int r;

	if (g->cgroup_present && np_engine_cgroup(eng, &cg, NULL) == 0)
		r = np_memory_from_group(eng, cg, g, err);
	else if (g->rec.pid && g->alive)
		r = np_memory_from_pids(eng, &g->rec.pid, 1, &g->memory, &g->memory_known, err);
	else
		return 0;
	if (r == 0 && g->memory_known)
		g->memory_local = np_memstat_local(&g->memory, &g->rec.mems);
	return r;
}
