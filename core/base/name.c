/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "name.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "quote.h"

/* Names the cgroup filesystem keeps for itself: a guest may not take them. */
static const char *const np_name_reserved[] = {
	"tasks", "notify_on_release", "release_agent",
};

/* Prefixes of cgroup control files. */
static const char *const np_name_reserved_prefix[] = {
	"cgroup.", "cpuset.",
};

static bool np_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Set "invalid guest WHAT "NAME": WHY" (WHAT "name" or "pattern"; NAME
 * escaped, cut after 64 bytes). */
__attribute__((format(printf, 4, 5)))
static int np_name_fail(struct np_err *err, bool glob, const char *name, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_quote_vfail(err, glob ? "guest pattern" : "guest name", name, NP_NAME_MAX, fmt, ap);
	va_end(ap);
	return r;
}

/* Index of the first byte outside [A-Za-z0-9_.-] (and `*` `?` for a
 * glob), or -1. */
static long np_name_bad_char(const char *name, bool glob)
{
	for (size_t i = 0; name[i]; i++)
		if (!np_name_char_ok(name[i]) && !(glob && (name[i] == '*' || name[i] == '?')))
			return (long)i;
	return -1;
}

static int np_name_check_reserved(const char *name, bool glob, struct np_err *err)
{
	for (size_t i = 0; i < NP_ARRAY_SIZE(np_name_reserved); i++)
		if (strcmp(name, np_name_reserved[i]) == 0)
			return np_name_fail(err, glob, name, "reserved by the cgroup filesystem");
	for (size_t i = 0; i < NP_ARRAY_SIZE(np_name_reserved_prefix); i++) {
		const char *prefix = np_name_reserved_prefix[i];

		if (strncmp(name, prefix, strlen(prefix)) == 0)
			return np_name_fail(err, glob, name, "must not start with \"%s\"", prefix);
	}
	return 0;
}

/* The rules of a name; a glob also allows `*` and `?`. */
static int np_name_check(const char *name, bool glob, struct np_err *err)
{
	long bad;

	if (!name || !*name)
		return np_err_input(err, "invalid guest %s \"\": empty", glob ? "pattern" : "name");
	if (strnlen(name, NP_NAME_MAX + 1) > NP_NAME_MAX)
		return np_name_fail(err, glob, name, "longer than %d characters", NP_NAME_MAX);
	bad = np_name_bad_char(name, glob);
	if (bad >= 0)
		return np_name_fail(err, glob, name, "%s at position %ld is not allowed "
				    "(only A-Z a-z 0-9 _ . -%s)", np_quote_char(name[bad]).s, bad + 1,
				    glob ? " and the globs * ?" : "");
	if (name[0] == '.' || name[0] == '-')
		return np_name_fail(err, glob, name, "must not start with '.' or '-'");
	return np_name_check_reserved(name, glob, err);
}

int np_name_validate(const char *name, struct np_err *err)
{
	return np_name_check(name, false, err);
}

int np_name_validate_pattern(const char *pattern, struct np_err *err)
{
	return np_name_check(pattern, strpbrk(pattern ? pattern : "", "*?") != NULL, err);
}

int np_name_validate_path(const char *path, struct np_err *err)
{
	for (const char *p = path;; ) {
		/* A component is checked in a copy of at most NP_NAME_MAX + 1
		 * bytes: enough to refuse a longer one with the same message. */
		char part[NP_NAME_MAX + 2];
		size_t len = strcspn(p, "/");
		size_t keep = len < sizeof(part) - 1 ? len : sizeof(part) - 1;
		int r;

		if (len == 0)
			return np_err_input(err, "empty component");
		memcpy(part, p, keep);
		part[keep] = '\0';
		r = np_name_validate(part, err);
		if (r < 0 || !p[len])
			return r;
		p += len + 1;
	}
}
