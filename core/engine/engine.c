/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's frame: opening, the lazily loaded parts, shared helpers. */
#include "engine_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"
#include "paths.h"

static int np_strdup_opt(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int np_engine_copy_opts(struct np_engine *eng, const struct np_engine_opts *o)
{
	if (np_strdup_opt(o->config, &eng->config) < 0 ||
	    np_strdup_opt(o->topology, &eng->topology_src) < 0 ||
	    np_strdup_opt(o->state_dir ? o->state_dir : NP_DEFAULT_STATE_DIR, &eng->state_dir) < 0 ||
	    np_strdup_opt(o->proc_root ? o->proc_root : NP_DEFAULT_PROC_ROOT, &eng->proc_root) < 0)
		return -ENOMEM;
	eng->config_required = o->config_required;
	eng->log = o->log;
	eng->pause = o->pause;
	eng->data = o->data;
	return 0;
}

int np_engine_open(const struct np_engine_opts *opts, struct np_engine **out,
		   struct np_diags *diags, struct np_err *err)
{
	struct np_engine *eng = calloc(1, sizeof(*eng));
	int r;

	if (!eng)
		return np_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&eng->lock, NULL);
	if (np_engine_copy_opts(eng, opts) < 0 || np_ledger_cache_new(&eng->cache, NULL) < 0) {
		np_engine_close(eng);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	r = np_policy_load(eng->config, eng->config_required, &eng->policy, diags, err);
	if (r < 0) {
		np_engine_close(eng);
		return np_err_wrap(err, "config");
	}
	*out = eng;
	return 0;
}

void np_engine_close(struct np_engine *eng)
{
	if (!eng)
		return;
	np_cgroup_close(eng->cg);
	np_ledger_cache_free(eng->cache);
	np_topology_free(eng->topo);
	np_policy_free(eng->policy);
	free(eng->config);
	free(eng->topology_src);
	free(eng->state_dir);
	free(eng->proc_root);
	pthread_mutex_destroy(&eng->lock);
	free(eng);
}

int np_engine_topology_locked(struct np_engine *eng, struct np_err *err)
{
	if (eng->topo)
		return 0;
	if (np_topology_load(eng->topology_src, &eng->topo, err) < 0)
		return np_err_wrap(err, "topology");
	return 0;
}

int np_engine_topology(struct np_engine *eng, const struct np_topology **out, struct np_err *err)
{
	int r;

	pthread_mutex_lock(&eng->lock);
	r = np_engine_topology_locked(eng, err);
	pthread_mutex_unlock(&eng->lock);
	if (r == 0)
		*out = eng->topo;
	return r;
}

int np_engine_settings(struct np_engine *eng, const char *name, struct np_settings *out,
		       struct np_err *err)
{
	if (np_name_validate(name, err) < 0)
		return -EINVAL;
	return np_policy_resolve(eng->policy, name, out, err);
}

int np_engine_guest(struct np_engine *eng, const char *name, unsigned vcpus,
		    uint64_t memory, struct np_guest *out, struct np_err *err)
{
	struct np_guest g = { .name = name };

	if (np_engine_settings(eng, name, &g.settings, err) < 0 ||
	    np_engine_topology_locked(eng, err) < 0)
		return np_err_wrap(err, "guest %s", name);
	if (np_settings_check_machine(&g.settings, eng->topo, err) < 0)
		return np_err_wrap(err, "guest %s", name);
	if (g.settings.advisor == NP_ADVISOR_NUMAD && eng->topology_src)
		return np_err_input(err, "guest %s: advisor numad knows only the live machine, "
				    "and topology %s is a capture", name, eng->topology_src);
	g.vcpus = vcpus ? vcpus : g.settings.vcpus ? g.settings.vcpus : 1;
	g.memory = memory ? memory : g.settings.memory;
	*out = g;
	return 0;
}

static void np_engine_pause_hook(const char *point, void *data)
{
	struct np_engine *eng = data;

	np_engine_pause(eng, point);
}

int np_engine_ledger(struct np_engine *eng, const struct np_settings *s, bool read_only,
		     struct np_ledger **out, struct np_err *err)
{
	struct np_ledger_options lo = {
		.read_only = read_only,
		.lock_timeout_ms = s->lock_timeout_ms,
		.pause = np_engine_pause_hook,
		.pause_data = eng,
		.changed = np_ledger_cache_changed,
		.changed_data = eng->cache,
	};
	int r;

	if (np_ledger_open(eng->state_dir, &lo, out, err) < 0)
		return np_err_wrap(err, "state %s", eng->state_dir);
	r = eng->topology_src ? np_engine_topology_locked(eng, err) : 0;
	if (r == 0)
		r = np_engine_bind(eng, false, err);
	if (r < 0) {
		np_ledger_close(*out);
		*out = NULL;
	}
	return r;
}

int np_engine_cgroup(struct np_engine *eng, struct np_cgroup **out, struct np_err *err)
{
	int r;

	if (!eng->cg && (r = np_cgroup_open(eng->proc_root, &eng->cg, err)) < 0)
		return r;
	*out = eng->cg;
	return 0;
}

const char *np_engine_cgroup_parent(struct np_engine *eng, const struct np_settings *s)
{
	if (s->cgroup_parent)
		return s->cgroup_parent;
	if (eng->cg && np_cgroup_version(eng->cg) == NP_CGROUP_V2)
		return "numaplace.slice";
	return "numaplace";
}

int np_group_split(const char *path, char **parent, const char **guest, struct np_err *err)
{
	char *copy = strdup(path);
	char *slash;

	if (!copy)
		return np_err_set(err, -ENOMEM, "out of memory");
	slash = strrchr(copy, '/');
	if (!slash) {
		free(copy);
		return np_err_input(err, "cgroup %s: not below a parent group", path);
	}
	*slash = '\0';
	*parent = copy;
	*guest = slash + 1;
	return 0;
}

int np_engine_group_tasks(struct np_engine *eng, const struct np_record *rec, unsigned *out,
			  struct np_err *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct np_cgroup *cg;
	size_t n = 0;
	int r;

	*out = 0;
	if (!rec->cgroup || !rec->cgroup_owned)
		return 0;
	if ((r = np_engine_cgroup(eng, &cg, err)) < 0 || (r = np_cgroup_exists(cg, rec->cgroup, err)) <= 0)
		return r;
	if ((r = np_cgroup_tasks(cg, rec->cgroup, &pids, &n, err)) < 0)
		return r;
	*out = (unsigned)n;
	return 0;
}

/* Before a forced removal: the tasks go back to the group the guest's
 * process came from, when it still exists (else np_cgroup_remove moves
 * them up). A failure here only leaves that to np_cgroup_remove. */
static void np_engine_send_home(struct np_engine *eng, struct np_cgroup *cg,
				const struct np_record *rec)
{
	if (!rec->origin || strcmp(rec->origin, rec->cgroup) == 0 ||
	    np_cgroup_exists(cg, rec->cgroup, NULL) != 1 ||
	    np_cgroup_exists(cg, rec->origin, NULL) != 1)
		return;
	if (np_cgroup_move_tasks(cg, rec->cgroup, rec->origin, NULL) < 0)
		np_engine_log(eng, NP_LOG_WARNING, "guest %s: could not move its tasks back to %s%s",
			      rec->name, *rec->origin ? "" : "/", rec->origin);
}

int np_engine_remove_group(struct np_engine *eng, const struct np_record *rec, bool force,
			   struct np_err *err)
{
	_cleanup_free_ char *parent = NULL;
	struct np_cgroup *cg;
	const char *guest = NULL;
	int r;

	if (!rec->cgroup || !rec->cgroup_owned)
		return 0;
	if ((r = np_engine_cgroup(eng, &cg, err)) < 0 ||
	    (r = np_group_split(rec->cgroup, &parent, &guest, err)) < 0)
		return r;
	if (force)
		np_engine_send_home(eng, cg, rec);
	return np_cgroup_remove(cg, parent, guest, force, err);
}

void np_engine_log(struct np_engine *eng, enum np_log_level level, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	if (!eng->log)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r >= 0)
		eng->log(level, msg, eng->data);
}

void np_engine_pause(struct np_engine *eng, const char *point)
{
	if (eng->pause)
		eng->pause(point, eng->data);
}

void np_result_clear(struct np_result *res)
{
	np_record_clear(&res->rec);
	memset(res, 0, sizeof(*res));
}

void np_status_clear(struct np_status *st)
{
	for (unsigned i = 0; i < st->n; i++) {
		np_record_clear(&st->guests[i].rec);
		np_memstat_clear(&st->guests[i].memory);
	}
	free(st->guests);
	np_refused_clear(&st->refused);
	memset(st, 0, sizeof(*st));
}

void np_report_clear(struct np_report *rep)
{
	for (unsigned i = 0; i < rep->n; i++)
		free(rep->lines[i]);
	free(rep->lines);
	memset(rep, 0, sizeof(*rep));
}
