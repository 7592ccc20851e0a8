/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Group paths, checked before they meet the file system. */
#include "cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"
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
