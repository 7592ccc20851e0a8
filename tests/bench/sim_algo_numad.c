/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numad's pre-placement advice (`numad -w CPUS:MB`), written from what
 * numad.c (version 20150602, Debian 12's numad) does for a request without
 * a PID, with the simulated bookings standing in for what numad measures:
 *
 * - Per node: MBs_total and MBs_free (free = not booked); CPUs_total and
 *   CPUs_free in hundredths of a CPU, free = idle CPUs (not booked) x 100.
 *   With SMT, a core counts 100 and each extra thread 20 (htt_percent),
 *   and free CPUs lose 80 per extra thread. Free CPUs below 1 become 1.
 * - A node's magnitude weighs what the request needs and what is left:
 *   (needed MB x 10 + excess MB x 4) x (needed CPU x 6 + excess CPU x 1).
 * - It needs at least max(ceil(MB / node0's MBs_total), ceil(CPUs x 100 /
 *   node0's CPUs_total)) nodes. For each node X, the nodes sorted by
 *   distance from X (ties: larger magnitude first, by selection sort) give
 *   a score: the sum over the first that-many nodes of magnitude /
 *   distance^2. The best X (first maximum) wins.
 * - Nodes are taken in distance order from X, consuming each one's free MB
 *   (keeping a 100 MB margin) and free CPUs, until the request and the
 *   minimum node count are met, or all nodes are taken.
 * numad reserves nothing: the simulator books the set numad names.
 */
#include "sim.h"


#define NP_NUMAD_HTT_PERCENT 20
#define NP_NUMAD_MBS_MARGIN 100

struct np_numad_node {
	int64_t mbs_total, mbs_free;
	int64_t cpus_total, cpus_free; /* hundredths of a CPU */
	uint64_t magnitude;
};

static uint64_t np_numad_magnitude(int64_t mbs, int64_t cpus, int64_t mbs_free, int64_t cpus_free)
{
	int64_t need_mem = mbs_free > mbs ? mbs : mbs_free;
	int64_t extra_mem = mbs_free > mbs ? mbs_free - mbs : 0;
	int64_t need_cpu = cpus_free > cpus ? cpus : cpus_free;
	int64_t extra_cpu = cpus_free > cpus ? cpus_free - cpus : 0;

	return (uint64_t)((need_mem * 10 + extra_mem * 4) * (need_cpu * 6 + extra_cpu));
}

/* Threads per core of the machine (numad reads cpu0's siblings). */
static unsigned np_numad_threads(const struct np_sim_machine *m)
{
	unsigned cpus = 0, cores = 0;

	for (unsigned i = 0; i < m->n; i++) {
		cpus += m->cpus[i];
		cores += m->cores[i];
	}
	return cores && cpus > cores ? cpus / cores : 1;
}

static void np_numad_cpus(const struct np_sim_machine *m, const struct np_sim_view *view,
			  unsigned i, unsigned tpc, struct np_numad_node *nd)
{
	int64_t n = m->cpus[i], idle = np_sim_vroom(m, view, i);

	nd->cpus_free = idle * 100;
	if (tpc <= 1) {
		nd->cpus_total = n * 100;
	} else {
		int64_t cores = n / tpc, discount = (n - n / tpc) * (100 - NP_NUMAD_HTT_PERCENT);

		nd->cpus_total = cores * 100 + cores * (tpc - 1) * NP_NUMAD_HTT_PERCENT;
		nd->cpus_free = nd->cpus_free > discount ? nd->cpus_free - discount : 0;
	}
	if (nd->cpus_free > nd->cpus_total)
		nd->cpus_free = nd->cpus_total;
	if (nd->cpus_free < 1)
		nd->cpus_free = 1;
}

static void np_numad_nodes(const struct np_sim_machine *m, const struct np_sim_view *view,
			   int64_t mbs, int64_t cpus, struct np_numad_node *nd)
{
	unsigned tpc = np_numad_threads(m);

	for (unsigned i = 0; i < m->n; i++) {
		nd[i].mbs_total = (int64_t)(m->memory[i] / NP_SIM_MIB);
		nd[i].mbs_free = np_sim_mroom(m, view, i) / (int64_t)NP_SIM_MIB;
		np_numad_cpus(m, view, i, tpc, &nd[i]);
		nd[i].magnitude = np_numad_magnitude(mbs, cpus, nd[i].mbs_free, nd[i].cpus_free);
	}
}

static int64_t np_numad_ceil(int64_t a, int64_t b)
{
	return b > 0 ? (a + b - 1) / b : 1;
}

/* Put the first `count` positions of `index` in numad's order from node
 * `ref`: nearest first (distance from the node to ref), ties to the larger
 * magnitude, by selection sort with swaps as numad does. */
static void np_numad_order(const struct np_sim_machine *m, const struct np_numad_node *nd,
			   unsigned ref, unsigned *index, unsigned count)
{
	for (unsigned k = 0; k < m->n; k++)
		index[k] = k;
	for (unsigned ij = 0; ij < count; ij++) {
		unsigned best = ij, tmp;

		for (unsigned ik = ij + 1; ik < m->n; ik++) {
			unsigned dk = np_topology_distance(m->topo, index[ik], ref);
			unsigned db = np_topology_distance(m->topo, index[best], ref);

			if (db > dk || (db == dk && nd[index[best]].magnitude < nd[index[ik]].magnitude))
				best = ik;
		}
		tmp = index[ij];
		index[ij] = index[best];
		index[best] = tmp;
	}
}

/* The node whose neighbourhood of `need` nodes scores best. */
static unsigned np_numad_center(const struct np_sim_machine *m, const struct np_numad_node *nd,
				unsigned need, unsigned *index)
{
	uint64_t best_mag = 0;
	unsigned best = 0;

	for (unsigned ix = 0; ix < m->n; ix++) {
		uint64_t mag = 0;

		np_numad_order(m, nd, ix, index, need);
		for (unsigned ij = 0; ij < need; ij++) {
			uint64_t d = np_topology_distance(m->topo, index[ij], ix);

			mag += nd[index[ij]].magnitude / (d * d);
		}
		if (ix == 0 || best_mag < mag) {
			best_mag = mag;
			best = ix;
		}
	}
	return best;
}

/* Take nodes in `index` order until the request and `need` are met. */
static np_sim_set np_numad_take(const struct np_sim_machine *m, struct np_numad_node *nd,
				const unsigned *index, int64_t need, int64_t mbs, int64_t cpus)
{
	np_sim_set set = 0, all = m->n == 64 ? ~(np_sim_set)0 : ((np_sim_set)1 << m->n) - 1;

	for (unsigned k = 0; k < m->n && (need > 0 || mbs > 0 || cpus > 0); k++) {
		struct np_numad_node *x = &nd[index[k]];

		set |= (np_sim_set)1 << index[k];
		need--;
		if (set == all)
			break;
		if (x->mbs_free >= mbs + NP_NUMAD_MBS_MARGIN) {
			mbs = 0;
		} else {
			mbs -= x->mbs_free - NP_NUMAD_MBS_MARGIN;
		}
		cpus = x->cpus_free >= cpus ? 0 : cpus - x->cpus_free;
	}
	return set;
}

static int np_sim_numad_place(void *state, const struct np_sim_machine *m,
			      const struct np_sim_view *view, const struct np_sim_guests *g,
			      const struct np_sim_request *req, np_sim_set *out)
{
	struct np_numad_node nd[NP_SIM_MAX_NODES];
	unsigned index[NP_SIM_MAX_NODES], center;
	int64_t mbs = (int64_t)(req->memory / NP_SIM_MIB), cpus = (int64_t)req->vcpus * 100;
	int64_t need;

	(void)state;
	(void)g;
	np_numad_nodes(m, view, mbs, cpus, nd);
	need = np_numad_ceil(mbs, nd[0].mbs_total);
	if (np_numad_ceil(cpus, nd[0].cpus_total) > need)
		need = np_numad_ceil(cpus, nd[0].cpus_total);
	if (need > (int64_t)m->n)
		need = m->n;
	center = np_numad_center(m, nd, (unsigned)need, index);
	np_numad_order(m, nd, center, index, m->n);
	*out = np_numad_take(m, nd, index, need, mbs, cpus);
	return 0;
}

void np_sim_numad_init(struct np_sim_algo *a, bool sampled)
{
	*a = (struct np_sim_algo){ sampled ? "numad-sampled" : "numad", sampled,
				   np_sim_numad_place, NULL };
}
