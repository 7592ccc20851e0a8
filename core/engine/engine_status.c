/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status: what the ledger holds and what the machine says of it. */
#include "engine_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

/* Fill what the kernel says of one guest; a missing hierarchy means no group. */
static int np_status_probe(struct np_engine *eng, struct np_proc_boot *boot,
			   struct np_guest_status *g, struct np_err *err)
{
	struct np_cgroup_state st;
	struct np_cgroup *cg;
	int r = 0;

	if (g->rec.pid)
		r = np_proc_same(eng->proc_root, boot, g->rec.pid, g->rec.pid_start, g->rec.boot_id,
				 &g->alive, err);
	if (r < 0 || !g->rec.cgroup || np_engine_cgroup(eng, &cg, NULL) < 0)
		return r;
	r = np_cgroup_exists(cg, g->rec.cgroup, err);
	if (r <= 0)
		return r;
	g->cgroup_present = true;
	if ((r = np_cgroup_read(cg, g->rec.cgroup, &st, err)) < 0 ||
	    (r = np_engine_group_tasks(eng, &g->rec, &g->tasks, err)) < 0)
		return r;
	g->effective_cpus = st.effective_cpus;
	g->effective_mems = st.effective_mems;
	g->drift = g->rec.phase == NP_PHASE_PLACED &&
		   (!np_cpuset_equal(&st.effective_cpus, &g->rec.cpus) ||
		    !np_cpuset_equal(&st.effective_mems, &g->rec.mems));
	return 0;
}

/* Guest `only`'s record alone, as a listing of one (of none when it has
 * no record): `status NAME` reads nobody else's. */
static int np_status_one_record(struct np_ledger *ledger, const char *only,
				struct np_ledger_list *out, struct np_err *err)
{
	struct np_record rec = { 0 };
	int r = np_ledger_read(ledger, only, &rec, err);

	if (r == -ENOENT) {
		np_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	out->records = malloc(sizeof(*out->records));
	if (!out->records) {
		np_record_clear(&rec);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	out->records[0] = rec;
	out->nrecords = 1;
	return 0;
}

static int np_status_locked(struct np_engine *eng, const char *only, struct np_status *out,
			    struct np_err *err)
{
	struct np_ledger_list list = { 0 };
	struct np_ledger *ledger = NULL;
	struct np_proc_boot boot = { 0 };
	struct np_settings s;
	int r;

	np_policy_placement(eng->policy, &s);
	r = np_engine_ledger(eng, &s, true, &ledger, err);
	if (r == 0)
		r = only ? np_status_one_record(ledger, only, &list, err) :
			   np_ledger_list(ledger, false, &list, err);
	if (r == 0)
		r = np_refused_read(ledger, &out->refused, err);
	if (r == 0 && list.nrecords) {
		out->guests = calloc(list.nrecords, sizeof(*out->guests));
		if (!out->guests)
			r = np_err_set(err, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; r == 0 && i < list.nrecords; i++) {
		out->guests[i].rec = list.records[i];
		memset(&list.records[i], 0, sizeof(list.records[i]));
		out->n = i + 1;
		r = np_status_probe(eng, &boot, &out->guests[i], err);
		if (r == 0)
			r = np_engine_guest_memory(eng, &out->guests[i], err);
		if (r < 0)
			np_err_wrap(err, "guest %s", out->guests[i].rec.name);
	}
	np_ledger_list_clear(&list);
	np_ledger_close(ledger);
	return r;
}

int np_engine_status(struct np_engine *eng, const char *only, struct np_status *out,
		      struct np_err *err)
{
	struct np_status st = { 0 };
	int r;

	pthread_mutex_lock(&eng->lock);
	r = np_status_locked(eng, only, &st, err);
	pthread_mutex_unlock(&eng->lock);
	if (r < 0) {
		np_status_clear(&st);
		return r;
	}
	*out = st;
	return 0;
}
