/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz the small validators: sizes, durations, counts and guest names.
 * An accepted size or count must equal what a plain reading of its digits
 * and suffix gives; a rejection must leave the output alone and give one
 * printable line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"
#include "size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void np_fuzz_check(bool ok)
{
	if (!ok)
		abort();
}

static void np_fuzz_check_failure(int r, const struct np_err *err)
{
	np_fuzz_check(r == -EINVAL && err->input && err->msg);
	for (const char *p = err->msg; *p; p++)
		np_fuzz_check((unsigned char)*p >= 0x20 && *p != 0x7f);
}

/* The value of the leading digits, saturating; *end after them. */
static uint64_t np_fuzz_digits(const char *s, const char **end)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v > UINT64_MAX / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*s - '0');
	*end = s;
	return v;
}

static void np_fuzz_size(const char *text)
{
	struct np_err err = NP_ERR_INIT;
	uint64_t v = 7, factor = 1;
	const char *end;
	uint64_t digits = np_fuzz_digits(text, &end);
	int r = np_size_parse(text, &v, &err);

	if (r == 0) {
		const char *units = "KMGT", *u = *end ? strchr(units, *end & ~0x20) : NULL;

		np_fuzz_check(end != text && (!*end || (u && *u && !end[1])));
		if (*end)
			factor = UINT64_C(1) << (10 * (u - units + 1));
		np_fuzz_check(v == digits * factor && v / factor == digits);
	} else {
		np_fuzz_check(v == 7);
		np_fuzz_check_failure(r, &err);
	}
	np_err_clear(&err);
}

static void np_fuzz_duration_count(const char *text)
{
	struct np_err err = NP_ERR_INIT;
	uint64_t ms = 7;
	unsigned n = 7;
	const char *end;
	uint64_t digits = np_fuzz_digits(text, &end);
	int r = np_duration_parse(text, &ms, &err);

	if (r != 0)
		np_fuzz_check_failure(r, &err);
	else
		np_fuzz_check(end != text);
	r = np_count_parse(text, 4096, &n, &err);
	if (r == 0)
		np_fuzz_check(!*end && n == digits && n >= 1 && n <= 4096);
	else
		np_fuzz_check(n == 7);
	if (r != 0)
		np_fuzz_check_failure(r, &err);
	np_err_clear(&err);
}

static void np_fuzz_name(const char *text)
{
	struct np_err err = NP_ERR_INIT;
	int r = np_name_validate(text, &err);

	if (r == 0) {
		size_t len = strlen(text);

		np_fuzz_check(len >= 1 && len <= NP_NAME_MAX);
		np_fuzz_check(strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_.-") == len);
		np_fuzz_check(text[0] != '.' && text[0] != '-' && !strchr(text, '/'));
	} else {
		np_fuzz_check_failure(r, &err);
	}
	np_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	np_fuzz_size(text);
	np_fuzz_duration_count(text);
	np_fuzz_name(text);
	return 0;
}
