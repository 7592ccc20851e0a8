/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PID's group from PROC/PID/cgroup, and moving a PID with all its
 * threads. */
#include "cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "proc.h"

/* Split "ID:CONTROLLERS:PATH" in place; false when the line is malformed. */
static bool np_cgroup_split_line(char *line, char **id, char **ctl, char **path)
{
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c2)
		return false;
	*c1 = *c2 = '\0';
	*id = line;
	*ctl = c1 + 1;
	*path = c2 + 1;
	return true;
}

int np_cgroup_parse_proc(const struct np_cgroup_ops *ops, const char *text,
			 char **group)
{
	_cleanup_free_ char *copy = strdup(text);
	char *rest = copy, *line;

	if (!copy)
		return -ENOMEM;
	while ((line = strsep(&rest, "\n"))) {
		char *id, *ctl, *path;

		if (!np_cgroup_split_line(line, &id, &ctl, &path) || !ops->owns_line(id, ctl))
			continue;
		if (path[0] != '/')
			return -EBADMSG;
		*group = strdup(path + 1);
		return *group ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int np_cgroup_pid_dead(struct np_cgroup *cg, pid_t pid)
{
	bool gone = false;
	int r = np_proc_gone(cg->proc, pid, &gone, NULL);

	return r < 0 ? r : gone;
}

/* The move did not show in PROC: say whether the PID had died. */
static int np_cgroup_move_missed(struct np_cgroup *cg, const char *group, pid_t pid,
				 const char *now, struct np_err *err)
{
	if (np_cgroup_pid_dead(cg, pid) == 1)
		return np_err_set(err, -ESRCH, "cgroup %s: cgroup.procs: pid %d exited before it could be moved",
				  group, (int)pid);
	return np_err_set(err, -EIO, "cgroup %s: cgroup.procs: pid %d is still in \"/%s\" after the move",
			  group, (int)pid, now);
}

int np_cgroup_write_pid(struct np_cgroup *cg, const char *group, pid_t pid,
			struct np_err *err)
{
	char value[24];

	snprintf(value, sizeof(value), "%d", (int)pid);
	return np_cgroup_fs_write(cg, group, "cgroup.procs", value, err);
}

int np_cgroup_move(struct np_cgroup *cg, const char *group, pid_t pid,
		   struct np_err *err)
{
	_cleanup_free_ char *now = NULL;
	int r;

	r = np_cgroup_write_pid(cg, group, pid, err);
	if (r < 0)
		return r;
	r = np_cgroup_pid_group(cg, pid, &now, err);
	if (r < 0)
		return np_err_wrap(err, "cgroup %s: cgroup.procs", group);
	if (strcmp(now, group) != 0)
		return np_cgroup_move_missed(cg, group, pid, now, err);
	return 0;
}

int np_cgroup_pid_group(struct np_cgroup *cg, pid_t pid, char **group,
			struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (pid <= 0)
		return np_err_input(err, "pid %d: not a process id", (int)pid);
	if (asprintf(&path, "%s/%d/cgroup", cg->proc, (int)pid) < 0)
		return np_err_set(err, -ENOMEM, "pid %d: out of memory", (int)pid);
	r = np_cgroup_read_file(path, &text);
	if (r == -ENOENT)
		return np_err_set(err, -ESRCH, "pid %d: %s", (int)pid, strerror(ESRCH));
	if (r < 0)
		return np_err_set(err, r, "pid %d: %s: %s", (int)pid, path, strerror(-r));
	r = np_cgroup_parse_proc(cg->ops, text, group);
	if (r < 0)
		return np_err_set(err, r, "pid %d: %s: no cpuset hierarchy line (%s)", (int)pid,
				  path, strerror(-r));
	return 0;
}
