/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* advise, reserve and place: decide under the ledger lock, record, apply. */
#include "engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "name.h"
#include "numad.h"
#include "proc.h"

/* Everything one call works with; cleared by np_call_clear(). */
struct np_call {
	struct np_engine *eng;
	const struct np_request_opts *req;
	struct np_guest guest;
	struct np_numad_answer numad;
	struct np_ledger *ledger;
	const struct np_ledger_list *list; /* the others' bookings, borrowed from eng->cache
					    * (np_ledger_cache_booked(): groups of shared guests) */
	struct np_proc_boot boot;          /* read at most once per call */
};

static void np_call_clear(struct np_call *call)
{
	np_numad_answer_clear(&call->numad);
	call->list = NULL;
	np_ledger_close(call->ledger);
	call->ledger = NULL;
}

/* Ask numad, outside the ledger lock, when the guest's advisor is numad.
 * `advise` must not create files in the state dir: it takes numad's lock
 * only when the lock file is already there. */
static void np_call_ask_numad(struct np_call *call, bool may_create)
{
	const struct np_guest *g = &call->guest;
	_cleanup_free_ char *lock = NULL;

	if (g->settings.advisor != NP_ADVISOR_NUMAD)
		return;
	if (asprintf(&lock, "%s/.numad.lock", call->eng->state_dir) < 0)
		lock = NULL;
	if (lock && !may_create && access(lock, F_OK) != 0) {
		free(lock);
		lock = NULL;
	}
	np_numad_ask(&g->settings, lock, call->eng->topo, g->vcpus, g->memory, &call->numad);
}

/* Resolve the guest, open the ledger (which makes the state dir), ask
 * numad outside the lock, then take the lock unless only reading. */
static int np_call_begin(struct np_call *call, bool read_only, struct np_err *err)
{
	const struct np_request_opts *req = call->req;
	int r;

	r = np_engine_guest(call->eng, req->name, req->vcpus, req->memory, &call->guest, err);
	if (r < 0)
		return r;
	if (req->exclusive && !call->guest.settings.origin[NP_KEY_EXCLUSIVE].file)
		call->guest.settings.exclusive = true;
	if (req->pinned) {
		call->guest.settings.advisor = NP_ADVISOR_STATIC;
		call->guest.settings.has_cpus = true;
		call->guest.settings.cpus = *req->pinned;
	}
	r = np_engine_ledger(call->eng, &call->guest.settings, read_only, &call->ledger, err);
	if (r < 0)
		return r;
	np_call_ask_numad(call, !read_only);
	if (!read_only && np_ledger_lock(call->ledger, err) < 0)
		return np_err_wrap(err, "state %s", call->eng->state_dir);
	return read_only ? 0 : np_engine_bind(call->eng, true, err);
}

/* The reason of a booking the manager pinned: it is not the policy's. */
static int np_call_pinned_reason(struct np_record *rec, struct np_err *err)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&rec->cpus);
	char *reason = NULL;

	if (!cpus || asprintf(&reason, "pinned by its manager to CPUs %s: booked, not written",
			      cpus) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	free(rec->reason);
	rec->reason = reason;
	return 0;
}

/* call->list: the others' bookings. A summary that had to be rebuilt is logged. */
static int np_call_booked(struct np_call *call, const char *self, struct np_err *err)
{
	int r = np_ledger_cache_booked(call->eng->cache, call->ledger, self, &call->list, err);
	const char *why = np_ledger_cache_why(call->eng->cache);

	if (r == 0 && why[0])
		np_engine_log(call->eng, NP_LOG_INFO, "ledger summary rebuilt from the records: %s",
			      why);
	return r;
}

