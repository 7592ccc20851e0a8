/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory controller's view of a group, where it covers the group. */
#include "cgroup_memory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "cleanup.h"

int np_cgroup_numa_stat(struct np_cgroup *cg, const char *group, char **text, bool *pages,
			struct np_err *err)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, "memory.numa_stat");
	char *out = NULL;
	int r;

	if (!path)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_cgroup_read_file(path, &out);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return np_cgroup_fail(err, r, group, "memory.numa_stat");
	*text = out;
	*pages = np_cgroup_version(cg) == NP_CGROUP_V1;
	return 0;
}
