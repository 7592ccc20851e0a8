/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Naive first fit: the lowest node (by id) that holds the whole request;
 * else CPU nodes in id order, each with any room, until their rooms hold
 * it, then memory-only nodes in id order while memory is short. Refuses
 * only when all of that does not hold it.
 */
#include "sim.h"

#include <errno.h>

static int np_sim_firstfit_place(void *state, const struct np_sim_machine *m,
				 const struct np_sim_view *view, const struct np_sim_guests *g,
				 const struct np_sim_request *req, np_sim_set *out)
{
	int64_t v = req->vcpus, mem = (int64_t)req->memory;
	np_sim_set set = 0;

	(void)state;
	(void)g;
	for (unsigned i = 0; i < m->n; i++) {
		if (np_sim_node_holds(m, view, i, req->vcpus, req->memory)) {
			*out = (np_sim_set)1 << i;
			return 0;
		}
	}
	for (unsigned i = 0; i < m->n && (v > 0 || mem > 0); i++) {
		if (!m->cpus[i] || (np_sim_vroom(m, view, i) == 0 && np_sim_mroom(m, view, i) == 0))
			continue;
		set |= (np_sim_set)1 << i;
		v -= np_sim_vroom(m, view, i);
		mem -= np_sim_mroom(m, view, i);
	}
	for (unsigned i = 0; i < m->n && v <= 0 && mem > 0; i++) {
		if (m->cpus[i] || np_sim_mroom(m, view, i) == 0)
			continue;
		set |= (np_sim_set)1 << i;
		mem -= np_sim_mroom(m, view, i);
	}
	if (v > 0 || mem > 0)
		return -ENOSPC;
	*out = set;
	return 0;
}

void np_sim_firstfit_init(struct np_sim_algo *a)
{
	*a = (struct np_sim_algo){ "first-fit", false, np_sim_firstfit_place, NULL };
}
