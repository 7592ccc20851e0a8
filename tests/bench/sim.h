/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_BENCH_SIM_H
#define NUMAPLACE_BENCH_SIM_H

/*
 * bench_sim: replay guest arrivals and departures on a captured machine
 * and place each guest with one of several algorithms, to compare where
 * they put guests. docs/benchmarks.md tells the model; in short:
 *
 * - The machine is a topology capture: its nodes' CPUs (kernel view),
 *   memory and distances. Node sets are bit masks of node indexes (at most
 *   64 nodes).
 * - The simulator books every guest the same way, whatever placed it, as
 *   numaplace books (docs/contract.md "The built-in advisor"): on each node of its set,
 *   ascending, up to the node's room, vCPUs on CPU nodes only, at CPU and
 *   memory over-commit 1. What no node of the set has room for is booked
 *   anyway, on the set's first node (its first CPU node for vCPUs): an
 *   over-commit event.
 * - A request is admitted only when the whole machine still has room for
 *   it (the sum of the rooms); otherwise it is refused before any
 *   algorithm is asked ("no fit"). An algorithm that refuses an admitted
 *   request is counted as "refused although a fit existed".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"
#include "topology.h"

#define NP_SIM_MIB (UINT64_C(1) << 20)
#define NP_SIM_MAX_NODES 64u

typedef uint64_t np_sim_set; /* bit i: node index i */

/* The machine and what is booked on it. */
struct np_sim_machine {
	const struct np_topology *topo;
	unsigned n;                 /* nodes */
	unsigned *cpus;             /* per node: CPUs (0: memory only) */
	unsigned *cores;            /* per node: cores */
	uint64_t *memory;           /* per node: bytes */
	int64_t *vbooked;           /* per node: vCPUs booked */
	int64_t *mbooked;           /* per node: bytes booked */
	uint64_t total_cpus, total_memory;
	int64_t vtotal, mtotal;     /* booked over all nodes */
	np_sim_set cpu_nodes;       /* nodes with CPUs */
};

/* What the algorithms see of the bookings: the machine's own, or a copy
 * taken earlier (numad's sampled view during a burst). */
struct np_sim_view {
	const int64_t *vbooked;
	const int64_t *mbooked;
};

struct np_sim_guest {
	unsigned serial;            /* names it: g<serial> */
	unsigned vcpus;
	uint64_t memory;
	np_sim_set nodes;
	int64_t *vbook;             /* per node: what is booked for it (n entries) */
	int64_t *mbook;
};

/* Everything placed, with the numaplace record of each guest (same
 * order): what the built-in advisor reads as the current reservations. */
struct np_sim_guests {
	unsigned n, cap;
	struct np_sim_guest *items;
	struct np_record *records;
};

struct np_sim_request {
	unsigned serial;
	const char *name;
	unsigned vcpus;
	uint64_t memory;
};

/* An algorithm: fill `*out` with a node set and return 0, or return
 * -ENOSPC to refuse. `state` is the algorithm's own (set up by np_sim_algos). */
struct np_sim_algo {
	const char *name;
	bool sampled;  /* sees the bookings as of the start of a burst (numad) */
	int (*place)(void *state, const struct np_sim_machine *m, const struct np_sim_view *view,
		     const struct np_sim_guests *g, const struct np_sim_request *req,
		     np_sim_set *out);
	void *state;
};

/* ---- machine (sim_machine.c) ---- */

/* Build the machine of `topo` (at most NP_SIM_MAX_NODES nodes), nothing booked. */
int np_sim_machine_init(struct np_sim_machine *m, const struct np_topology *topo);
void np_sim_machine_clear(struct np_sim_machine *m);

/* Forget every booking. */
void np_sim_machine_reset(struct np_sim_machine *m);

/* Room left on node i for vCPUs (0 on a node without CPUs) and for memory
 * under `view`, never below 0. */
int64_t np_sim_vroom(const struct np_sim_machine *m, const struct np_sim_view *view, unsigned i);
int64_t np_sim_mroom(const struct np_sim_machine *m, const struct np_sim_view *view, unsigned i);

/* The machine's own bookings as a view. */
struct np_sim_view np_sim_live(const struct np_sim_machine *m);

