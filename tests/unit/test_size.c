/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/size: sizes, durations and counts as docs/contract.md spells them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "size.h"

/* A parse case: `ok` false means rejected with `why` in the message. */
struct u64_row {
	const char *in;
	bool ok;
	uint64_t want;
	const char *why;
};

static const struct u64_row size_rows[] = {
	{ "0", true, 0, NULL },
	{ "1", true, 1, NULL },
	{ "4096", true, 4096, NULL },
	{ "1K", true, 1024, NULL },
	{ "1k", true, 1024, NULL },
	{ "2M", true, UINT64_C(2) << 20, NULL },
	{ "2m", true, UINT64_C(2) << 20, NULL },
	{ "8G", true, UINT64_C(8) << 30, NULL },
	{ "3g", true, UINT64_C(3) << 30, NULL },
	{ "4T", true, UINT64_C(4) << 40, NULL },
	{ "007K", true, 7 << 10, NULL },
	{ "18446744073709551615", true, UINT64_MAX, NULL },
	{ "16777215T", true, UINT64_C(16777215) << 40, NULL },
	{ "16777216T", false, 0, "too large" },
	{ "18446744073709551616", false, 0, "too large" },
	{ "99999999999999999999999", false, 0, "too large" },
	{ "17179869184G", false, 0, "too large" },
	{ "", false, 0, "invalid size \"\": empty" },
	{ "K", false, 0, "expected digits first" },
	{ "1.5G", false, 0, "expected digits with an optional K, M, G or T" },
	{ "-1", false, 0, "expected digits first" },
	{ "+1", false, 0, "expected digits first" },
	{ " 1", false, 0, "expected digits first" },
	{ "1 ", false, 0, "optional K" },
	{ "1 G", false, 0, "optional K" },
	{ "1KB", false, 0, "optional K" },
	{ "1KiB", false, 0, "optional K" },
	{ "1P", false, 0, "optional K" },
	{ "0x10", false, 0, "optional K" },
	{ "1e3", false, 0, "optional K" },
	{ "1GG", false, 0, "optional K" },
};

static const struct u64_row duration_rows[] = {
	{ "500ms", true, 500, NULL },
	{ "5s", true, 5000, NULL },
	{ "2m", true, 120000, NULL },
	{ "1h", true, 3600000, NULL },
	{ "30", true, 30000, NULL },
	{ "0", true, 0, NULL },
	{ "0ms", true, 0, NULL },
	{ "18446744073709551615ms", true, UINT64_MAX, NULL },
	{ "18446744073709551s", true, UINT64_C(18446744073709551000), NULL },
	{ "18446744073709552s", false, 0, "too large" },
	{ "18446744073709552", false, 0, "too large" },
	{ "5124095576030432h", false, 0, "too large" },
	{ "", false, 0, "empty" },
	{ "s", false, 0, "expected digits first" },
	{ "1.5s", false, 0, "expected digits with an optional ms, s, m or h" },
	{ "5 s", false, 0, "optional ms" },
	{ "5S", false, 0, "optional ms" },
	{ "1d", false, 0, "optional ms" },
	{ "5sm", false, 0, "optional ms" },
	{ "5mss", false, 0, "optional ms" },
	{ "-5s", false, 0, "expected digits first" },
};

typedef int (*u64_parser)(const char *, uint64_t *, struct np_err *);

static void check_u64_rows(const struct u64_row *rows, size_t n, u64_parser parse)
{
	for (size_t i = 0; i < n; i++) {
		struct np_err err = NP_ERR_INIT;
		uint64_t v = 12345;
		int r = parse(rows[i].in, &v, &err);

		if (rows[i].ok) {
			if (r != 0)
				fail_msg("\"%s\": rejected: %s", rows[i].in, err.msg);
			assert_int_equal(v, rows[i].want);
		} else {
			if (r != -EINVAL)
				fail_msg("\"%s\": accepted as %ju", rows[i].in, (uintmax_t)v);
			assert_int_equal(v, 12345);
			assert_true(err.input);
			if (!strstr(err.msg, rows[i].why))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", rows[i].in,
					 err.msg, rows[i].why);
		}
		np_err_clear(&err);
	}
}

static void test_size_rows(void **state)
{
	(void)state;
	check_u64_rows(size_rows, NP_ARRAY_SIZE(size_rows), np_size_parse);
}

static void test_duration_rows(void **state)
{
	(void)state;
	check_u64_rows(duration_rows, NP_ARRAY_SIZE(duration_rows), np_duration_parse);
}

static void test_size_message(void **state)
{
	struct np_err err = NP_ERR_INIT;
	uint64_t v;

	(void)state;
	assert_int_equal(np_size_parse("1.5G", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid size \"1.5G\": expected digits with an "
			    "optional K, M, G or T");
	assert_int_equal(np_size_parse("8G\n", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid size \"8G\\n\": expected digits with an "
			    "optional K, M, G or T");
	assert_int_equal(np_size_parse("x", &v, NULL), -EINVAL);
	np_err_clear(&err);
}

struct count_row {
	const char *in;
	unsigned max;
	bool ok;
	unsigned want;
	const char *why;
};

static const struct count_row count_rows[] = {
	{ "1", 4, true, 1, NULL },
	{ "4", 4, true, 4, NULL },
	{ "04", 4, true, 4, NULL },
	{ "4294967295", UINT32_MAX, true, UINT32_MAX, NULL },
	{ "5", 4, false, 0, "must be between 1 and 4" },
	{ "0", 4, false, 0, "must be between 1 and 4" },
	{ "4294967296", UINT32_MAX, false, 0, "must be between 1 and 4294967295" },
	{ "99999999999999999999", 4, false, 0, "too large" },
	{ "", 4, false, 0, "empty" },
	{ "-1", 4, false, 0, "expected digits first" },
	{ "+1", 4, false, 0, "expected digits first" },
	{ "1 ", 4, false, 0, "expected digits only" },
	{ "2K", 4096, false, 0, "expected digits only" },
	{ "1.0", 4, false, 0, "expected digits only" },
};

static void test_count_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(count_rows); i++) {
		const struct count_row *row = &count_rows[i];
		struct np_err err = NP_ERR_INIT;
		unsigned v = 777;
		int r = np_count_parse(row->in, row->max, &v, &err);

		if (row->ok) {
			assert_int_equal(r, 0);
			assert_int_equal(v, row->want);
		} else {
			if (r != -EINVAL)
				fail_msg("\"%s\": accepted as %u", row->in, v);
			assert_int_equal(v, 777);
			assert_true(err.input);
			if (!strstr(err.msg, row->why))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", row->in, err.msg,
					 row->why);
		}
		np_err_clear(&err);
	}
}

/* Hostile text is escaped and cut in the message. */
static void test_message_is_one_safe_line(void **state)
{
	char text[600];
	struct np_err err = NP_ERR_INIT;
	uint64_t v;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	text[0] = '1';
	text[1] = '\n';
	text[2] = '\x1b';
	assert_int_equal(np_duration_parse(text, &v, &err), -EINVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\x1b'));
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "\"1\\n\\x1bxxx"));
	assert_non_null(strstr(err.msg, "\xe2\x80\xa6\""));
	np_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_rows),
		cmocka_unit_test(test_duration_rows),
		cmocka_unit_test(test_size_message),
		cmocka_unit_test(test_count_rows),
		cmocka_unit_test(test_message_is_one_safe_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
