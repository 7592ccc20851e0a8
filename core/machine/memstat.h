/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_MEMSTAT_H
#define NUMAPLACE_MEMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cpuset.h"
#include "err.h"

/*
 * Where a guest's resident memory is: bytes per NUMA node, summed from the
 * kernel's own accounting. Two sources (docs/locality.md says what each
 * counts and misses):
 *  - a cgroup's memory.numa_stat, where the memory controller covers the
 *    group (v2: bytes per node on the "anon" and "file" lines; v1: pages
 *    on the "hierarchical_total" line, else "total");
 *  - a process's /proc/PID/numa_maps: the pages of each mapping per node,
 *    in that mapping's kernel page size. One file per process, not per
 *    thread: threads share the address space.
 * Start a struct zeroed; free it with np_memstat_clear().
 */
struct np_memstat_node {
	unsigned node;
	uint64_t bytes;
};

struct np_memstat {
	struct np_memstat_node *by_node; /* ascending node ids, each once */
	size_t n;
	size_t cap;
	uint64_t total;                  /* the sum of by_node */
};

/* Add `bytes` on `node` (< NP_CPUSET_MAX, else -ERANGE), keeping by_node
 * sorted; totals saturate. -ENOMEM leaves `m` as it was. */
int np_memstat_add(struct np_memstat *m, unsigned node, uint64_t bytes, struct np_err *err);

/* Add every `N<node>=<pages>` of the numa_maps text read from `f`, each
 * counted in its line's `kernelpagesize_kB` (else `page_size` bytes).
 * -EBADMSG naming the line when a node field does not parse. */
int np_memstat_parse_numa_maps(FILE *f, uint64_t page_size, struct np_memstat *m,
			       struct np_err *err);

/* Add PROC/PID/numa_maps as np_memstat_parse_numa_maps() does. -ESRCH
 * when the process is gone; other negative errnos (-EACCES, …) from
 * opening or reading it. `m` may hold part of the file on failure. */
int np_memstat_read_pid(const char *proc_root, pid_t pid, struct np_memstat *m,
			struct np_err *err);

/* Add the memory.numa_stat text `text`: with `v1`, the pages of the
 * "hierarchical_total" line (else "total") times `page_size`; else the
 * bytes of the "anon" and "file" lines. -EBADMSG when the lines it needs
 * are missing or do not parse. */
int np_memstat_parse_numa_stat(const char *text, bool v1, uint64_t page_size,
			       struct np_memstat *m, struct np_err *err);

/* The bytes of `m` on the nodes in `mems`. */
uint64_t np_memstat_local(const struct np_memstat *m, const struct np_cpuset *mems);

/* Free what `m` holds and zero it. */
void np_memstat_clear(struct np_memstat *m);

#endif
