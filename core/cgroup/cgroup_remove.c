/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tasks of a group, and removing a group, moving its tasks out first
 * when asked to. */
#include "cgroup_internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cleanup.h"
#include "size.h"

/* Rounds of moving tasks out before giving up on a group that keeps
 * getting new ones (a task forking while it is moved). */
#define NP_CGROUP_EVICT_ROUNDS 16

/* Parse the PIDs of a cgroup.procs text (one a line, each 1 .. INT_MAX in
 * plain digits, the final newline already stripped) into a heap array.
 * `text` is cut up in place. */
static int np_cgroup_parse_pids(char *text, pid_t **pids, size_t *n)
{
	_cleanup_free_ pid_t *out = NULL;
	size_t count = 0, cap = 0;

	while (text && *text) {
		char *line = strsep(&text, "\n");
		unsigned v;

		if (np_count_parse(line, INT_MAX, &v, NULL) < 0)
			return -EBADMSG;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			pid_t *nout = reallocarray(out, ncap, sizeof(*out));

			if (!nout)
				return -ENOMEM;
			out = nout;
			cap = ncap;
		}
		out[count++] = (pid_t)v;
	}
	*pids = np_steal_ptr(&out);
	*n = count;
	return 0;
}

int np_cgroup_tasks(struct np_cgroup *cg, const char *group, pid_t **pids,
		    size_t *n, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = *group ? np_cgroup_check_group(group, err) : 0;
	if (r == 0)
		r = np_cgroup_fs_read(cg, group, "cgroup.procs", &text, err);
	if (r < 0)
		return r;
	r = np_cgroup_parse_pids(text, pids, n);
	if (r < 0)
		return np_cgroup_fail(err, r, group, "cgroup.procs");
	return 0;
}

/* How many of `pids` are alive (not gone, not zombies). */
static size_t np_cgroup_count_live(struct np_cgroup *cg, const pid_t *pids, size_t n)
{
	size_t live = 0;

	for (size_t i = 0; i < n; i++)
		live += np_cgroup_pid_dead(cg, pids[i]) != 1;
	return live;
}

/* Move `pids` into `target`; PIDs that died meanwhile are skipped. */
static int np_cgroup_move_all(struct np_cgroup *cg, const char *target,
			      const pid_t *pids, size_t n, struct np_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = np_cgroup_write_pid(cg, target, pids[i], err);

		if (r < 0 && r != -ESRCH)
			return r;
		np_err_clear(err);
	}
	return 0;
}

int np_cgroup_move_tasks(struct np_cgroup *cg, const char *from, const char *to,
			 struct np_err *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = *to ? np_cgroup_check_group(to, err) : 0;

	if (r == 0)
		r = np_cgroup_tasks(cg, from, &pids, &n, err);
	return r < 0 ? r : np_cgroup_move_all(cg, to, pids, n, err);
}

/* Move `pids` to the nearest ancestor of `group` that takes them (on v2 a
 * parent with controllers enabled holds no process; the root takes all). */
static int np_cgroup_move_up(struct np_cgroup *cg, const char *group,
			     const pid_t *pids, size_t n, struct np_err *err)
{
	_cleanup_free_ char *target = np_cgroup_dirname(group);

	while (target) {
		int r = np_cgroup_move_all(cg, target, pids, n, err);
		char *up;

		if (r == 0 || !*target)
			return r;
		up = np_cgroup_dirname(target);
		free(target);
		target = up;
	}
	return np_cgroup_fail(err, -ENOMEM, group, "cgroup.procs");
}

static int np_cgroup_evict(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	for (int round = 0; round < NP_CGROUP_EVICT_ROUNDS; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		int r;

		r = np_cgroup_tasks(cg, group, &pids, &n, err);
		if (r < 0 || n == 0)
			return r;
		r = np_cgroup_move_up(cg, group, pids, n, err);
		if (r < 0)
			return r;
	}
	return np_err_set(err, -EBUSY, "cgroup %s: cgroup.procs: tasks keep arriving", group);
}

/* -EBUSY unless `group` is free of live tasks or `force` moved them out. */
static int np_cgroup_empty_out(struct np_cgroup *cg, const char *group, bool force,
			       struct np_err *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, live;
	int r;

	r = np_cgroup_tasks(cg, group, &pids, &n, err);
	if (r < 0)
		return r;
	live = np_cgroup_count_live(cg, pids, n);
	if (live == 0)
		return 0;
	if (!force)
		return np_err_set(err, -EBUSY, "cgroup %s: it holds %zu live task%s (pid %d%s)",
				  group, live, live == 1 ? "" : "s", (int)pids[0],
				  n > 1 ? ", …" : "");
	return np_cgroup_evict(cg, group, err);
}

int np_cgroup_remove(struct np_cgroup *cg, const char *parent, const char *guest,
		     bool force, struct np_err *err)
{
	_cleanup_free_ char *group = NULL;
	int r;

	r = np_cgroup_join(parent, guest, &group, err);
	if (r < 0)
		return r;
	r = np_cgroup_dir_exists(cg, group);
	if (r <= 0)
		return r < 0 ? np_cgroup_fail(err, r, group, "stat") : 0;
	r = np_cgroup_empty_out(cg, group, force, err);
	if (r < 0)
		return r;
	return cg->backend->remove(cg, group, err);
}
