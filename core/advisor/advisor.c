/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Advisor dispatch and fallback, and what the engine does with an advice. */
#include "advisor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "cleanup.h"
#include "cpulist.h"

static const char *np_fallback_name(enum np_fallback fallback)
{
	return fallback == NP_FALLBACK_STATIC ? "static" : "builtin";
}

/* numad failed with `failure`: decide with settings.fallback instead. */
static int np_decide_fallback(const struct np_advisor_input *in, struct np_err *failure,
			      struct np_advice *out, struct np_err *err)
{
	enum np_fallback fb = in->settings->fallback;
	struct np_advice adv = { 0 };
	char *reason = NULL;
	int r;

	if (fb == NP_FALLBACK_NONE)
		return np_err_move(err, failure);
	if (fb == NP_FALLBACK_STATIC)
		r = np_advisor_static(in, &adv, err);
	else
		r = np_advisor_builtin(in, &adv, err);
	if (r < 0) {
		np_err_wrap(err, "%s; fallback %s", failure->msg, np_fallback_name(fb));
		np_err_clear(failure);
		return r;
	}
	if (asprintf(&reason, "%s; fell back to %s: %s", failure->msg, np_fallback_name(fb),
		     adv.reason) < 0) {
		np_advice_clear(&adv);
		np_err_clear(failure);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	free(adv.reason);
	adv.reason = reason;
	adv.fallback = true;
	np_err_clear(failure);
	*out = adv;
	return 0;
}

static int np_decide_numad(const struct np_advisor_input *in, const struct np_numad_answer *numad,
			   struct np_advice *out, struct np_err *err)
{
	struct np_err failure = NP_ERR_INIT;
	int r = np_capacity_check_pools(in, err);

	if (r < 0)
		return r;
	if (!numad)
		r = np_err_set(&failure, -ENOENT, "numad was not asked");
	else if (numad->err.code != 0)
		r = np_err_set(&failure, numad->err.code, "%s", numad->err.msg ? numad->err.msg : "numad failed");
	else
		r = np_advisor_numad(in, &numad->nodes, out, &failure);
	if (r == 0)
		return 0;
	return np_decide_fallback(in, &failure, out, err);
}

int np_advisor_decide(const struct np_advisor_input *in, const struct np_numad_answer *numad,
		      struct np_advice *out, struct np_err *err)
{
	switch (in->settings->advisor) {
	case NP_ADVISOR_STATIC:
		return np_advisor_static(in, out, err);
	case NP_ADVISOR_NUMAD:
		return np_decide_numad(in, numad, out, err);
	case NP_ADVISOR_BUILTIN:
		break;
	}
	return np_advisor_builtin(in, out, err);
}

static int np_shared_emptied(const struct np_record *rec, const struct np_cpuset *granted,
			     struct np_err *err)
{
	_cleanup_free_ char *list = np_cpulist_format(granted);

	return np_err_set(err, -EBUSY, "dedicating CPUs %s would leave guest %s no CPU",
			  list ? list : "?", rec->name);
}

int np_advisor_shared_updates(const struct np_record *records, size_t nrecords, const char *name,
			      const struct np_cpuset *granted,
			      struct np_shared_update **out, size_t *n, struct np_err *err)
{
	_cleanup_free_ struct np_shared_update *up = calloc(nrecords + 1, sizeof(*up));
	size_t count = 0;

	if (!up)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (size_t r = 0; r < nrecords; r++) {
		const struct np_record *rec = &records[r];

		if ((name && strcmp(rec->name, name) == 0) || !np_cpuset_empty(&rec->exclusive) ||
		    !np_cpuset_intersects(&rec->cpus, granted))
			continue;
		up[count].record = r;
		np_cpuset_andnot(&up[count].cpus, &rec->cpus, granted);
		if (np_cpuset_empty(&up[count].cpus))
			return np_shared_emptied(rec, granted, err);
		count++;
	}
	*out = count ? np_steal_ptr(&up) : NULL;
	*n = count;
	return 0;
}

bool np_advisor_shared_regrow(const struct np_topology *topo, const struct np_record *rec,
			      const struct np_cpuset *pool, const struct np_cpuset *freed,
			      struct np_cpuset *out)
{
	struct np_cpuset back = { 0 };

	if (!np_cpuset_empty(&rec->exclusive))
		return false;
	for (unsigned i = 0; i < topo->nnodes; i++)
		if (np_cpuset_has(&rec->nodes, topo->nodes[i].id))
			np_cpuset_or(&back, &back, &topo->nodes[i].cpus);
	np_cpuset_and(&back, &back, freed);
	if (pool)
		np_cpuset_and(&back, &back, pool);
	if (np_cpuset_subset(&back, &rec->cpus))
		return false;
	np_cpuset_or(out, &rec->cpus, &back);
	return true;
}
