/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Group paths (checked before they meet the file system), a PID's group
 * from PROC/PID/cgroup, and moving a PID with all its threads. */
#include "cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"
#include "proc.h"
#include "quote.h"

#define NP_CGROUP_COMPONENT_MAX 255

static int np_cgroup_bad_path(struct np_err *err, const char *what, const char *path,
			      const char *why)
{
	_cleanup_free_ char *q = np_quote_string(path, 80);

	return np_err_input(err, "%s %s: %s", what, q ? q : "", why);
}

int np_cgroup_check_parent(const char *path, struct np_err *err)
{
	_cleanup_free_ char *q = NULL;

	if (!path || !*path)
		return np_err_input(err, "cgroup parent is empty");
	if (np_name_validate_path(path, err) == 0)
		return 0;
	q = np_quote_string(path, 80);
	return np_err_wrap(err, "cgroup parent %s", q ? q : "");
}

/* Why `part` (length len) cannot be a component of a caller's group path,
 * or NULL when it can. */
static const char *np_cgroup_bad_component(const char *part, size_t len)
{
	if (len == 0)
		return "empty component";
	if (len > NP_CGROUP_COMPONENT_MAX)
		return "component longer than 255 bytes";
	if ((len == 1 && part[0] == '.') || (len == 2 && part[0] == '.' && part[1] == '.'))
		return "\".\" and \"..\" are refused";
	for (size_t i = 0; i < len; i++)
		if (part[i] <= ' ' || part[i] > '~')
			return "blank or unprintable byte";
	return NULL;
}

int np_cgroup_check_group(const char *path, struct np_err *err)
{
	const char *p;

	if (!path || !*path)
		return np_err_input(err, "cgroup group: the root group is refused");
	if (path[0] == '/')
		return np_cgroup_bad_path(err, "cgroup group", path,
					  "absolute paths are refused");
	for (p = path;; ) {
		size_t len = strcspn(p, "/");
		const char *why = np_cgroup_bad_component(p, len);

		if (why)
			return np_cgroup_bad_path(err, "cgroup group", path, why);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int np_cgroup_join(const char *parent, const char *guest, char **out,
		   struct np_err *err)
{
	int r;

	r = np_cgroup_check_parent(parent, err);
	if (r < 0)
		return r;
	r = np_name_validate(guest, err);
	if (r < 0)
		return r;
	if (asprintf(out, "%s/%s", parent, guest) < 0)
		return np_err_set(err, -ENOMEM, "cgroup %s: out of memory", parent);
	return 0;
}

char *np_cgroup_dirname(const char *group)
{
	const char *slash = strrchr(group, '/');

	return slash ? strndup(group, (size_t)(slash - group)) : strdup("");
}

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

bool np_cgroup_has_word(const char *list, const char *seps, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list; *p; ) {
		size_t len = strcspn(p, seps);

		if (len == wlen && strncmp(p, word, len) == 0)
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}
