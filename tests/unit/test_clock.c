/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/clock: deadlines that cannot overflow, and an flock wait that gives
 * up at its deadline and not before.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "clock.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void test_deadline(void **state)
{
	uint64_t before = now_ms();
	uint64_t d = np_clock_deadline_ms(60000);

	(void)state;
	assert_true(d >= before + 60000);
	assert_true(np_clock_left_ms(d) <= 60000);
	assert_true(np_clock_left_ms(d) > 0);
	assert_int_equal(np_clock_deadline_ms(UINT64_MAX), UINT64_MAX);
	assert_int_equal(np_clock_deadline_ms(UINT64_MAX - 1), UINT64_MAX);
	assert_int_equal(np_clock_left_ms(0), 0);
	assert_int_equal(np_clock_left_ms(before), 0);
}

static void test_flock_until(void **state)
{
	char path[] = "/tmp/np-test-clock-XXXXXX";
	_cleanup_close_ int holder = mkstemp(path);
	_cleanup_close_ int waiter = -1;
	uint64_t start;

	(void)state;
	assert_true(holder >= 0);
	waiter = open(path, O_RDWR | O_CLOEXEC);
	unlink(path);
	assert_true(waiter >= 0);
	assert_int_equal(flock(holder, LOCK_EX), 0);

	start = now_ms();
	assert_int_equal(np_clock_flock_until(waiter, np_clock_deadline_ms(80)), -EWOULDBLOCK);
	assert_true(now_ms() - start >= 80);
	/* A deadline already passed still tries once. */
	assert_int_equal(np_clock_flock_until(waiter, 0), -EWOULDBLOCK);

	assert_int_equal(flock(holder, LOCK_UN), 0);
	assert_int_equal(np_clock_flock_until(waiter, 0), 0);
	assert_int_equal(flock(holder, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_flock_until),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
