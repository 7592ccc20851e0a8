/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/quote: untrusted text shown safely on one line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quote.h"

struct quoted {
	const char *in;
	size_t max;
	const char *out;
};

static const struct quoted quoted[] = {
	{ "", 10, "\"\"" },
	{ "web1", 10, "\"web1\"" },
	{ "a\"b", 10, "\"a\\\"b\"" },
	{ "a\\b", 10, "\"a\\\\b\"" },
	{ "a'b", 10, "\"a'b\"" },
	{ "a\nb\tc\rd", 10, "\"a\\nb\\tc\\rd\"" },
	{ "\x1b[31m", 10, "\"\\x1b[31m\"" },
	{ "caf\xc3\xa9", 10, "\"caf\\xc3\\xa9\"" },
	{ "\x7f", 10, "\"\\x7f\"" },
	{ "abcdef", 6, "\"abcdef\"" },
	{ "abcdefg", 6, "\"abcdef\xe2\x80\xa6\"" },
	{ "abc", 0, "\"\xe2\x80\xa6\"" },
	{ "\n\n\n", 2, "\"\\n\\n\xe2\x80\xa6\"" },
};

static void test_string(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
		char *q = np_quote_string(quoted[i].in, quoted[i].max);

		assert_non_null(q);
		assert_string_equal(q, quoted[i].out);
		free(q);
	}
}

/* Every byte but NUL, alone: the result is printable ASCII on one line. */
static void test_every_byte(void **state)
{
	(void)state;
	for (unsigned c = 1; c < 256; c++) {
		char in[2] = { (char)c, '\0' };
		char *q = np_quote_string(in, 8);

		assert_non_null(q);
		for (const char *p = q; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		assert_true(strlen(q) <= 6);
		free(q);
	}
}

static void test_char(void **state)
{
	(void)state;
	assert_string_equal(np_quote_char('x').s, "'x'");
	assert_string_equal(np_quote_char('\n').s, "'\\n'");
	assert_string_equal(np_quote_char('\'').s, "'\\''");
	assert_string_equal(np_quote_char('"').s, "'\"'");
	assert_string_equal(np_quote_char('\\').s, "'\\\\'");
	assert_string_equal(np_quote_char('\x01').s, "'\\x01'");
	assert_string_equal(np_quote_char((char)0xff).s, "'\\xff'");
	assert_string_equal(np_quote_char('\0').s, "end");
}

static void test_fail(void **state)
{
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_quote_fail(&err, "size", "12Q\n", 40, "unit %s unknown", "Q"), -EINVAL);
	assert_true(err.input);
	assert_string_equal(err.msg, "invalid size \"12Q\\n\": unit Q unknown");
	np_err_clear(&err);
	assert_int_equal(np_quote_fail(&err, "name", "abcdef", 3, "too long"), -EINVAL);
	assert_string_equal(err.msg, "invalid name \"abc\xe2\x80\xa6\": too long");
	np_err_clear(&err);
	assert_int_equal(np_quote_fail(NULL, "name", "x", 3, "bad"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
