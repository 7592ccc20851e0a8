/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_QUOTE_H
#define NUMAPLACE_QUOTE_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

/*
 * Show untrusted text inside a one-line error message: every byte outside
 * printable ASCII is escaped (\n, \t, \r, \xNN), and so are the quote and
 * the backslash, so the result never breaks a line or a terminal.
 */

/* Quote `s` as "…" (double quotes), showing at most its first `max` bytes
 * and then "…" (U+2026) inside the quotes when more remain.
 * Returns a heap string the caller frees, NULL when out of memory. */
char *np_quote_string(const char *s, size_t max);

/* A single byte quoted as 'x', '\n' or '\x01' (at most 6 characters). */
struct np_quoted_char {
	char s[8];
};

/* Quote one byte; a NUL byte (the end of the text) reads as `end`. */
struct np_quoted_char np_quote_char(char c);

/* Set the input error `invalid WHAT "TEXT": WHY` (TEXT quoted as by
 * np_quote_string with `max`, WHY from fmt) and return -EINVAL. */
int np_quote_fail(struct np_err *err, const char *what, const char *text, size_t max,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The same with a va_list. */
int np_quote_vfail(struct np_err *err, const char *what, const char *text, size_t max,
		   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#endif
