/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v1: a new cpuset group starts with empty cpus and mems and takes
 * no task until both are set; memory_migrate is a per-group switch. */
#include "cgroup_internal.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

/* Copy `file` from `parent` into `group` when it is empty in `group`. */
static int np_cgroup_v1_fill_file(struct np_cgroup *cg, const char *group,
				  const char *parent, const char *file,
				  struct np_err *err)
{
	_cleanup_free_ char *mine = NULL;
	_cleanup_free_ char *theirs = NULL;
	int r;

	r = np_cgroup_fs_read(cg, group, file, &mine, err);
	if (r < 0 || *mine)
		return r;
	r = np_cgroup_fs_read(cg, parent, file, &theirs, err);
	if (r < 0)
		return r;
	return cg->backend->write(cg, group, file, theirs, err);
}

static int np_cgroup_v1_fill(struct np_cgroup *cg, const char *group,
			     const char *parent, struct np_err *err)
{
	int r;

	r = np_cgroup_v1_fill_file(cg, group, parent, "cpuset.cpus", err);
	if (r < 0)
		return r;
	return np_cgroup_v1_fill_file(cg, group, parent, "cpuset.mems", err);
}

/* Add to `group`/`file` what of `want` its parent has and it lacks. */
static int np_cgroup_v1_widen_file(struct np_cgroup *cg, const char *group,
				   const char *parent, const char *file,
				   const struct np_cpuset *want, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct np_cpuset mine, theirs, add;
	int r;

	r = np_cgroup_read_set(cg, group, file, &mine, err);
	if (r == 0)
		r = np_cgroup_read_set(cg, parent, file, &theirs, err);
	if (r < 0)
		return r;
	np_cpuset_and(&add, want, &theirs);
	if (np_cpuset_subset(&add, &mine))
		return 0;
	np_cpuset_or(&mine, &mine, &add);
	text = np_cpulist_format(&mine);
	if (!text)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	return cg->backend->write(cg, group, file, text, err);
}

static int np_cgroup_v1_widen(struct np_cgroup *cg, const char *group, const char *parent,
			      const struct np_cgroup_placement *pl, struct np_err *err)
{
	int r;

	r = np_cgroup_v1_widen_file(cg, group, parent, "cpuset.cpus", &pl->cpus, err);
	if (r < 0)
		return r;
	return np_cgroup_v1_widen_file(cg, group, parent, "cpuset.mems", &pl->mems, err);
}

static int np_cgroup_v1_prepare_parent(struct np_cgroup *cg, const char *group,
				       struct np_err *err)
{
	(void)cg;
	(void)group;
	(void)err;
	return 0;
}

static int np_cgroup_v1_set_migrate(struct np_cgroup *cg, const char *group, bool on,
				    struct np_err *err)
{
	return cg->backend->write(cg, group, "cpuset.memory_migrate", on ? "1" : "0", err);
}

static bool np_cgroup_v1_owns_line(const char *id, const char *controllers)
{
	(void)id;
	return np_cgroup_has_word(controllers, ",", "cpuset");
}

const struct np_cgroup_ops np_cgroup_v1_ops = {
	.version = NP_CGROUP_V1,
	.effective_cpus = "cpuset.effective_cpus",
	.effective_mems = "cpuset.effective_mems",
	.verify_cpus = "cpuset.cpus",
	.verify_mems = "cpuset.mems",
	.root_configurable = true,
	.prepare_parent = np_cgroup_v1_prepare_parent,
	.fill = np_cgroup_v1_fill,
	.widen = np_cgroup_v1_widen,
	.set_migrate = np_cgroup_v1_set_migrate,
	.owns_line = np_cgroup_v1_owns_line,
};
