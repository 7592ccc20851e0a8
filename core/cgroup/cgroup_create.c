/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np_cgroup_create: ancestors first, then the guest group, then the PID;
 * every step is undone when a later one fails. */
#include "cgroup_internal.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"

/* What this call changed, so that a failure can take it back. */
struct np_cgroup_undo {
	const char *group; /* parent/guest */
	char *first_made;  /* the shallowest ancestor this call made */
	bool made;         /* the guest group itself */
	pid_t pid;
	char *from;        /* the group the PID was in */
};

/* Make `prefix` exist and usable; `up` is its parent. */
static int np_cgroup_ensure_one(struct np_cgroup *cg, const char *prefix, const char *up,
				struct np_cgroup_undo *undo, struct np_err *err)
{
	struct np_err local = NP_ERR_INIT;
	int r;

	r = cg->ops->prepare_parent(cg, up, err);
	if (r < 0)
		return r;
	r = np_cgroup_dir_exists(cg, prefix);
	if (r < 0)
		return np_cgroup_fail(err, r, prefix, "stat");
	if (r == 0) {
		r = cg->backend->make(cg, prefix, &local);
		if (r < 0 && r != -EEXIST)
			return np_err_move(err, &local);
		np_err_clear(&local);
		if (r == 0 && !undo->first_made && !(undo->first_made = strdup(prefix)))
			return np_cgroup_fail(err, -ENOMEM, prefix, "mkdir");
	}
	return cg->ops->fill(cg, prefix, up, err);
}

static int np_cgroup_ensure_ancestors(struct np_cgroup *cg, const char *parent,
				      struct np_cgroup_undo *undo, struct np_err *err)
{
	for (const char *p = parent;; p++) {
		p += strcspn(p, "/");

		_cleanup_free_ char *prefix = strndup(parent, (size_t)(p - parent));
		_cleanup_free_ char *up = prefix ? np_cgroup_dirname(prefix) : NULL;
		int r;

		if (!up)
			return np_cgroup_fail(err, -ENOMEM, parent, "mkdir");
		r = np_cgroup_ensure_one(cg, prefix, up, undo, err);
		if (r < 0 || !*p)
			return r;
	}
}

/* Move the PID back where it was, if it is in the guest group. */
static int np_cgroup_undo_move(struct np_cgroup *cg, struct np_cgroup_undo *undo,
			       struct np_err *err)
{
	_cleanup_free_ char *now = NULL;

	if (!undo->made || !undo->from || np_cgroup_pid_group(cg, undo->pid, &now, NULL) < 0 ||
	    strcmp(now, undo->group) != 0)
		return 0;
	return np_cgroup_write_pid(cg, undo->from, undo->pid, err);
}

/* Remove the ancestors this call made, deepest first. */
static int np_cgroup_undo_ancestors(struct np_cgroup *cg, struct np_cgroup_undo *undo,
				    struct np_err *err)
{
	_cleanup_free_ char *g = np_cgroup_dirname(undo->group);

	while (g && undo->first_made) {
		int r = cg->backend->remove(cg, g, err);
		char *up;

		if (r < 0 || strcmp(g, undo->first_made) == 0)
			return r;
		up = np_cgroup_dirname(g);
		free(g);
		g = up;
	}
	return g ? 0 : -ENOMEM;
}

/* Take back what `undo` records; a failure of that is added to `err`. */
static void np_cgroup_undo_run(struct np_cgroup *cg, struct np_cgroup_undo *undo,
			       struct np_err *err)
{
	struct np_err rb = NP_ERR_INIT;
	int r;

	r = np_cgroup_undo_move(cg, undo, &rb);
	if (r == 0 && undo->made)
		r = cg->backend->remove(cg, undo->group, &rb);
	if (r == 0)
		r = np_cgroup_undo_ancestors(cg, undo, &rb);
	if (r < 0 && err && err->msg)
		np_err_set(err, err->code, "%s (rollback failed: %s)", err->msg,
			   rb.msg ? rb.msg : strerror(-r));
	np_err_clear(&rb);
}

static int np_cgroup_create_steps(struct np_cgroup *cg, const char *parent,
				  const struct np_cgroup_placement *pl,
				  struct np_cgroup_undo *undo, struct np_err *err)
{
	int r;

	if (undo->pid > 0) {
		r = np_cgroup_pid_group(cg, undo->pid, &undo->from, err);
		if (r < 0)
			return np_err_wrap(err, "cgroup %s", undo->group);
	}
	r = np_cgroup_ensure_ancestors(cg, parent, undo, err);
	if (r == 0)
		r = cg->ops->prepare_parent(cg, parent, err);
	if (r == 0)
		r = cg->backend->make(cg, undo->group, err);
	if (r < 0)
		return r;
	undo->made = true;
	r = np_cgroup_write_placement(cg, undo->group, pl, err);
	if (r == 0 && undo->pid > 0)
		r = np_cgroup_move(cg, undo->group, undo->pid, err);
	return r;
}

int np_cgroup_create(struct np_cgroup *cg, const char *parent, const char *guest,
		     const struct np_cgroup_placement *pl, pid_t pid,
		     struct np_err *err)
{
	_cleanup_free_ char *group = NULL;
	struct np_cgroup_undo undo = { .pid = pid };
	int r;

	r = np_cgroup_join(parent, guest, &group, err);
	if (r == 0)
		r = np_cgroup_check_placement(pl, err);
	if (r == 0 && pid < 0)
		r = np_err_input(err, "pid %d: not a process id", (int)pid);
	if (r < 0)
		return r;
	undo.group = group;
	r = np_cgroup_create_steps(cg, parent, pl, &undo, err);
	if (r < 0)
		np_cgroup_undo_run(cg, &undo, err);
	free(undo.first_made);
	free(undo.from);
	return r;
}