/* Run the advisors over the current reservations into `rec`. */
static int np_call_decide(struct np_call *call, struct np_record *rec, struct np_err *err)
{
	const struct np_guest *g = &call->guest;
	struct np_request request = { g->name, g->vcpus, g->memory };
	struct np_advisor_input in = {
		.topo = call->eng->topo,
		.settings = &g->settings,
		.request = &request,
	};
	struct np_advice adv = { 0 };
	struct np_topology *pool = NULL;
	bool numad = g->settings.advisor == NP_ADVISOR_NUMAD;
	int r;

	/* Static cpus are the administrator's own: a parent that lacks them
	 * is said so when the group is written (engine_apply.c). */
	if (np_call_booked(call, g->name, err) < 0 ||
	    (g->settings.advisor != NP_ADVISOR_STATIC && !call->req->pinned &&
	     np_engine_pool(call->eng, &g->settings, &pool, err) < 0))
		return np_err_wrap(err, "guest %s", g->name);
	in.records = call->list->records;
	in.nrecords = call->list->nrecords;
	if (pool)
		in.topo = pool;
	r = np_advisor_decide(&in, numad ? &call->numad : NULL, &adv, err);
	if (r < 0 && pool)
		np_engine_pool_hint(pool, np_engine_cgroup_parent(call->eng, &g->settings), err);
	if (r == 0)
		r = np_advice_to_record(&adv, rec, err);
	np_advice_clear(&adv);
	np_topology_free(pool);
	if (r < 0)
		return np_err_wrap(err, "guest %s", g->name);
	snprintf(rec->name, sizeof(rec->name), "%s", g->name);
	rec->time = (int64_t)time(NULL);
	rec->frontend = call->req->frontend;
	rec->numad_vcpus = call->req->numad_vcpus;
	rec->numad_mb = call->req->numad_mb;
	return call->req->pinned ? np_call_pinned_reason(rec, err) : 0;
}

/* -EBUSY when `old` was made by another known front end than the caller. */
static int np_call_check_frontend(const struct np_call *call, const struct np_record *old,
				  struct np_err *err)
{
	enum np_frontend fe = call->req->frontend;

	if (fe == NP_FRONTEND_UNKNOWN || old->frontend == NP_FRONTEND_UNKNOWN ||
	    old->frontend == fe)
		return 0;
	return np_err_set(err, -EBUSY, "guest %s is held by the %s front end, not %s: "
			  "guest names are shared by every front end", old->name,
			  np_record_frontend_name(old->frontend), np_record_frontend_name(fe));
}

static void np_call_log(struct np_call *call, const char *what, const struct np_record *rec)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&rec->cpus);
	_cleanup_free_ char *mems = np_cpulist_format(&rec->mems);

	np_engine_log(call->eng, NP_LOG_INFO, "%s %s pid=%d cpus=%s mems=%s advisor=%s%s reason=%s",
		      what, rec->name, (int)rec->pid, cpus ? cpus : "?", mems ? mems : "?",
		      np_advisor_name(rec->advisor), rec->fallback ? " (fallback)" : "",
		      rec->reason ? rec->reason : "");
}

static int np_call_fail(struct np_call *call, const char *what, struct np_err *err)
{
	np_engine_log(call->eng, NP_LOG_ERROR, "%s %s failed: %s", what, call->req->name,
		      err && err->msg ? err->msg : "unknown error");
	return err ? err->code : -EIO;
}

/* Whether a shared guest has some of `rec`'s exclusive CPUs, by the
 * bookings the decision saw (groups of shared guests: true when any
 * member has). An error says yes, so that the records are looked at. */
static bool np_call_shares(const struct np_call *call, const struct np_record *rec)
{
	_cleanup_free_ struct np_shared_update *ups = NULL;
	size_t n = 0;

	if (np_advisor_shared_updates(call->list->records, call->list->nrecords, rec->name,
				      &rec->exclusive, &ups, &n, NULL) < 0)
		return true;
	return n > 0;
}

/* After `rec` was granted exclusive CPUs: the shared guests give them up
 * (docs/contract.md), in the ledger and, when placed, in the kernel. A failure is
 * logged; the grant stands. */
static void np_call_shrink_shared(struct np_call *call, const struct np_record *rec)
{
	struct np_err local = NP_ERR_INIT;

	if (np_cpuset_empty(&rec->exclusive) || !np_call_shares(call, rec))
		return;
	if (np_engine_shrink_shared(call->eng, call->ledger, NULL, rec, &local) < 0)
		np_engine_log(call->eng, NP_LOG_WARNING, "guest %s: %s", rec->name,
			      local.msg ? local.msg : "shrinking shared guests failed");
	np_err_clear(&local);
}

