/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "size.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "quote.h"

/* How much of a bad value an error message shows. */
#define NP_SIZE_SHOWN 40

/* A unit suffix and what it multiplies by. */
struct np_unit {
	const char *suffix;
	uint64_t factor;
};

static const struct np_unit np_size_units[] = {
	{ "", 1 },
	{ "K", UINT64_C(1) << 10 }, { "k", UINT64_C(1) << 10 },
	{ "M", UINT64_C(1) << 20 }, { "m", UINT64_C(1) << 20 },
	{ "G", UINT64_C(1) << 30 }, { "g", UINT64_C(1) << 30 },
	{ "T", UINT64_C(1) << 40 }, { "t", UINT64_C(1) << 40 },
};

static const struct np_unit np_duration_units[] = {
	{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 },
};

/* Read the leading decimal digits of `text` into *value; *end is the first
 * byte after them. Fails on no digits or on overflow past UINT64_MAX. */
static int np_read_digits(const char *text, const char **end, uint64_t *value,
			  const char *what, struct np_err *err)
{
	uint64_t v = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return np_quote_fail(err, what, text, NP_SIZE_SHOWN, "too large");
		v = v * 10 + d;
	}
	if (p == text)
		return np_quote_fail(err, what, text, NP_SIZE_SHOWN, "%s",
				     *text ? "expected digits first" : "empty");
	*end = p;
	*value = v;
	return 0;
}

/* Parse digits followed by one of `units`, scaled by its factor. */
static int np_parse_scaled(const char *text, const struct np_unit *units, size_t nunits,
			   const char *what, const char *expected, uint64_t *out,
			   struct np_err *err)
{
	const char *end = NULL;
	uint64_t v = 0;

	if (np_read_digits(text, &end, &v, what, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].factor)
			return np_quote_fail(err, what, text, NP_SIZE_SHOWN, "too large");
		*out = v * units[i].factor;
		return 0;
	}
	return np_quote_fail(err, what, text, NP_SIZE_SHOWN, "%s", expected);
}

int np_size_parse(const char *text, uint64_t *out, struct np_err *err)
{
	return np_parse_scaled(text, np_size_units, NP_ARRAY_SIZE(np_size_units), "size",
			       "expected digits with an optional K, M, G or T", out, err);
}

int np_duration_parse(const char *text, uint64_t *out_ms, struct np_err *err)
{
	return np_parse_scaled(text, np_duration_units, NP_ARRAY_SIZE(np_duration_units),
			       "duration", "expected digits with an optional ms, s, m or h",
			       out_ms, err);
}

int np_count_parse(const char *text, unsigned max, unsigned *out, struct np_err *err)
{
	const char *end = NULL;
	uint64_t v = 0;

	if (np_read_digits(text, &end, &v, "count", err) < 0)
		return -EINVAL;
	if (*end)
		return np_quote_fail(err, "count", text, NP_SIZE_SHOWN, "expected digits only");
	if (v < 1 || v > max)
		return np_quote_fail(err, "count", text, NP_SIZE_SHOWN, "must be between 1 and %u",
				     max);
	*out = (unsigned)v;
	return 0;
}
