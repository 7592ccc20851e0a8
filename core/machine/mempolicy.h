/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_MEMPOLICY_H
#define NUMAPLACE_MEMPOLICY_H

#include "cpuset.h"
#include "err.h"

/* How a guest's memory is bound to its mems (the policy key memory-mode). */
enum np_memory_mode { NP_MEMORY_STRICT, NP_MEMORY_PREFERRED, NP_MEMORY_INTERLEAVE };

/*
 * The calling process's own NUMA memory policy, set with libnuma. Only a
 * process can set its own policy, so `run` calls this in the child between
 * fork and exec; the policy is inherited across exec.
 * NP_MEMORY_STRICT does nothing (cpuset.mems already binds);
 * NP_MEMORY_PREFERRED prefers the lowest node of `mems`;
 * NP_MEMORY_INTERLEAVE interleaves pages over all of `mems`.
 */
int np_mempolicy_apply(enum np_memory_mode mode, const struct np_cpuset *mems,
		       struct np_err *err);

#endif
