/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* release: the guest's group (when numaplace made it) and its record go. */
#include "engine_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"

/* Tell the user the way out of a busy group. */
static void np_release_hint(struct np_err *err)
{
	_cleanup_free_ char *msg = err->msg ? strdup(err->msg) : NULL;

	if (msg)
		np_err_set(err, -EBUSY, "%s (release --force moves them back to the group they came from, else to the parent group)", msg);
}

/* Forget the guest's refusal; a failure (a full state file system) is
 * only logged: the release stands. */
static void np_release_forget(struct np_engine *eng, struct np_ledger *ledger, const char *name)
{
	struct np_err local = NP_ERR_INIT;

	if (np_refused_forget(ledger, name, &local) < 0)
		np_engine_log(eng, NP_LOG_WARNING, "release %s: %s", name,
			      local.msg ? local.msg : "forgetting the refusal failed");
	np_err_clear(&local);
}

static int np_release_locked(struct np_engine *eng, struct np_ledger *ledger,
			     const char *name, bool force, bool stage, unsigned *left,
			     struct np_err *err)
{
	struct np_record rec = { 0 };
	int r = np_ledger_read(ledger, name, &rec, err);

	if (r == -ENOENT) {
		np_err_clear(err);
		if (!stage)
			np_release_forget(eng, ledger, name);
		return 0;
	}
	if (r == 0 && left)
		r = np_engine_group_tasks(eng, &rec, left, err);
	if (r == 0 && left && *left) {
		np_engine_log(eng, NP_LOG_INFO, "kept %s: its group %s still holds %u task%s", name,
			      rec.cgroup, *left, *left == 1 ? "" : "s");
		np_record_clear(&rec);
		return 0;
	}
	if (r == 0)
		r = np_engine_remove_group(eng, &rec, force, err);
	if (r == -EBUSY && err)
		np_release_hint(err);
	if (r == 0)
		r = np_ledger_remove(ledger, name, err);
	if (r == 0)
		np_release_forget(eng, ledger, name);
	if (r == 0)
		np_engine_log(eng, NP_LOG_INFO, "released %s pid=%d cgroup=%s", name, (int)rec.pid,
			      rec.cgroup ? rec.cgroup : "-");
	if (r == 0)
		np_engine_give_back(eng, ledger, &rec);
	np_record_clear(&rec);
	return r;
}

static int np_release(struct np_engine *eng, const char *name, bool force, bool stage,
		      unsigned *left, struct np_err *err)
{
	struct np_settings s;
	struct np_ledger *ledger = NULL;
	int r;

	if (np_name_validate(name, err) < 0)
		return -EINVAL;
	pthread_mutex_lock(&eng->lock);
	r = np_engine_settings(eng, name, &s, err);
	if (r == 0)
		r = np_engine_ledger(eng, &s, false, &ledger, err);
	if (r == 0)
		r = np_ledger_lock(ledger, err);
	if (r == 0)
		r = np_release_locked(eng, ledger, name, force, stage, left, err);
	np_ledger_close(ledger);
	pthread_mutex_unlock(&eng->lock);
	if (r < 0) {
		np_err_wrap(err, "guest %s", name);
		np_engine_log(eng, NP_LOG_ERROR, "release failed: %s", err ? err->msg : "");
	}
	return r;
}

int np_engine_release(struct np_engine *eng, const char *name, bool force, struct np_err *err)
{
	return np_release(eng, name, force, false, NULL, err);
}

int np_engine_release_stage(struct np_engine *eng, const char *name, struct np_err *err)
{
	return np_release(eng, name, false, true, NULL, err);
}

int np_engine_release_unless_busy(struct np_engine *eng, const char *name, unsigned *left,
				  struct np_err *err)
{
	*left = 0;
	return np_release(eng, name, true, false, left, err);
}
