/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_ERR_H
#define NUMAPLACE_ERR_H

#include <stdbool.h>

/*
 * The error object carried upward through core/.
 *
 * Every fallible function returns 0 or a negative errno and takes an
 * optional `struct np_err *err` as its last argument. On failure it fills
 * `err` (when non-NULL) with a message and leaves its other outputs as they
 * were. Callers add context on the way up with np_err_wrap(), so the final
 * message reads "guest web1: cgroup numaplace/web1: cpuset.mems: Invalid
 * argument". core/ never prints; plugin/ turns the error into one line.
 *
 * `input` tells the front end which exit code applies: true for a usage,
 * config or input error (exit 2), false for a runtime failure (exit 1).
 */
struct np_err {
	int code;   /* negative errno, 0 when no error is set */
	bool input; /* caused by bad input rather than by the machine */
	char *msg;  /* heap string, NULL when no error is set */
};

#define NP_ERR_INIT { 0, false, NULL }

/* Set a runtime error (exit 1). Replaces any earlier message.
 * Returns `code` (a negative errno) so callers can `return np_err_set(...)`. */
int np_err_set(struct np_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set an input error (exit 2) with code -EINVAL. Returns -EINVAL. */
int np_err_input(struct np_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the message with "CONTEXT: ". Keeps code and kind.
 * Returns err->code; with `err` NULL, the code of the last error set
 * without an error object on this thread (so `return np_err_wrap(err, ...)`
 * after a failed call keeps its code); -EIO when there is no such error. */
int np_err_wrap(struct np_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Exit code the CLI uses for this error: 2 for input errors, else 1. */
int np_err_exit_code(const struct np_err *err);

/* Free the message and reset to the NP_ERR_INIT state. NULL is fine. */
void np_err_clear(struct np_err *err);

/* Move the error in `from` into `to` (freeing what `to` held). `to` may be
 * NULL, in which case `from` is just cleared. Returns the error code. */
int np_err_move(struct np_err *to, struct np_err *from);

#endif
