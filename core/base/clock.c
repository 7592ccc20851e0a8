/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clock.h"

#include <errno.h>
#include <sys/file.h>
#include <time.h>

/* Polling a busy lock: the first sleep, doubled up to the longest. */
#define NP_CLOCK_POLL_MIN_MS 1u
#define NP_CLOCK_POLL_MAX_MS 32u

/* The monotonic clock now, in milliseconds. */
static uint64_t np_clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t np_clock_deadline_ms(uint64_t timeout_ms)
{
	uint64_t now = np_clock_now_ms();

	return timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + timeout_ms;
}

uint64_t np_clock_left_ms(uint64_t deadline)
{
	uint64_t now = np_clock_now_ms();

	return now >= deadline ? 0 : deadline - now;
}

void np_clock_sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000u),
			       .tv_nsec = (long)(ms % 1000u) * 1000000L };

	nanosleep(&ts, NULL);
}

int np_clock_flock_until(int fd, uint64_t deadline)
{
	uint64_t step = NP_CLOCK_POLL_MIN_MS;

	for (;;) {
		uint64_t left;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		left = np_clock_left_ms(deadline);
		if (left == 0)
			return -EWOULDBLOCK;
		np_clock_sleep_ms(step < left ? step : left);
		if (step < NP_CLOCK_POLL_MAX_MS)
			step *= 2;
	}
}
