/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/name: guest names as docs/contract.md allows them, and hostile ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "name.h"

static const char *const good_names[] = {
	"a", "web1", "A_b.c-d", "x.y", "1", "a-", "a.", "_x", "lxc.payload",
	"cgroup", "cpuset", "cgroupx.a", "tasks2", "Tasks", "my_tasks",
	"release_agent_", "cpusetcpus", "db-1.example_com",
};

struct bad_name {
	const char *name;
	const char *why; /* the whole message, or a part of it */
};

static const struct bad_name bad_names[] = {
	{ "", "invalid guest name \"\": empty" },
	{ "../x", "invalid guest name \"../x\": '/' at position 3 is not allowed "
		  "(only A-Z a-z 0-9 _ . -)" },
	{ "a/b", "'/' at position 2 is not allowed" },
	{ "/", "'/' at position 1" },
	{ ".", "invalid guest name \".\": must not start with '.' or '-'" },
	{ "..", "must not start with '.' or '-'" },
	{ ".hidden", "invalid guest name \".hidden\": must not start with '.' or '-'" },
	{ "-x", "invalid guest name \"-x\": must not start with '.' or '-'" },
	{ "--help", "must not start with '.' or '-'" },
	{ "tasks", "invalid guest name \"tasks\": reserved by the cgroup filesystem" },
	{ "notify_on_release", "reserved by the cgroup filesystem" },
	{ "release_agent", "reserved by the cgroup filesystem" },
	{ "cgroup.procs", "invalid guest name \"cgroup.procs\": must not start with \"cgroup.\"" },
	{ "cgroup.", "must not start with \"cgroup.\"" },
	{ "cpuset.cpus", "invalid guest name \"cpuset.cpus\": must not start with \"cpuset.\"" },
	{ "cpuset.mems", "must not start with \"cpuset.\"" },
	{ "a b", "' ' at position 2" },
	{ "a;rm -rf /", "';' at position 2" },
	{ "$(id)", "'$' at position 1" },
	{ "`id`", "'`' at position 1" },
	{ "a|b", "'|' at position 2" },
	{ "a&b", "'&' at position 2" },
	{ "a>b", "'>' at position 2" },
	{ "a*", "'*' at position 2" },
	{ "a\"b", "invalid guest name \"a\\\"b\": '\"' at position 2" },
	{ "a\\b", "invalid guest name \"a\\\\b\": '\\\\' at position 2" },
	{ "a'b", "'\\'' at position 2" },
	{ "a\nb", "invalid guest name \"a\\nb\": '\\n' at position 2" },
	{ "a\tb", "'\\t' at position 2" },
	{ "\x1b[31mred", "invalid guest name \"\\x1b[31mred\": '\\x1b' at position 1" },
	{ "caf\xc3\xa9", "invalid guest name \"caf\\xc3\\xa9\": '\\xc3' at position 4" },
	{ "\xff\xfe", "'\\xff' at position 1" },
	{ "a\x7f", "'\\x7f' at position 2" },
};

static void test_good_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(good_names); i++) {
		struct np_err err = NP_ERR_INIT;

		if (np_name_validate(good_names[i], &err) != 0)
			fail_msg("\"%s\" rejected: %s", good_names[i], err.msg);
		np_err_clear(&err);
	}
}

static void test_bad_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(bad_names); i++) {
		struct np_err err = NP_ERR_INIT;

		if (np_name_validate(bad_names[i].name, &err) != -EINVAL)
			fail_msg("row %zu accepted", i);
		assert_true(err.input);
		assert_int_equal(np_err_exit_code(&err), 2);
		if (!strstr(err.msg, bad_names[i].why))
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, err.msg,
				 bad_names[i].why);
		np_err_clear(&err);
	}
	assert_int_equal(np_name_validate(NULL, NULL), -EINVAL);
	assert_int_equal(np_name_validate("a/b", NULL), -EINVAL);
}

/* A name of `len` copies of `c`. */
static char *repeat(char c, size_t len)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	memset(s, c, len);
	s[len] = '\0';
	return s;
}

