/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Undoing CPU hotplug on v1: a CPU going offline is taken out of every
 * cpuset group, and a group left without CPUs has its tasks moved to its
 * nearest ancestor that has some; the CPU coming back is given back to the
 * root only. */
#include "cgroup_internal.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

/* Add to `group`/`file` what of `want` its parent's `file` holds. */
static int np_cgroup_widen_file(struct np_cgroup *cg, const char *group, const char *parent,
				const char *file, const struct np_cpuset *want,
				struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct np_cpuset mine, theirs, more;
	int r;

	if ((r = np_cgroup_read_set(cg, group, file, &mine, err)) < 0 ||
	    (r = np_cgroup_read_set(cg, parent, file, &theirs, err)) < 0)
		return r;
	np_cpuset_and(&more, want, &theirs);
	np_cpuset_or(&more, &more, &mine);
	if (np_cpuset_equal(&more, &mine))
		return 0;
	text = np_cpulist_format(&more);
	if (!text)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	return cg->backend->write(cg, group, file, text, err);
}

int np_cgroup_widen_ancestors(struct np_cgroup *cg, const char *group,
			      const struct np_cgroup_placement *pl, struct np_err *err)
{
	int r = np_cgroup_check_group(group, err);

	if (r < 0 || cg->ops->version != NP_CGROUP_V1)
		return r;
	for (const char *p = strchr(group, '/'); p; p = strchr(p + 1, '/')) {
		_cleanup_free_ char *prefix = strndup(group, (size_t)(p - group));
		_cleanup_free_ char *up = prefix ? np_cgroup_dirname(prefix) : NULL;

		if (!up)
			return np_cgroup_fail(err, -ENOMEM, group, "cpuset.cpus");
		r = np_cgroup_widen_file(cg, prefix, up, "cpuset.cpus", &pl->cpus, err);
		if (r == 0)
			r = np_cgroup_widen_file(cg, prefix, up, "cpuset.mems", &pl->mems, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int np_cgroup_attach(struct np_cgroup *cg, const char *group, pid_t pid, struct np_err *err)
{
	int r = np_cgroup_check_group(group, err);

	if (r == 0 && pid <= 0)
		r = np_err_input(err, "pid %d: not a process id", (int)pid);
	if (r < 0)
		return r;
	return np_cgroup_move(cg, group, pid, err);
}
