/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* Write the escaped form of `c` at `dst` (room for 4 bytes + NUL) and
 * return how many bytes it took; `quote` is the quote character in use. */
static size_t np_quote_escape(char *dst, unsigned char c, char quote)
{
	if (c == '\n')
		return (size_t)sprintf(dst, "\\n");
	if (c == '\t')
		return (size_t)sprintf(dst, "\\t");
	if (c == '\r')
		return (size_t)sprintf(dst, "\\r");
	if (c == '\\' || c == (unsigned char)quote)
		return (size_t)sprintf(dst, "\\%c", c);
	if (c < 0x20 || c >= 0x7f)
		return (size_t)sprintf(dst, "\\x%02x", c);
	dst[0] = (char)c;
	dst[1] = '\0';
	return 1;
}

char *np_quote_string(const char *s, size_t max)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t len = strnlen(s, max + 1);
	size_t shown = len > max ? max : len;
	char *out = malloc(shown * 4 + sizeof(ellipsis) + 3);
	size_t n = 0;

	if (!out)
		return NULL;
	out[n++] = '"';
	for (size_t i = 0; i < shown; i++)
		n += np_quote_escape(out + n, (unsigned char)s[i], '"');
	if (len > max) {
		memcpy(out + n, ellipsis, sizeof(ellipsis) - 1);
		n += sizeof(ellipsis) - 1;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

struct np_quoted_char np_quote_char(char c)
{
	struct np_quoted_char q;

	if (c == '\0') {
		strcpy(q.s, "end");
		return q;
	}
	q.s[0] = '\'';
	size_t n = 1 + np_quote_escape(q.s + 1, (unsigned char)c, '\'');
	q.s[n] = '\'';
	q.s[n + 1] = '\0';
	return q;
}

int np_quote_vfail(struct np_err *err, const char *what, const char *text, size_t max,
		   const char *fmt, va_list ap)
{
	_cleanup_free_ char *quoted = np_quote_string(text, max);
	_cleanup_free_ char *why = NULL;

	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	return np_err_input(err, "invalid %s %s: %s", what, quoted ? quoted : "(?)",
			    why ? why : fmt);
}

int np_quote_fail(struct np_err *err, const char *what, const char *text, size_t max,
		  const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_quote_vfail(err, what, text, max, fmt, ap);
	va_end(ap);
	return r;
}
