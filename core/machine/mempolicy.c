/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mempolicy.h"

#include <errno.h>
#include <numa.h>
#include <string.h>

static int np_mempolicy_interleave(const struct np_cpuset *mems, struct np_err *err)
{
	struct bitmask *mask = numa_allocate_nodemask();
	int r = 0;

	if (!mask)
		return np_err_set(err, -ENOMEM, "interleave: out of memory");
	for (int n = np_cpuset_next(mems, 0); n >= 0; n = np_cpuset_next(mems, (unsigned)n + 1)) {
		if ((unsigned)n >= mask->size) {
			r = np_err_set(err, -ERANGE, "interleave: node %d beyond libnuma's mask", n);
			break;
		}
		numa_bitmask_setbit(mask, (unsigned)n);
	}
	if (r == 0) {
		errno = 0;
		numa_set_interleave_mask(mask);
		if (errno != 0 && errno != ENOSYS)
			r = np_err_set(err, -errno, "interleave: %s", strerror(errno));
	}
	numa_bitmask_free(mask);
	return r;
}

int np_mempolicy_apply(enum np_memory_mode mode, const struct np_cpuset *mems,
		       struct np_err *err)
{
	int first = np_cpuset_next(mems, 0);

	if (mode == NP_MEMORY_STRICT)
		return 0;
	if (first < 0)
		return np_err_set(err, -EINVAL, "memory policy: no memory node to use");
	if (numa_available() < 0)
		return np_err_set(err, -ENOSYS, "memory policy: the kernel has no NUMA support");
	if (mode == NP_MEMORY_INTERLEAVE)
		return np_mempolicy_interleave(mems, err);
	numa_set_preferred(first);
	return 0;
}