/* Whether the request sizes the guest otherwise than `old` does. Only what
 * the request gives explicitly counts (the command line, the hook's
 * options, the policy); the rest keeps `old`'s values, which the guest
 * then takes on for a new decision. */
static bool np_call_resized(struct np_call *call, const struct np_record *old)
{
	struct np_guest *g = &call->guest;
	const struct np_settings *s = &g->settings;
	bool vcpus = call->req->vcpus || s->origin[NP_KEY_VCPUS].file;
	bool memory = call->req->memory || s->origin[NP_KEY_MEMORY].file;
	bool exclusive = call->req->exclusive || s->origin[NP_KEY_EXCLUSIVE].file;
	bool was_exclusive = !np_cpuset_empty(&old->exclusive);
	bool differs = (vcpus && g->vcpus != old->vcpus) || (memory && g->memory != old->memory) ||
		       (exclusive && g->settings.exclusive != was_exclusive);

	if (!differs)
		return false;
	if (!vcpus)
		g->vcpus = old->vcpus ? old->vcpus : 1;
	if (!memory)
		g->memory = old->memory;
	if (!exclusive)
		g->settings.exclusive = was_exclusive;
	return true;
}

/* Decide again for a guest whose record `old` had another size: the
 * advisors do not count the guest's own booking, so it is given back as
 * the new one is taken. A placed guest keeps its process and group, and
 * the group is rewritten in place. Nothing changes when the new size does
 * not fit or the group cannot take it. */
static int np_call_redecide(struct np_call *call, const struct np_record *old,
			    struct np_record *rec, struct np_err *err)
{
	struct np_cgroup_placement pl;
	struct np_cgroup *cg;
	int r = np_call_decide(call, rec, err);

	if (r < 0)
		return r;
	rec->phase = old->phase;
	rec->pid = old->pid;
	rec->pid_start = old->pid_start;
	memcpy(rec->boot_id, old->boot_id, sizeof(rec->boot_id));
	rec->cgroup_owned = old->cgroup_owned;
	if ((old->cgroup && !(rec->cgroup = strdup(old->cgroup))) ||
	    (old->origin && !(rec->origin = strdup(old->origin))))
		return np_err_set(err, -ENOMEM, "out of memory");
	pl = (struct np_cgroup_placement){ rec->cpus, rec->mems,
					   call->guest.settings.memory_migrate };
	if (rec->cgroup && rec->phase == NP_PHASE_PLACED &&
	    ((r = np_engine_cgroup(call->eng, &cg, err)) < 0 ||
	     (r = np_cgroup_apply(cg, rec->cgroup, &pl, err)) < 0))
		return np_err_wrap(err, "guest %s", rec->name);
	r = np_ledger_write(call->ledger, rec, err);
	if (r < 0)
		return r;
	np_engine_give_back(call->eng, call->ledger, old);
	np_call_shrink_shared(call, rec);
	np_engine_log(call->eng, NP_LOG_INFO, "resized %s: vcpus %u -> %u, memory %llu -> %llu",
		      rec->name, old->vcpus, rec->vcpus, (unsigned long long)old->memory,
		      (unsigned long long)rec->memory);
	return 0;
}

static int np_advise_locked(struct np_call *call, struct np_result *res, struct np_err *err)
{
	int r = np_call_begin(call, true, err);

	return r < 0 ? r : np_call_decide(call, &res->rec, err);
}

/* An existing record under the same name, for reserve: a PID-less
 * reservation is returned as it is; anything else is taken. */
static int np_reserve_existing(struct np_call *call, struct np_result *res, struct np_err *err)
{
	struct np_record old = { 0 };
	int r = np_ledger_read(call->ledger, call->req->name, &old, err);

	if (r == -ENOENT) {
		np_err_clear(err);
		return 0;
	}
	if (r == 0)
		r = np_call_check_frontend(call, &old, err);
	if (r < 0) {
		np_record_clear(&old);
		return r;
	}
	if ((old.pid == 0 || old.phase == NP_PHASE_PLACED) && np_call_resized(call, &old)) {
		r = np_call_redecide(call, &old, &res->rec, err);
		np_record_clear(&old);
		return r < 0 ? r : 1;
	}
	if (old.pid == 0 && old.phase == NP_PHASE_RESERVED) {
		res->rec = old;
		res->noop = true;
		return 1;
	}
	r = np_err_set(err, -EEXIST, "guest %s is already placed (pid %d); release it first",
		       old.name, (int)old.pid);
	np_record_clear(&old);
	return r;
}