static void test_length(void **state)
{
	_cleanup_free_ char *n64 = repeat('a', NP_NAME_MAX);
	_cleanup_free_ char *n65 = repeat('a', NP_NAME_MAX + 1);
	_cleanup_free_ char *huge = repeat('b', 100000);
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_name_validate(n64, NULL), 0);
	assert_int_equal(np_name_validate(n65, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "longer than 64 characters"));
	/* The display keeps 64 bytes and marks the cut with "…". */
	assert_non_null(strstr(err.msg, n64));
	assert_null(strstr(err.msg, n65));
	assert_non_null(strstr(err.msg, "a\xe2\x80\xa6\""));
	assert_int_equal(np_name_validate(huge, &err), -EINVAL);
	assert_true(strlen(err.msg) < 160);
	np_err_clear(&err);
}

/* Even escaped, a hostile overlong name gives one short printable line. */
static void test_hostile_overlong(void **state)
{
	_cleanup_free_ char *bin = repeat('\n', 5000);
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_name_validate(bin, &err), -EINVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_true(strlen(err.msg) < 64 * 4 + 100);
	np_err_clear(&err);
}

/* A path of names: each component as np_name_validate() says, left to
 * right; a long one gets the same message as on its own. */
/* Policy patterns: the rules of a name, plus `*` and `?`, with the same
 * 64-character limit (a longer glob could match no valid name). */
static void test_patterns(void **state)
{
	static const struct bad_name bad[] = {
		{ "", "invalid guest name \"\": empty" },
		{ "a/*", "invalid guest pattern \"a/*\": '/' at position 2 is not allowed "
			 "(only A-Z a-z 0-9 _ . - and the globs * ?)" },
		{ ".*", "invalid guest pattern \".*\": must not start with '.' or '-'" },
		{ "cgroup.*", "must not start with \"cgroup.\"" },
		{ "tasks", "invalid guest name \"tasks\": reserved by the cgroup filesystem" },
		{ "[ab]*", "'[' at position 1 is not allowed" },
	};
	char longer[NP_NAME_MAX + 2];
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_name_validate_pattern("web-*", &err), 0);
	assert_int_equal(np_name_validate_pattern("db?.x", &err), 0);
	assert_int_equal(np_name_validate_pattern("web1", &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(np_name_validate_pattern(bad[i].name, &err), -EINVAL);
		assert_non_null(strstr(err.msg, bad[i].why));
		np_err_clear(&err);
	}
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '*';
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(np_name_validate_pattern(longer, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "longer than 64 characters"));
	np_err_clear(&err);
	longer[NP_NAME_MAX] = '\0';
	assert_int_equal(np_name_validate_pattern(longer, &err), 0);
}

static void test_path(void **state)
{
	static const char *const good[] = { "a", "machine.slice/np", "a/b/c/d", "lxc.payload.x/y" };
	static const struct bad_name bad[] = {
		{ "", "empty component" },
		{ "/a", "empty component" },
		{ "a/", "empty component" },
		{ "a//b", "empty component" },
		{ "a/../b", "invalid guest name \"..\": must not start with '.' or '-'" },
		{ "x/tasks", "invalid guest name \"tasks\": reserved by the cgroup filesystem" },
		{ "bad$/x//", "invalid guest name \"bad$\": '$' at position 4" },
		{ "a//bad$", "empty component" },
	};
	_cleanup_free_ char *n64 = repeat('a', NP_NAME_MAX);
	_cleanup_free_ char *huge = repeat('b', 100000);
	_cleanup_free_ char *alone = NULL;
	_cleanup_free_ char *path = NULL;
	struct np_err err = NP_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(good); i++)
		assert_int_equal(np_name_validate_path(good[i], NULL), 0);
	for (size_t i = 0; i < NP_ARRAY_SIZE(bad); i++) {
		assert_int_equal(np_name_validate_path(bad[i].name, &err), -EINVAL);
		assert_true(err.input);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].name, err.msg, bad[i].why);
		np_err_clear(&err);
	}
	assert_true(asprintf(&path, "x/%s/y", n64) > 0);
	assert_int_equal(np_name_validate_path(path, NULL), 0);
	free(path);
	assert_true(asprintf(&path, "x/%s/y", huge) > 0);
	assert_int_equal(np_name_validate(huge, &err), -EINVAL);
	alone = strdup(err.msg);
	np_err_clear(&err);
	assert_int_equal(np_name_validate_path(path, &err), -EINVAL);
	assert_string_equal(err.msg, alone);
	np_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_names),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_hostile_overlong),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
