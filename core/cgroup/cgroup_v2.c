/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2: a group gets cpuset files only when its parent lists cpuset in
 * cgroup.subtree_control; empty cpus/mems mean "inherit", so the effective
 * files are what counts; memory always migrates with mems. */
#include "cgroup_internal.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"

static int np_cgroup_v2_prepare_parent(struct np_cgroup *cg, const char *group,
				       struct np_err *err)
{
	_cleanup_free_ char *enabled = NULL;
	_cleanup_free_ char *available = NULL;
	int r;

	r = np_cgroup_fs_read(cg, group, "cgroup.subtree_control", &enabled, err);
	if (r < 0 || np_cgroup_has_word(enabled, " ", "cpuset"))
		return r;
	r = np_cgroup_fs_read(cg, group, "cgroup.controllers", &available, err);
	if (r < 0)
		return r;
	if (!np_cgroup_has_word(available, " ", "cpuset"))
		return np_err_set(err, -ENOENT,
				  "cgroup %s: cgroup.controllers: the cpuset controller is not available",
				  *group ? group : "/");
	return np_cgroup_fs_write(cg, group, "cgroup.subtree_control", "+cpuset", err);
}

static int np_cgroup_v2_fill(struct np_cgroup *cg, const char *group,
			     const char *parent, struct np_err *err)
{
	(void)cg;
	(void)group;
	(void)parent;
	(void)err;
	return 0;
}

static int np_cgroup_v2_widen(struct np_cgroup *cg, const char *group, const char *parent,
			      const struct np_cgroup_placement *pl, struct np_err *err)
{
	(void)cg;
	(void)group;
	(void)parent;
	(void)pl;
	(void)err;
	return 0;
}

static int np_cgroup_v2_set_migrate(struct np_cgroup *cg, const char *group, bool on,
				    struct np_err *err)
{
	(void)cg;
	(void)group;
	(void)on;
	(void)err;
	return 0;
}

static bool np_cgroup_v2_owns_line(const char *id, const char *controllers)
{
	return strcmp(id, "0") == 0 && !*controllers;
}

const struct np_cgroup_ops np_cgroup_v2_ops = {
	.version = NP_CGROUP_V2,
	.effective_cpus = "cpuset.cpus.effective",
	.effective_mems = "cpuset.mems.effective",
	.verify_cpus = "cpuset.cpus.effective",
	.verify_mems = "cpuset.mems.effective",
	.root_configurable = false,
	.prepare_parent = np_cgroup_v2_prepare_parent,
	.fill = np_cgroup_v2_fill,
	.widen = np_cgroup_v2_widen,
	.set_migrate = np_cgroup_v2_set_migrate,
	.owns_line = np_cgroup_v2_owns_line,
};
