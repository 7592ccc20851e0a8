/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing decisions into the kernel's cpuset groups. */
#include "engine_priv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The names of the child groups of `group` (libvirt's emulator, vcpuN,
 * iothreadN), as a heap array of heap strings. */
static int np_engine_children(struct np_cgroup *cg, const char *group, char ***out, size_t *n,
			      struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	char **names = NULL;
	struct dirent *de;
	size_t count = 0;
	bool oom = false;
	DIR *dir;

	if (asprintf(&path, "%s/%s", np_cgroup_mount(cg), group) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	dir = opendir(path);
	if (!dir)
		return np_err_set(err, -errno, "cgroup %s: %s", group, strerror(errno));
	while (!oom && (de = readdir(dir))) {
		char **grown;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		grown = realloc(names, (count + 1) * sizeof(*names));
		if (grown)
			names = grown;
		if (!grown || !(names[count] = strdup(de->d_name)))
			oom = true;
		else
			count++;
	}
	closedir(dir);
	*out = names;
	*n = count;
	return oom ? np_err_set(err, -ENOMEM, "out of memory") : 0;
}

static void np_engine_children_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A libvirt domain's group and its children: on v1 a child must stay
 * within its parent, so the parent first grows to hold both the old and
 * the new sets, then every child gets the new ones, then the parent. */
static int np_engine_apply_tree(struct np_cgroup *cg, const char *group,
				const struct np_cgroup_placement *pl, struct np_err *err)
{
	struct np_cgroup_placement wide = *pl;
	struct np_cgroup_state st;
	char **names = NULL;
	size_t n = 0;
	int r = np_cgroup_read(cg, group, &st, err);

	if (r == 0) {
		np_cpuset_or(&wide.cpus, &wide.cpus, &st.cpus);
		np_cpuset_or(&wide.mems, &wide.mems, &st.mems);
		r = np_cgroup_apply(cg, group, &wide, err);
	}
	if (r == 0)
		r = np_engine_children(cg, group, &names, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *child = NULL;

		if (asprintf(&child, "%s/%s", group, names[i]) < 0)
			r = np_err_set(err, -ENOMEM, "out of memory");
		else
			r = np_cgroup_apply(cg, child, pl, err);
	}
	np_engine_children_free(names, n);
	return r < 0 ? r : np_cgroup_apply(cg, group, pl, err);
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
	if (!rec->cgroup_owned && rec->frontend == NP_FRONTEND_LIBVIRT)
		return np_engine_apply_tree(cg, rec->cgroup, &pl, err);
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
	int r = list ? 0 : np_ledger_cache_list(eng->cache, ledger, &list, err);

	if (r == 0)
		r = np_advisor_shared_updates(list->records, list->nrecords, rec->name,
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
