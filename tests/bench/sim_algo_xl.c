/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xl's automatic NUMA placement (libxl_numa.c, libxl__get_numa_candidate,
 * and numa_place_domain in libxl_dom.c), over the simulated bookings:
 *
 * - Only nodes with CPUs are candidates. On a machine of more than 16
 *   nodes libxl skips placement: the guest keeps affinity with every node.
 * - Candidates are all combinations of k nodes, k from ceil(vCPUs / CPUs
 *   per node) when every node has as many CPUs (else from 1), in
 *   lexicographic order; a candidate needs the guest's memory free in
 *   total and at least as many CPUs as the guest has vCPUs (CPUs, not free
 *   CPUs: xl books no CPU).
 * - Among the candidates of the smallest k that has any, the one with the
 *   fewest vCPUs of other guests able to run on its nodes wins, then the
 *   one with the most free memory; the first found keeps a tie. Distances
 *   are not looked at.
 * - No candidate at all: the guest keeps affinity with every node.
 */
#include "sim.h"

#define NP_XL_MAX_NODES 16u

struct np_xl_best {
	bool found;
	np_sim_set set;
	uint64_t nr_vcpus;
	uint64_t free_kb;
};

/* The same CPU count on every node (CPU-less ones included), or 0. */
static unsigned np_xl_cpus_per_node(const struct np_sim_machine *m)
{
	for (unsigned i = 1; i < m->n; i++)
		if (m->cpus[i] != m->cpus[0])
			return 0;
	return m->cpus[0];
}

/* vCPUs of the placed guests that may run on each node. */
static void np_xl_vcpus_on_nodes(const struct np_sim_machine *m, const struct np_sim_guests *g,
				 uint64_t *on)
{
	for (unsigned i = 0; i < m->n; i++)
		on[i] = 0;
	for (unsigned k = 0; k < g->n; k++)
		for (unsigned i = 0; i < m->n; i++)
			if (g->items[k].nodes >> i & 1)
				on[i] += g->items[k].vcpus;
}

/* Judge the candidate made of nodes suit[comb[0..k)]. */
static void np_xl_consider(const struct np_sim_machine *m, const struct np_sim_view *view,
			   const struct np_sim_request *req, const unsigned *suit,
			   const unsigned *comb, unsigned k, const uint64_t *on,
			   struct np_xl_best *best)
{
	uint64_t free_kb = 0, cpus = 0, nr_vcpus = 0;
	np_sim_set set = 0;

	for (unsigned j = 0; j < k; j++) {
		unsigned i = suit[comb[j]];

		set |= (np_sim_set)1 << i;
		free_kb += (uint64_t)np_sim_mroom(m, view, i) / 1024;
		cpus += m->cpus[i];
		nr_vcpus += on[i];
	}
	if ((req->memory && free_kb < req->memory / 1024) || cpus < req->vcpus)
		return;
	if (best->found && (nr_vcpus > best->nr_vcpus ||
			    (nr_vcpus == best->nr_vcpus && free_kb <= best->free_kb)))
		return;
	*best = (struct np_xl_best){ true, set, nr_vcpus, free_kb };
}

/* The next k-combination of 0..n-1 in lexicographic order; false after the last. */
static bool np_xl_next(unsigned *comb, unsigned n, unsigned k)
{
	int i = (int)k - 1;

	while (i >= 0 && comb[i] == n - k + (unsigned)i)
		i--;
	if (i < 0)
		return false;
	comb[i]++;
	for (unsigned j = (unsigned)i + 1; j < k; j++)
		comb[j] = comb[j - 1] + 1;
	return true;
}

static int np_sim_xl_place(void *state, const struct np_sim_machine *m,
			   const struct np_sim_view *view, const struct np_sim_guests *g,
			   const struct np_sim_request *req, np_sim_set *out)
{
	unsigned suit[NP_XL_MAX_NODES], comb[NP_XL_MAX_NODES], nsuit = 0, per, k;
	uint64_t on[NP_XL_MAX_NODES];
	struct np_xl_best best = { 0 };

	(void)state;
	*out = m->n == 64 ? ~(np_sim_set)0 : ((np_sim_set)1 << m->n) - 1;
	if (m->n > NP_XL_MAX_NODES)
		return 0;
	for (unsigned i = 0; i < m->n; i++)
		if (m->cpus[i])
			suit[nsuit++] = i;
	np_xl_vcpus_on_nodes(m, g, on);
	per = np_xl_cpus_per_node(m);
	k = per ? (req->vcpus + per - 1) / per : 1;
	for (k = k < nsuit ? k : nsuit; k <= nsuit && !best.found; k++) {
		for (unsigned j = 0; j < k; j++)
			comb[j] = j;
		do
			np_xl_consider(m, view, req, suit, comb, k, on, &best);
		while (np_xl_next(comb, nsuit, k));
	}
	if (best.found)
		*out = best.set;
	return 0;
}

void np_sim_xl_init(struct np_sim_algo *a)
{
	*a = (struct np_sim_algo){ "xl", false, np_sim_xl_place, NULL };
}
