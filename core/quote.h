/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_QUOTE_H
#define NUMAPLACE_QUOTE_H

#include <stddef.h>

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

#endif
