/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CPUSET_H
#define NUMAPLACE_CPUSET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A fixed-size set of CPU or NUMA node numbers, 0 .. NP_CPUSET_MAX-1.
 * The same type serves for CPUs (cpuset.cpus) and for nodes (cpuset.mems).
 * Plain value type: copy with `=`, no allocation, all-zero is the empty set.
 */
#define NP_CPUSET_MAX 8192u
#define NP_CPUSET_WORDS (NP_CPUSET_MAX / 64u)

struct np_cpuset {
	uint64_t bits[NP_CPUSET_WORDS];
};

/* Make `s` empty. */
void np_cpuset_zero(struct np_cpuset *s);

/* Add / remove / test member `i`. Members >= NP_CPUSET_MAX are ignored by
 * add and remove, and never members. */
void np_cpuset_add(struct np_cpuset *s, unsigned i);
void np_cpuset_del(struct np_cpuset *s, unsigned i);
bool np_cpuset_has(const struct np_cpuset *s, unsigned i);

/* Add every member of [lo, hi] (inclusive); hi must be < NP_CPUSET_MAX. */
void np_cpuset_add_range(struct np_cpuset *s, unsigned lo, unsigned hi);

/* Number of members. */
unsigned np_cpuset_count(const struct np_cpuset *s);
bool np_cpuset_empty(const struct np_cpuset *s);
bool np_cpuset_equal(const struct np_cpuset *a, const struct np_cpuset *b);

/* True when every member of `a` is in `b`. */
bool np_cpuset_subset(const struct np_cpuset *a, const struct np_cpuset *b);
/* True when `a` and `b` share a member. */
bool np_cpuset_intersects(const struct np_cpuset *a, const struct np_cpuset *b);

/* dst = a | b, a & b, a & ~b. dst may alias a or b. */
void np_cpuset_or(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b);
void np_cpuset_and(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b);
void np_cpuset_andnot(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b);

/* The smallest member >= `from`, or -1 when there is none. Iterate with
 * for (int i = np_cpuset_next(s, 0); i >= 0; i = np_cpuset_next(s, i + 1)) */
int np_cpuset_next(const struct np_cpuset *s, unsigned from);

/* The largest member, or -1 for the empty set. */
int np_cpuset_last(const struct np_cpuset *s);

#endif
