/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CLOCK_H
#define NUMAPLACE_CLOCK_H

#include <stdint.h>

/*
 * Deadlines on CLOCK_MONOTONIC in milliseconds, and waiting for an flock
 * until one (the ledger lock, numad's lock).
 */

/* The monotonic time `timeout_ms` from now; UINT64_MAX when it does not fit. */
uint64_t np_clock_deadline_ms(uint64_t timeout_ms);

/* Milliseconds from now until `deadline`; 0 once it has passed. */
uint64_t np_clock_left_ms(uint64_t deadline);

/* Sleep about `ms` milliseconds (a signal may cut it short). */
void np_clock_sleep_ms(uint64_t ms);

/* flock(LOCK_EX) on `fd`, tried with LOCK_NB at once and then after sleeps
 * of 1 ms doubling up to 32 ms, never past `deadline`. 0 once locked,
 * -EWOULDBLOCK when `deadline` passed first, another negative errno when
 * flock(2) fails otherwise. */
int np_clock_flock_until(int fd, uint64_t deadline);

#endif
