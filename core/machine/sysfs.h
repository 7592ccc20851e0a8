/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_SYSFS_H
#define NUMAPLACE_SYSFS_H

#include <stdint.h>

#include "cpuset.h"
#include "err.h"

/*
 * The kernel's own view of a NUMA node, read from a sysfs tree under a
 * root: "/" for the live machine, or a directory holding a captured
 * `sys/` (ROOT/sys/devices/system/node/nodeN/...).
 */

/* The CPUs of node `node`: nodeN/cpulist, or the older hex nodeN/cpumap
 * when there is no cpulist. -ENOENT when neither file exists; an input
 * error when the content does not parse. `*out` untouched on failure. */
int np_sysfs_node_cpus(const char *root, unsigned node, struct np_cpuset *out,
		       struct np_err *err);

/* The free memory of node `node` in bytes: the `MemFree:` line (kB) of
 * nodeN/meminfo. -ENOENT when the file or the line is missing. */
int np_sysfs_node_memfree(const char *root, unsigned node, uint64_t *out,
			  struct np_err *err);

#endif