/* True when node i alone holds the request. */
bool np_sim_node_holds(const struct np_sim_machine *m, const struct np_sim_view *view,
		       unsigned i, unsigned vcpus, uint64_t memory);

/* True when the nodes of `set` together hold the request. */
bool np_sim_set_holds(const struct np_sim_machine *m, const struct np_sim_view *view,
		      np_sim_set set, unsigned vcpus, uint64_t memory);

/* The largest distance between two nodes of `set` (10 for one node). */
unsigned np_sim_set_maxdist(const struct np_sim_machine *m, np_sim_set set);

/* Booked load: the larger of vCPUs booked / CPUs and memory booked / memory. */
double np_sim_load(const struct np_sim_machine *m);

/* Book guest `g` on `g->nodes` (see above); true when that over-commits. */
bool np_sim_book(struct np_sim_machine *m, struct np_sim_guest *g);

/* Take guest `g`'s bookings off the machine. */
void np_sim_unbook(struct np_sim_machine *m, const struct np_sim_guest *g);

/* ---- guests (sim_guests.c) ---- */

/* Add a placed and booked guest with its record; -ENOMEM. */
int np_sim_guests_add(struct np_sim_guests *g, const struct np_sim_machine *m,
		      struct np_sim_guest *guest);

/* Remove guest `i` (unbooking it), moving the last one into its place. */
void np_sim_guests_remove(struct np_sim_guests *g, struct np_sim_machine *m, unsigned i);

/* Remove every guest and free the arrays. */
void np_sim_guests_clear(struct np_sim_guests *g, struct np_sim_machine *m);

/* ---- algorithms (sim_algo_*.c) ---- */

/* The built-in advisor through core/advisor/advisor.h; `spread` picks the strategy. */
int np_sim_builtin_init(struct np_sim_algo *a, bool spread);
void np_sim_builtin_clear(struct np_sim_algo *a);

/* numad's pre-placement advice (numad -w), as numad.c computes it. */
void np_sim_numad_init(struct np_sim_algo *a, bool sampled);

/* xl's automatic NUMA placement, as libxl_numa.c computes it. */
void np_sim_xl_init(struct np_sim_algo *a);

/* First fit: the lowest node that holds the request, else nodes in id order. */
void np_sim_firstfit_init(struct np_sim_algo *a);

/* ---- one run (sim_run.c) ---- */

/* How guests come and go. Sizes: vCPUs 1 + floor(u^2 x max_vcpus) (at
 * most max_vcpus), memory 512 MiB + floor(u'^2 x (max_memory - 512 MiB)),
 * in 256 MiB steps, u and u' uniform in [0, 1), so small guests are the
 * more frequent. Fill: bursts of `burst` simultaneous starts until the
 * booked load reaches `load`. Then `steps` steps of churn: one guest
 * (picked at random) leaves and guests arrive one by one until the load
 * is back or one is refused; every `burst_every`-th step `burst` guests
 * leave and a burst of up to `burst` starts follows. */
struct np_sim_workload {
	double load;
	unsigned steps;
	unsigned burst;
	unsigned burst_every;
	unsigned max_vcpus;
	uint64_t max_memory;
	uint64_t seed;
};

/* What one algorithm did in one run. */
struct np_sim_stats {
	unsigned placed;
	unsigned could_one;      /* placed guests a single node could hold when they came */
	unsigned local_could;    /* of those, placed on one node */
	unsigned local;          /* placed on one node */
	uint64_t nodes;          /* sum of nodes spanned */
	uint64_t maxdist;        /* sum of the largest distance inside each set */
	unsigned maxdist_max;
	unsigned refused_fit;    /* refused by the algorithm although the machine had room */
	unsigned refused_nofit;  /* refused by admission: the machine had no room */
	unsigned overcommit;     /* placements booked past a node's room */
};

/* Replay `w` on `m` (reset first) with `algo`; the same seed gives the same
 * arrivals to every algorithm until their choices make them differ. */
int np_sim_run(struct np_sim_machine *m, struct np_sim_algo *algo,
	       const struct np_sim_workload *w, struct np_sim_stats *out);

#endif
