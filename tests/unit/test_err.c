/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/err: the error object, its kinds, wrapping and moving. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"

static void test_set(void **state)
{
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_err_set(&err, -ENOENT, "file %s", "x"), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_false(err.input);
	assert_string_equal(err.msg, "file x");
	assert_int_equal(np_err_exit_code(&err), 1);
	/* A later error replaces the message. */
	assert_int_equal(np_err_set(&err, -EBUSY, "busy"), -EBUSY);
	assert_string_equal(err.msg, "busy");
	np_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_null(err.msg);
	/* A code that is not negative still fails. */
	assert_int_equal(np_err_set(&err, 0, "zero"), -EIO);
	assert_int_equal(np_err_set(&err, 5, "positive"), -EIO);
	np_err_clear(&err);
	/* No error object: the code comes back all the same. */
	assert_int_equal(np_err_set(NULL, -ENOSPC, "full"), -ENOSPC);
	np_err_clear(NULL);
}

static void test_input(void **state)
{
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_err_input(&err, "bad %d", 7), -EINVAL);
	assert_true(err.input);
	assert_string_equal(err.msg, "bad 7");
	assert_int_equal(np_err_exit_code(&err), 2);
	/* A runtime error after it is a runtime error. */
	np_err_set(&err, -EIO, "io");
	assert_false(err.input);
	np_err_clear(&err);
	assert_int_equal(np_err_exit_code(NULL), 1);
}

static void test_wrap(void **state)
{
	struct np_err err = NP_ERR_INIT;

	(void)state;
	np_err_input(&err, "cpuset.mems: Invalid argument");
	assert_int_equal(np_err_wrap(&err, "cgroup %s", "numaplace/web1"), -EINVAL);
	assert_int_equal(np_err_wrap(&err, "guest %s", "web1"), -EINVAL);
	assert_string_equal(err.msg, "guest web1: cgroup numaplace/web1: cpuset.mems: Invalid argument");
	assert_true(err.input);
	np_err_clear(&err);
	/* Nothing to wrap: an error all the same. */
	assert_int_equal(np_err_wrap(&err, "context"), -EIO);
	assert_null(err.msg);
}

/* issue 17 item 12: without an error object, wrapping keeps the code of the
 * error it wraps instead of turning it into -EIO. */
static void test_wrap_null(void **state)
{
	(void)state;
	assert_int_equal(np_err_set(NULL, -ESRCH, "gone"), -ESRCH);
	assert_int_equal(np_err_wrap(NULL, "cgroup %s", "x"), -ESRCH);
	assert_int_equal(np_err_input(NULL, "bad"), -EINVAL);
	assert_int_equal(np_err_wrap(NULL, "field"), -EINVAL);
	assert_int_equal(np_err_wrap(NULL, "outer"), -EINVAL);
	assert_int_equal(np_err_set(NULL, -ENOMEM, "oom"), -ENOMEM);
	assert_int_equal(np_err_wrap(NULL, "outer"), -ENOMEM);
}

static void test_move(void **state)
{
	struct np_err from = NP_ERR_INIT, to = NP_ERR_INIT;

	(void)state;
	np_err_set(&to, -EIO, "old");
	np_err_input(&from, "new");
	assert_int_equal(np_err_move(&to, &from), -EINVAL);
	assert_string_equal(to.msg, "new");
	assert_true(to.input);
	assert_int_equal(from.code, 0);
	assert_null(from.msg);
	np_err_set(&from, -EPERM, "dropped");
	assert_int_equal(np_err_move(NULL, &from), -EPERM);
	assert_null(from.msg);
	np_err_clear(&to);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_wrap_null),
		cmocka_unit_test(test_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
