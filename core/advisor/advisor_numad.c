/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numad's answer, checked against the pools and the reservations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "exclusive.h"

/* Node indexes of `nodes` into idx; an error for a node that is not an
 * eligible CPU node. */
static int np_numad_advice_indexes(const struct np_capacity *cap, const struct np_cpuset *nodes,
			    unsigned *idx, unsigned *n, struct np_err *err)
{
	*n = 0;
	for (int id = np_cpuset_next(nodes, 0); id >= 0; id = np_cpuset_next(nodes, (unsigned)id + 1)) {
		int i = np_capacity_node(cap, (unsigned)id);

		if (i < 0)
			return np_err_set(err, -ENXIO, "numad advised node %d, which this machine does not have", id);
		if (!cap->nodes[i].cpu)
			return np_err_set(err, -ENXIO, "numad advised node %d, which has no usable CPU%s", id,
					  cap->in->settings->has_cpus || cap->in->settings->has_mems ?
					  " in the pool" : "");
		idx[(*n)++] = (unsigned)i;
	}
	if (*n == 0)
		return np_err_set(err, -ENXIO, "numad advised no node");
	return 0;
}

/* -ENOSPC: the nodes numad chose, idx[0..n) listed as `list`, have too little room left. */
static int np_numad_advice_overbook(const struct np_capacity *cap, const char *list,
			     const unsigned *idx, unsigned n, struct np_err *err)
{
	uint64_t v = 0, m = 0;
	_cleanup_free_ char *want = NULL;
	_cleanup_free_ char *have = NULL;

	for (unsigned j = 0; j < n; j++) {
		v += cap->nodes[idx[j]].vroom;
		m += cap->nodes[idx[j]].mroom;
	}
	want = np_capacity_describe(cap, cap->vcpus, cap->exclusive ? "exclusive CPU" : "vcpu",
				    cap->memory, ", ");
	have = np_capacity_describe(cap, v, cap->exclusive ? "free CPU" : "vcpu", m, " and ");
	if (!want || !have)
		return np_err_set(err, -ENOMEM, "out of memory");
	return np_err_set(err, -ENOSPC, "numad advised node%s %s, which would be overbooked: "
			  "requested %s; free there: %s", n > 1 ? "s" : "", list, want, have);
}

static int np_numad_advice_decide(const struct np_capacity *cap, const struct np_cpuset *nodes,
			   struct np_advice *adv, struct np_err *err)
{
	_cleanup_free_ unsigned *idx = calloc(cap->in->topo->nnodes + 1u, sizeof(*idx));
	_cleanup_free_ char *list = np_cpulist_format(nodes);
	unsigned n = 0;
	int r;

	if (!idx || !list)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_numad_advice_indexes(cap, nodes, idx, &n, err);
	if (r < 0)
		return r;
	if (!np_capacity_fits(cap, idx, n))
		return np_numad_advice_overbook(cap, list, idx, n, err);
	r = np_exclusive_advise(cap, idx, n, adv, err);
	if (r < 0)
		return r;
	if (asprintf(&adv->reason, "numad advised node%s %s", n > 1 ? "s" : "", list) < 0) {
		adv->reason = NULL;
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

int np_advisor_numad(const struct np_advisor_input *in, const struct np_cpuset *nodes,
		     struct np_advice *out, struct np_err *err)
{
	struct np_advice adv = { .advisor = NP_ADVISOR_NUMAD };
	struct np_capacity cap;
	int r = np_capacity_check_pools(in, err);

	if (r < 0)
		return r;
	r = np_exclusive_init(&cap, in, err);
	if (r < 0)
		return r;
	r = np_numad_advice_decide(&cap, nodes, &adv, err);
	np_capacity_clear(&cap);
	if (r < 0) {
		np_advice_clear(&adv);
		return r;
	}
	*out = adv;
	return 0;
}
