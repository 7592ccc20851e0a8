/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool a guest is placed from on the live machine: its cgroup parent's
 * own cpuset (issue: a parent narrower than the machine). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "engine_priv.h"

/* The cpus and mems of `group` or, when it does not exist yet, of its
 * nearest existing ancestor (v1: cpuset.cpus and .mems; v2: the effective
 * ones). 0 with *found false when only the root was left. */
static int np_pool_read(struct np_cgroup *cg, const char *group, struct np_cpuset *cpus,
			struct np_cpuset *mems, bool *found)
{
	_cleanup_free_ char *path = strdup(group);
	struct np_cgroup_state st;
	char *slash;

	*found = false;
	if (!path)
		return -ENOMEM;
	while (*path) {
		if (np_cgroup_exists(cg, path, NULL) == 1 && np_cgroup_read(cg, path, &st, NULL) == 0)
			break;
		slash = strrchr(path, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
	if (!*path)
		return 0;
	*cpus = np_cgroup_version(cg) == NP_CGROUP_V1 ? st.cpus : st.effective_cpus;
	*mems = np_cgroup_version(cg) == NP_CGROUP_V1 ? st.mems : st.effective_mems;
	*found = true;
	return 0;
}

int np_engine_pool(struct np_engine *eng, const struct np_settings *s,
		   struct np_topology **out, struct np_err *err)
{
	struct np_cpuset cpus, mems;
	struct np_cgroup *cg = NULL;
	bool found = false;

	*out = NULL;
	/* A capture never touches the live cgroups; without a cpuset
	 * hierarchy there is no parent to respect. */
	if (eng->topology_src || np_engine_cgroup(eng, &cg, NULL) < 0)
		return 0;
	if (np_pool_read(cg, np_engine_cgroup_parent(eng, s), &cpus, &mems, &found) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (!found || np_cpuset_empty(&cpus) || np_cpuset_empty(&mems) ||
	    (np_cpuset_subset(&eng->topo->cpus, &cpus) &&
	     np_cpuset_subset(&eng->topo->node_ids, &mems)))
		return 0;
	return np_topology_pool(eng->topo, &cpus, &mems, out, err);
}

void np_engine_pool_hint(const struct np_topology *pool, const char *parent, struct np_err *err)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&pool->cpus);
	_cleanup_free_ char *mems = np_cpulist_format(&pool->node_ids);
	char *msg = NULL;

	if (!err || !err->msg || !cpus || !mems ||
	    asprintf(&msg, "%s (the cgroup parent %s allows only CPUs %s and nodes %s)",
		     err->msg, parent, *cpus ? cpus : "none", *mems ? mems : "none") < 0)
		return;
	free(err->msg);
	err->msg = msg;
}
