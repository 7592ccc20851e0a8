/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reconcile: make the ledger and the cpuset groups agree again. */
#include "engine_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "proc.h"

static int np_report_add(struct np_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int np_report_add(struct np_report *rep, const char *fmt, ...)
{
	char **lines = realloc(rep->lines, (rep->n + 1) * sizeof(*lines));
	va_list ap;
	int r;

	if (!lines)
		return -ENOMEM;
	rep->lines = lines;
	va_start(ap, fmt);
	r = vasprintf(&lines[rep->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	rep->n++;
	return 0;
}

struct np_reconcile {
	struct np_engine *eng;
	struct np_ledger *ledger;
	struct np_report *rep;
	struct np_proc_boot boot; /* read at most once per call */
};

static int np_reconcile_corrupt(struct np_reconcile *rc, const struct np_ledger_corrupt *c,
				struct np_err *err)
{
	int r = np_ledger_quarantine(rc->ledger, c->name, err);

	if (r == 0)
		np_report_add(rc->rep, "moved aside %s as .corrupt.%s.json: %s", c->name, c->name, c->why);
	return r;
}

static int np_reconcile_drop(struct np_reconcile *rc, const struct np_record *rec,
			     const char *why, struct np_err *err)
{
	int r = np_engine_remove_group(rc->eng, rec, true, err);

	if (r == 0)
		r = np_ledger_remove(rc->ledger, rec->name, err);
	if (r == 0)
		np_report_add(rc->rep, "dropped %s: %s", rec->name, why);
	if (r == 0)
		np_engine_give_back(rc->eng, rc->ledger, rec);
	return r;
}

/* An exclusive guest applied again: the shared guests give up its CPUs,
 * which `place` may not have got to before it was cut short. */
static int np_reconcile_exclusive(struct np_reconcile *rc, const struct np_record *rec,
				  struct np_err *err)
{
	const struct np_ledger_list *list = NULL;
	int r;

	if (np_cpuset_empty(&rec->exclusive))
		return 0;
	r = np_ledger_cache_list(rc->eng->cache, rc->ledger, &list, err);
	if (r == 0)
		r = np_engine_shrink_shared(rc->eng, rc->ledger, list, rec, err);
	return r;
}

/* A live guest whose placement was cut short, or whose group vanished:
 * apply it again from the record. */
static int np_reconcile_reapply(struct np_reconcile *rc, struct np_record *rec,
				const char *why, struct np_err *err)
{
	struct np_settings s;
	int r = np_engine_settings(rc->eng, rec->name, &s, err);

	if (r == 0)
		r = np_engine_remove_group(rc->eng, rec, true, err);
	if (r == 0)
		r = np_engine_apply(rc->eng, rec, s.memory_migrate, err);
	if (r == 0)
		r = np_reconcile_exclusive(rc, rec, err);
	if (r < 0)
		return r;
	rec->phase = NP_PHASE_PLACED;
	r = np_ledger_write(rc->ledger, rec, err);
	if (r == 0)
		np_report_add(rc->rep, "re-applied %s: %s", rec->name, why);
	return r;
}

/* How far up the parent chain np_reconcile_descends() looks. */
#define NP_RECONCILE_MAX_DEPTH 4096u

/* Whether `pid` is `root` or descends from it. */
static bool np_reconcile_descends(const char *proc, pid_t pid, pid_t root)
{
	for (unsigned depth = 0; pid > 0 && depth < NP_RECONCILE_MAX_DEPTH; depth++) {
		if (pid == root)
			return true;
		if (np_proc_parent(proc, pid, &pid, NULL) < 0)
			return false;
	}
	return false;
}

/* Move the processes of group `from` that are the guest's process or
 * descend from it into the guest's group; `*moved` counts them. */
static int np_reconcile_return(struct np_reconcile *rc, struct np_cgroup *cg,
			       const struct np_record *rec, const char *from, unsigned *moved,
			       struct np_err *err)
{
	_cleanup_free_ pid_t *tasks = NULL;
	size_t n = 0;
	int r = np_cgroup_tasks(cg, from, &tasks, &n, err);

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!np_reconcile_descends(rc->eng->proc_root, tasks[i], rec->pid))
			continue;
		r = np_cgroup_attach(cg, rec->cgroup, tasks[i], err);
		if (r == -ESRCH) {
			np_err_clear(err);
			r = 0;
		} else if (r == 0) {
			(*moved)++;
		}
	}
	return r;
}

/* v1 moves the tasks of a group that hotplug emptied to its parent: put
 * the guest's process, and the processes it started, back into the group
 * numaplace made for it, when the kernel moved them up (not when someone
 * moved them elsewhere). */
static int np_reconcile_regroup(struct np_reconcile *rc, struct np_cgroup *cg,
				const struct np_record *rec, struct np_err *err)
{
	_cleanup_free_ char *now = NULL;
	unsigned moved = 0;
	size_t len;
	int r;

	if (!rec->cgroup_owned || !rec->pid)
		return 0;
	r = np_cgroup_pid_group(cg, rec->pid, &now, err);
	if (r < 0)
		return r;
	len = strlen(now);
	if (strcmp(now, rec->cgroup) == 0 ||
	    (len && (strncmp(now, rec->cgroup, len) != 0 || rec->cgroup[len] != '/')))
		return 0;
	r = np_reconcile_return(rc, cg, rec, now, &moved, err);
	if (r == 0 && moved > 1)
		np_report_add(rc->rep, "moved %s's pid %d and %u process%s it started back from "
			      "\"/%s\" into %s", rec->name, (int)rec->pid, moved - 1,
			      moved == 2 ? "" : "es", now, rec->cgroup);
	else if (r == 0 && moved)
		np_report_add(rc->rep, "moved %s's pid %d back from \"/%s\" into %s", rec->name,
			      (int)rec->pid, now, rec->cgroup);
	return r;
}

/* CPU hotplug emptied or shrank the group: write the reservation again,
 * as far as the CPUs online now allow (on v1 into the ancestors first,
 * which lost the CPUs too), and bring back the process v1 moved out. */
static int np_reconcile_drift(struct np_reconcile *rc, const struct np_record *rec,
			      const struct np_cgroup_state *st, struct np_err *err)
{
	struct np_cgroup_placement pl = { rec->cpus, rec->mems, true };
	_cleanup_free_ char *was = np_cpulist_format(&st->effective_cpus);
	_cleanup_free_ char *now = np_cpulist_format(&rec->cpus);
	struct np_cgroup *cg;
	int r = np_engine_cgroup(rc->eng, &cg, err);

	if (r == 0)
		r = np_cgroup_widen(cg, rec->cgroup, &pl, err);
	if (r == 0)
		r = np_cgroup_apply(cg, rec->cgroup, &pl, err);
	if (r == 0)
		np_report_add(rc->rep, "restored %s: cpus %s (were %s)", rec->name,
			      now ? now : "?", was && *was ? was : "none");
	if (r == 0)
		r = np_reconcile_regroup(rc, cg, rec, err);
	return r;
}

static int np_reconcile_one(struct np_reconcile *rc, struct np_record *rec, struct np_err *err)
{
	struct np_cgroup_state st;
	struct np_cgroup *cg;
	bool same = false;
	int r = 0;

	if (rec->pid)
		r = np_proc_same(rc->eng->proc_root, &rc->boot, rec->pid, rec->pid_start, rec->boot_id,
				 &same, err);
	if (r < 0)
		return r;
	if (rec->pid && !same) {
		unsigned left = 0;

		/* A command that daemonized: the group numaplace made still
		 * holds its tasks; the placement stays until they are gone. */
		if ((r = np_engine_group_tasks(rc->eng, rec, &left, err)) < 0)
			return r;
		if (left)
			return 0;
		return np_reconcile_drop(rc, rec, "its process is gone", err);
	}
	if (!rec->cgroup)
		return 0;
	if (rec->phase == NP_PHASE_APPLYING)
		return np_reconcile_reapply(rc, rec, "its placement was interrupted", err);
	if ((r = np_engine_cgroup(rc->eng, &cg, err)) < 0 ||
	    (r = np_cgroup_exists(cg, rec->cgroup, err)) < 0)
		return r;
	if (r == 0)
		return rec->cgroup_owned ? np_reconcile_reapply(rc, rec, "its group was gone", err) : 0;
	if ((r = np_cgroup_read(cg, rec->cgroup, &st, err)) < 0)
		return r;
	if (np_cpuset_equal(&st.effective_cpus, &rec->cpus) &&
	    np_cpuset_equal(&st.effective_mems, &rec->mems))
		return 0;
	return np_reconcile_drift(rc, rec, &st, err);
}

/* Reconcile guest `name` from its record as it is now (an earlier guest's
 * repair may have rewritten it); a failure goes into the report. */
static void np_reconcile_fresh(struct np_reconcile *rc, const char *name)
{
	struct np_record rec = { 0 };
	struct np_err one = NP_ERR_INIT;
	int r = np_ledger_read(rc->ledger, name, &rec, &one);

	if (r == -ENOENT) {
		np_err_clear(&one);
		return;
	}
	if (r == 0)
		r = np_reconcile_one(rc, &rec, &one);
	if (r < 0) {
		rc->rep->failed++;
		np_report_add(rc->rep, "could not reconcile %s: %s", name,
			      one.msg ? one.msg : "unknown error");
	}
	np_record_clear(&rec);
	np_err_clear(&one);
}

/* A change cut short is ended, and the summary made again from the records
 * as they now stand, so that one changed by hand or damaged is not trusted
 * a moment longer. */
static int np_reconcile_summary(struct np_reconcile *rc, struct np_err *err)
{
	int r = np_ledger_settle(rc->ledger, err);
	const char *why;

	if (r == 0)
		r = np_ledger_cache_rebuild(rc->eng->cache, rc->ledger, err);
	why = np_ledger_cache_why(rc->eng->cache);

	if (r == 0 && why[0])
		np_report_add(rc->rep, "rebuilt the ledger summary: %s", why);
	return r;
}

static int np_reconcile_locked(struct np_reconcile *rc, struct np_err *err)
{
	struct np_ledger_list list = { 0 };
	unsigned swept = 0;
	int r = np_ledger_sweep(rc->ledger, &swept, err);

	if (r == 0 && swept)
		np_report_add(rc->rep, "removed %u temporary file%s of interrupted writes", swept,
			      swept == 1 ? "" : "s");
	if (r == 0)
		r = np_ledger_list(rc->ledger, true, &list, err);

	for (unsigned i = 0; r == 0 && i < list.ncorrupt; i++)
		r = np_reconcile_corrupt(rc, &list.corrupt[i], err);
	for (unsigned i = 0; r == 0 && i < list.nrecords; i++)
		np_reconcile_fresh(rc, list.records[i].name);
	np_ledger_list_clear(&list);
	if (r == 0)
		r = np_reconcile_summary(rc, err);
	return r;
}

int np_engine_reconcile(struct np_engine *eng, struct np_report *out, struct np_err *err)
{
	struct np_report rep = { 0 };
	struct np_reconcile rc = { .eng = eng, .rep = &rep };
	struct np_settings s;
	int r;

	pthread_mutex_lock(&eng->lock);
	np_policy_placement(eng->policy, &s);
	r = np_engine_require_live(eng, "reconcile", err);
	if (r == 0)
		r = np_engine_ledger(eng, &s, false, &rc.ledger, err);
	if (r == 0)
		r = np_ledger_lock(rc.ledger, err);
	if (r == 0)
		r = np_reconcile_locked(&rc, err);
	np_ledger_close(rc.ledger);
	pthread_mutex_unlock(&eng->lock);
	for (unsigned i = 0; i < rep.n; i++)
		np_engine_log(eng, NP_LOG_INFO, "reconcile: %s", rep.lines[i]);
	*out = rep;
	return r;
}
