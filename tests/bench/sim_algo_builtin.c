/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace's built-in advisor, called as the engine calls it. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "advisor.h"

struct np_sim_builtin {
	struct np_policy *policy;
	struct np_settings settings;
};

static int np_sim_builtin_place(void *state, const struct np_sim_machine *m,
				const struct np_sim_view *view, const struct np_sim_guests *g,
				const struct np_sim_request *req, np_sim_set *out)
{
	struct np_sim_builtin *b = state;
	struct np_request request = { req->name, req->vcpus, req->memory };
	struct np_advisor_input in = { m->topo, &b->settings, &request, g->records, g->n };
	struct np_err err = NP_ERR_INIT;
	struct np_advice adv;
	np_sim_set set = 0;
	int r;

	(void)view;
	r = np_advisor_builtin(&in, &adv, &err);
	if (r < 0) {
		if (r != -ENOSPC)
			fprintf(stderr, "bench_sim: builtin: %s\n", err.msg);
		np_err_clear(&err);
		return r;
	}
	for (int id = np_cpuset_next(&adv.nodes, 0); id >= 0; id = np_cpuset_next(&adv.nodes, id + 1))
		set |= (np_sim_set)1 << np_topology_node_index(m->topo, (unsigned)id);
	np_advice_clear(&adv);
	*out = set;
	return 0;
}

int np_sim_builtin_init(struct np_sim_algo *a, bool spread)
{
	struct np_sim_builtin *b = calloc(1, sizeof(*b));
	struct np_err err = NP_ERR_INIT;

	if (!b || np_policy_defaults(&b->policy, &err) < 0 ||
	    np_policy_resolve(b->policy, "g0", &b->settings, &err) < 0) {
		np_err_clear(&err);
		free(b);
		return -ENOMEM;
	}
	b->settings.strategy = spread ? NP_STRATEGY_SPREAD : NP_STRATEGY_PACK;
	*a = (struct np_sim_algo){ spread ? "builtin-spread" : "builtin-pack", false,
				   np_sim_builtin_place, b };
	return 0;
}

void np_sim_builtin_clear(struct np_sim_algo *a)
{
	struct np_sim_builtin *b = a->state;

	if (b)
		np_policy_free(b->policy);
	free(b);
	a->state = NULL;
}
