/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CGROUP_MEMORY_H
#define NUMAPLACE_CGROUP_MEMORY_H

#include <stdbool.h>

#include "cgroup.h"

/* The text of `group`'s memory.numa_stat, as a heap string in *text, and
 * in *pages whether it counts pages (v1) rather than bytes (v2). -ENOENT,
 * with no message, when the memory controller does not cover the group in
 * this hierarchy (the usual case on v1, where memory is a hierarchy of its
 * own); other errors name the group. */
int np_cgroup_numa_stat(struct np_cgroup *cg, const char *group, char **text, bool *pages,
			struct np_err *err);

#endif