static int np_reserve_locked(struct np_call *call, struct np_result *res, struct np_err *err)
{
	int r = np_call_begin(call, false, err);

	if (r == 0)
		r = np_reserve_existing(call, res, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = np_call_decide(call, &res->rec, err);
	res->rec.phase = NP_PHASE_RESERVED;
	if (r == 0)
		r = np_ledger_write(call->ledger, &res->rec, err);
	if (r == 0)
		np_call_shrink_shared(call, &res->rec);
	return r;
}

/* What to do about a record already kept under the guest's name. */
enum np_prior { NP_PRIOR_NONE, NP_PRIOR_SAME, NP_PRIOR_ADOPT };

/* A record whose process is gone: take its group and the record away. */
static int np_place_drop_stale(struct np_call *call, const struct np_record *old,
			       struct np_err *err)
{
	int r = np_engine_remove_group(call->eng, old, true, err);

	if (r == 0)
		r = np_ledger_remove(call->ledger, old->name, err);
	if (r == 0)
		np_engine_log(call->eng, NP_LOG_INFO, "dropped stale %s: pid %d is gone",
			      old->name, (int)old->pid);
	return r;
}

/* Classify the existing record; on SAME and ADOPT it moves into `rec`.
 * A PID-less reservation is adopted; the same live PID is SAME when
 * placed (else its half-done placement is redone); another live PID is
 * an error; a record whose process is gone is dropped. */
static int np_place_prior(struct np_call *call, struct np_record *rec, struct np_err *err)
{
	struct np_record old = { 0 };
	bool same = false;
	int r = np_ledger_read(call->ledger, call->req->name, &old, err);

	if (r == -ENOENT) {
		np_err_clear(err);
		return NP_PRIOR_NONE;
	}
	if (r == 0)
		r = np_call_check_frontend(call, &old, err);
	if (r == 0 && old.pid != 0)
		r = np_proc_same(call->eng->proc_root, &call->boot, old.pid, old.pid_start, old.boot_id,
				 &same, err);
	if (r < 0) {
		np_record_clear(&old);
		return r;
	}
	if (old.pid != 0 && !same) {
		r = np_place_drop_stale(call, &old, err);
		np_record_clear(&old);
		return r < 0 ? r : NP_PRIOR_NONE;
	}
	if (old.pid != 0 && old.pid != call->req->pid) {
		r = np_err_set(err, -EBUSY, "guest %s is placed with live pid %d", old.name, (int)old.pid);
		np_record_clear(&old);
		return r;
	}
	*rec = old;
	return old.pid && old.phase == NP_PHASE_PLACED ? NP_PRIOR_SAME : NP_PRIOR_ADOPT;
}

/* Where the process is now, for release to send its tasks back: kept
 * from the record when it is already in the guest's group (a placement
 * redone); none for a group numaplace does not own. */
static int np_place_origin(struct np_cgroup *cg, struct np_record *rec, pid_t pid,
			   struct np_err *err)
{
	char *now = NULL;

	if (!rec->cgroup_owned) {
		free(rec->origin);
		rec->origin = NULL;
		return 0;
	}
	if (np_cgroup_pid_group(cg, pid, &now, err) < 0)
		return np_err_wrap(err, "pid %d", (int)pid);
	if (strcmp(now, rec->cgroup) == 0) {
		free(now);
		return 0;
	}
	free(rec->origin);
	rec->origin = now;
	return 0;
}

/* Fill the process, the group and the phase into a decided record. */
static int np_place_target(struct np_call *call, struct np_record *rec, uint64_t start,
			   struct np_err *err)
{
	const struct np_request_opts *req = call->req;
	struct np_cgroup *cg;
	char *path = NULL;
	int r;

	if ((r = np_engine_cgroup(call->eng, &cg, err)) < 0)
		return r;
	rec->phase = NP_PHASE_APPLYING;
	rec->pid = req->pid;
	rec->pid_start = start;
	if (np_proc_boot_get(call->eng->proc_root, &call->boot, NULL) < 0)
		rec->boot_id[0] = '\0';
	else
		memcpy(rec->boot_id, call->boot.id, sizeof(call->boot.id));
	rec->frontend = req->frontend;
	free(rec->cgroup);
	rec->cgroup = NULL;
	rec->cgroup_owned = false;
	if (req->pinned)
		return 0;
	if (req->target == NP_TARGET_GROUP)
		path = req->group ? strdup(req->group) : NULL;
	else if (asprintf(&path, "%s/%s", np_engine_cgroup_parent(call->eng, &call->guest.settings),
			  rec->name) < 0)
		path = NULL;
	if (!path)
		return np_err_set(err, -EINVAL, "no cgroup to place guest %s in", rec->name);
	rec->cgroup = path;
	rec->cgroup_owned = req->target == NP_TARGET_CREATE;
	return np_place_origin(cg, rec, req->pid, err);
}

/* Record `applying`, write the cgroup, shrink shared guests, record `placed`. */
static int np_place_apply(struct np_call *call, struct np_record *rec, struct np_err *err)
{
	bool migrate = call->guest.settings.memory_migrate;
	int r = np_ledger_write(call->ledger, rec, err);

	if (r < 0)
		return r;
	np_engine_pause(call->eng, "after-reserve");
	r = rec->cgroup ? np_engine_apply(call->eng, rec, migrate, err) : 0;
	if (r < 0) {
		np_ledger_remove(call->ledger, rec->name, NULL);
		return np_err_wrap(err, "guest %s", rec->name);
	}
	np_engine_pause(call->eng, "after-cgroup");
	np_call_shrink_shared(call, rec);
	rec->phase = NP_PHASE_PLACED;
	return np_ledger_write(call->ledger, rec, err);
}

/* Adopting a record: drop a half-made group, and read the others'
 * records, which np_call_decide() would have read. */
static int np_place_adopt(struct np_call *call, struct np_record *rec, struct np_err *err)
{
	int r = np_engine_remove_group(call->eng, rec, true, err);

	if (r == 0)
		r = np_call_booked(call, rec->name, err);
	return r;
}

/* place of a guest whose record has another size: a placed one is
 * rewritten in place; a reservation (or a half-done placement) gets a new
 * decision, which is then applied as a new one is. `res->rec` holds the
 * old record on entry, the new one on success. */
static int np_place_resize(struct np_call *call, int prior, uint64_t start,
			   struct np_result *res, struct np_err *err)
{
	struct np_record old = res->rec;
	int r;

	memset(&res->rec, 0, sizeof(res->rec));
	if (prior == NP_PRIOR_SAME)
		r = np_call_redecide(call, &old, &res->rec, err);
	else if ((r = np_call_decide(call, &res->rec, err)) == 0 &&
		 (r = np_engine_remove_group(call->eng, &old, true, err)) == 0)
		r = np_place_target(call, &res->rec, start, err);
	if (r == 0 && prior != NP_PRIOR_SAME)
		r = np_place_apply(call, &res->rec, err);
	np_record_clear(&old);
	return r;
}

static int np_place_locked(struct np_call *call, struct np_result *res, struct np_err *err)
{
	uint64_t start = 0;
	bool alive = false;
	int prior, r;

	r = np_engine_require_live(call->eng, "place", err);
	if (r == 0)
		r = np_proc_alive(call->eng->proc_root, call->req->pid, &alive, &start, err);
	if (r == 0 && !alive)
		r = np_err_set(err, -ESRCH, "pid %d: no such process", (int)call->req->pid);
	if (r == 0)
		r = np_call_begin(call, false, err);
	if (r < 0)
		return r;
	prior = np_place_prior(call, &res->rec, err);
	if (prior < 0)
		return prior;
	if (prior != NP_PRIOR_NONE && np_call_resized(call, &res->rec))
		return np_place_resize(call, prior, start, res, err);
	if (prior == NP_PRIOR_SAME && call->req->reapply && res->rec.cgroup) {
		r = np_engine_apply(call->eng, &res->rec, call->guest.settings.memory_migrate, err);
		return r < 0 ? np_err_wrap(err, "guest %s", res->rec.name) : 0;
	}
	if (prior == NP_PRIOR_SAME) {
		res->noop = true;
		return 0;
	}
	if (prior == NP_PRIOR_ADOPT)
		r = np_place_adopt(call, &res->rec, err);
	else
		r = np_call_decide(call, &res->rec, err);
	if (r == 0)
		r = np_place_target(call, &res->rec, start, err);
	if (r == 0)
		r = np_place_apply(call, &res->rec, err);
	return r;
}

/* After a reserve or place, under the lock it still holds: a success
 * forgets the guest's refusal; a failure (no fit, numad, the cgroup, ...)
 * is kept as its refusal while the guest holds no record. Failures met
 * before the lock (input errors, a PID that does not exist) leave the
 * state dir as it was. A failure here is only logged. */
static void np_call_note_refusal(struct np_call *call, int r, const struct np_err *err)
{
	struct np_err local = NP_ERR_INIT;
	struct np_record rec = { 0 };
	const char *name = call->req->name;
	int q;

	if (!call->ledger || !np_ledger_locked(call->ledger))
		return;
	if (r == 0) {
		q = np_refused_forget(call->ledger, name, &local);
	} else {
		q = np_ledger_read(call->ledger, name, &rec, NULL);
		np_record_clear(&rec);
		q = q != -ENOENT ? 0 : np_refused_note(call->ledger, name, (int64_t)time(NULL),
						       err && err->msg ? err->msg : strerror(-r), &local);
	}
	if (q < 0)
		np_engine_log(call->eng, NP_LOG_WARNING, "guest %s: %s", name,
			      local.msg ? local.msg : "keeping the refusal failed");
	np_err_clear(&local);
}

typedef int (*np_call_fn)(struct np_call *call, struct np_result *res, struct np_err *err);

/* One request under the engine's mutex: `fn` does the work; `what` names
 * it in the log ("reserve": "reserved …" or "reserve … failed"), NULL for
 * advise, which logs nothing. `*out` is set only on success. */
static int np_engine_call(struct np_engine *eng, const struct np_request_opts *req,
			  np_call_fn fn, const char *what, const char *done,
			  struct np_result *out, struct np_err *err)
{
	struct np_call call = { .eng = eng, .req = req };
	struct np_result res = { 0 };
	int r;

	if (np_name_validate(req->name, err) < 0)
		return -EINVAL;
	pthread_mutex_lock(&eng->lock);
	r = fn(&call, &res, err);
	if (r < 0 && what)
		np_call_fail(&call, what, err);
	else if (r == 0 && what && !res.noop)
		np_call_log(&call, done, &res.rec);
	if (what)
		np_call_note_refusal(&call, r, err);
	np_call_clear(&call);
	pthread_mutex_unlock(&eng->lock);
	if (r < 0) {
		np_record_clear(&res.rec);
		return r;
	}
	res.memory_mode = call.guest.settings.memory_mode;
	*out = res;
	return 0;
}

int np_engine_advise(struct np_engine *eng, const struct np_request_opts *req,
		     struct np_result *out, struct np_err *err)
{
	return np_engine_call(eng, req, np_advise_locked, NULL, NULL, out, err);
}

int np_engine_reserve(struct np_engine *eng, const struct np_request_opts *req,
		      struct np_result *out, struct np_err *err)
{
	return np_engine_call(eng, req, np_reserve_locked, "reserve", "reserved", out, err);
}

int np_engine_place(struct np_engine *eng, const struct np_request_opts *req,
		    struct np_result *out, struct np_err *err)
{
	struct np_request_opts proc = *req;
	pid_t tgid;

	/* A thread id stands for its process; one that does not resolve is
	 * left for np_place_locked() to report. */
	if (req->pid > 0 && np_proc_tgid(eng->proc_root, req->pid, &tgid, NULL) == 0)
		proc.pid = tgid;
	return np_engine_call(eng, &proc, np_place_locked, "place", "placed", out, err);
}
