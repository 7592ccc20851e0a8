/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CAPACITY_H
#define NUMAPLACE_CAPACITY_H

#include <stdbool.h>
#include <stdint.h>

#include "advice.h"

/*
 * The capacity model of advisor.h, computed once per request: what each
 * node can still take. Internal to the advisors. Rooms here are for a
 * shared guest; exclusive.h turns them into rooms in dedicable CPUs.
 */

/* One dedicable CPU: `cls` 0 when its whole core is free, 1 otherwise;
 * `core` its index in topo->cores. */
struct np_cap_cpu {
	unsigned cpu;
	unsigned cls;
	unsigned core;
};

struct np_cap_node {
	bool cpu;            /* eligible CPU node: in the mems pool, usable CPUs */
	bool mem;            /* eligible CPU-less node (memory only) */
	uint64_t vroom;      /* vcpus (shared) or dedicable CPUs (exclusive) it can take */
	uint64_t mroom;      /* bytes it can take */
	uint64_t shared;     /* vcpus booked by shared guests */
	uint64_t reserved;   /* vcpus booked by shared guests + CPUs held exclusively */
	uint64_t ncpus;      /* its CPUs, kernel view */
	uint64_t held;       /* of them, held exclusively by other guests */
	unsigned ded_off;    /* exclusive: its dedicable CPUs are ded[ded_off .. +ded_len) */
	unsigned ded_len;
	unsigned wlo, whi;   /* the cpuset words its CPUs lie in (wlo > whi: none) */
};

/* What a record is to this request. */
enum np_cap_kind { NP_CAP_SELF, NP_CAP_SHARED, NP_CAP_EXCLUSIVE };

struct np_capacity {
	const struct np_advisor_input *in;
	unsigned vcpus;            /* the request, 0 made 1 */
	uint64_t memory;
	bool exclusive;            /* rooms are counted in dedicable CPUs */
	struct np_cpuset held;     /* CPUs other guests hold exclusively */
	struct np_cpuset usable;   /* CPUs of the pool nobody holds exclusively */
	struct np_cap_node *nodes; /* one per topology node, same order */
	struct np_cap_cpu *ded;    /* exclusive: per node, best first */
	unsigned char *kind;       /* per record: enum np_cap_kind */
	unsigned words;            /* cpuset words that hold every CPU of the machine */
	int *index;                /* node index of each OS node id below nindex, or -1 */
	unsigned nindex;
};

/* Compute the rooms of every node for `in` as a shared guest (whatever
 * settings.exclusive says; np_exclusive_init() for the exclusive rooms).
 * Only allocation can fail. Free with np_capacity_clear(). */
int np_capacity_init(struct np_capacity *cap, const struct np_advisor_input *in,
		     struct np_err *err);
void np_capacity_clear(struct np_capacity *cap);

/* a + b, UINT64_MAX when that overflows. */
static inline uint64_t np_capacity_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Index of OS node `id` in topo->nodes, or -1, through the table of `cap`. */
static inline int np_capacity_node(const struct np_capacity *cap, unsigned id)
{
	return id < cap->nindex ? cap->index[id] : -1;
}

/* Ordered distance from node index a to node index b. */
static inline unsigned np_capacity_dist(const struct np_topology *topo, unsigned a, unsigned b)
{
	return topo->distances[(size_t)a * topo->nnodes + b];
}

/* The rooms of nodes `idx[0..n)` (indexes) together: vroom and mroom
 * summed, each stopping at UINT64_MAX. */
void np_capacity_rooms(const struct np_capacity *cap, const unsigned *idx, unsigned n,
		       uint64_t *vcpus, uint64_t *memory);

/* True when nodes `idx[0..n)` (indexes) hold the request. */
bool np_capacity_fits(const struct np_capacity *cap, const unsigned *idx, unsigned n);

/* Fill `out` (cpus, mems, exclusive, nodes, vcpus, memory, bookings) for
 * node indexes `idx[0..n)`, ascending, which must hold the request as far
 * as rooms go (bookings stop at each node's room). Leaves advisor, fallback
 * and reason alone. `out` must hold no bookings yet. For exclusive rooms
 * (cap->exclusive) the cpus and the vcpus booked are left empty:
 * np_exclusive_advise() picks them. */
int np_capacity_advise(const struct np_capacity *cap, const unsigned *idx, unsigned n,
		       struct np_advice *out, struct np_err *err);

/* The -ENOSPC error: the request and the most that is free, on the best
 * single node and on all eligible nodes together. */
int np_capacity_nofit(const struct np_capacity *cap, struct np_err *err);

/* "4 vcpus, 8 GiB" for `v` `unit`s ("vcpu", "free CPU"; an "s" is added
 * when plural) and `m` bytes joined by `sep` (", ", " and "); the memory is
 * left out when the request does not count it. Heap; NULL on OOM. */
char *np_capacity_describe(const struct np_capacity *cap, uint64_t v, const char *unit,
			   uint64_t m, const char *sep);

/* Input error when settings.cpus / settings.mems name CPUs or nodes the
 * machine lacks. */
int np_capacity_check_pools(const struct np_advisor_input *in, struct np_err *err);

/* True when `rec` is another guest than the one the request is for. */
bool np_capacity_other(const struct np_capacity *cap, const struct np_record *rec);

/* Members of a & b (of a alone when b is NULL) within words [lo, hi]. The
 * per-request scans stay within the machine's words: records are many and
 * a whole 8192-bit set is 128 words. */
uint64_t np_capacity_count(const struct np_cpuset *a, const struct np_cpuset *b, unsigned lo,
			   unsigned hi);

/* A byte count for people: "8 GiB", "6.5 GiB", "512 MiB", "100 bytes"
 * (rounded down). Heap; NULL on OOM. */
char *np_capacity_size(uint64_t bytes);

#endif
