/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing decisions into the kernel's cpuset groups. */
#include "engine_priv.h"

#include <errno.h>
#include <stdlib.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"

/* v1 refuses cpus its parent lacks (EACCES), and says no more than
 * "Permission denied". Say which CPUs the parent lacks, and the likely
 * cause: a CPU that went offline and came back returns to the root group
 * only. numaplace does not widen the parent itself: an administrator may
 * have narrowed it on purpose. */
static int np_engine_create(struct np_cgroup *cg, const struct np_record *rec,
			    const char *parent, const char *guest,
			    const struct np_cgroup_placement *pl, struct np_err *err)
{
	int r = np_cgroup_create(cg, parent, guest, pl, rec->pid, err);
	_cleanup_free_ char *lacks = NULL, *has = NULL;
	struct np_cgroup_state st;
	struct np_cpuset missing;

	if (r != -EACCES || np_cgroup_version(cg) != NP_CGROUP_V1 ||
	    np_cgroup_read(cg, parent, &st, NULL) < 0)
		return r;
	np_cpuset_andnot(&missing, &pl->cpus, &st.cpus);
	if (np_cpuset_empty(&missing) || !(lacks = np_cpulist_format(&missing)) ||
	    !(has = np_cpulist_format(&st.cpus)))
		return r;
	return np_err_set(err, -EACCES, "cgroup %s: CPUs %s are not in the parent group's "
			  "cpuset.cpus (%s); on cgroup v1 a CPU that went offline and came back "
			  "is given back to the root group only", rec->cgroup, lacks,
			  *has ? has : "empty");
}

int np_engine_apply(struct np_engine *eng, const struct np_record *rec, bool memory_migrate,
		    struct np_err *err)
{
	struct np_cgroup_placement pl = { rec->cpus, rec->mems, memory_migrate };
	_cleanup_free_ char *parent = NULL;
	struct np_cgroup *cg;
	const char *guest = NULL;
	int r;

	if ((r = np_engine_cgroup(eng, &cg, err)) < 0)
		return r;
	if (!rec->cgroup_owned)
		return np_cgroup_apply(cg, rec->cgroup, &pl, err);
	if ((r = np_group_split(rec->cgroup, &parent, &guest, err)) < 0)
		return r;
	return np_engine_create(cg, rec, parent, guest, &pl, err);
}

/* Give one shared guest its new cpuset, in the kernel and the ledger. */
static int np_engine_set_shared(struct np_engine *eng, struct np_ledger *ledger,
				const struct np_record *old, const struct np_cpuset *cpus,
				const char *what, struct np_err *err)
{
	struct np_cgroup_placement pl = { *cpus, old->mems, true };
	struct np_record rec = { 0 };
	struct np_cgroup *cg;
	int r = np_record_copy(&rec, old, err);

	if (r < 0)
		return r;
	rec.cpus = *cpus;
	if (rec.cgroup && rec.phase == NP_PHASE_PLACED &&
	    (r = np_engine_cgroup(eng, &cg, err)) == 0)
		r = np_cgroup_apply(cg, rec.cgroup, &pl, err);
	if (r == 0)
		r = np_ledger_write(ledger, &rec, err);
	if (r < 0)
		np_err_wrap(err, "%s shared guest %s", what, rec.name);
	np_record_clear(&rec);
	return r;
}

int np_engine_shrink_shared(struct np_engine *eng, struct np_ledger *ledger,
			    const struct np_ledger_list *list, const struct np_record *rec,
			    struct np_err *err)
{
	_cleanup_free_ struct np_shared_update *ups = NULL;
	size_t n = 0;
	int r = np_advisor_shared_updates(list->records, list->nrecords, rec->name,
					  &rec->exclusive, &ups, &n, err);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = np_engine_set_shared(eng, ledger, &list->records[ups[i].record], &ups[i].cpus,
					 "shrinking", err);
	return r;
}

/* Every shared guest gets back its share of `released`'s exclusive CPUs. */
static int np_engine_regrow_shared(struct np_engine *eng, struct np_ledger *ledger,
				   const struct np_record *released, struct np_err *err)
{
	const struct np_ledger_list *list = NULL;
	int r = np_engine_topology_locked(eng, err);

	if (r == 0)
		r = np_ledger_cache_list(eng->cache, ledger, &list, err);
	for (unsigned i = 0; r == 0 && i < list->nrecords; i++) {
		const struct np_record *rec = &list->records[i];
		struct np_settings s;
		struct np_cpuset cpus;

		if (np_engine_settings(eng, rec->name, &s, NULL) < 0 ||
		    !np_advisor_shared_regrow(eng->topo, rec, s.has_cpus ? &s.cpus : NULL,
					      &released->exclusive, &cpus))
			continue;
		r = np_engine_set_shared(eng, ledger, rec, &cpus, "growing", err);
		if (r == 0)
			np_engine_log(eng, NP_LOG_INFO, "gave %s's CPUs back to %s", released->name,
				      rec->name);
	}
	return r;
}

void np_engine_give_back(struct np_engine *eng, struct np_ledger *ledger,
			 const struct np_record *released)
{
	struct np_err local = NP_ERR_INIT;

	if (np_cpuset_empty(&released->exclusive))
		return;
	if (np_engine_regrow_shared(eng, ledger, released, &local) < 0)
		np_engine_log(eng, NP_LOG_WARNING, "guest %s: %s", released->name,
			      local.msg ? local.msg : "giving CPUs back to shared guests failed");
	np_err_clear(&local);
}
