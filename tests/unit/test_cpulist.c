/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/cpulist: table tests whose rows come from the originals' own tests
 * (Linux lib/test_bitmap.c parselist_tests and parse_tests, libvirt
 * tests/virbitmaptest.c, util-linux lib/cpuset.c behaviour), adapted to an
 * 8192-bit set, plus round-trip properties over random sets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "cpulist.h"

#define K NP_CPULIST_KERNEL
#define L NP_CPULIST_LIBVIRT

/* One parse case: `want` is the canonical list, NULL when `in` is rejected;
 * `why` is then a part the error message must hold. */
struct list_row {
	enum np_cpulist_dialect dialect;
	const char *in;
	const char *want;
	const char *why;
};

static const struct list_row list_rows[] = {
	/* Linux lib/test_bitmap.c parselist_tests, valid rows. */
	{ K, "0", "0", NULL },
	{ K, "1", "1", NULL },
	{ K, "0-15", "0-15", NULL },
	{ K, "16-31", "16-31", NULL },
	{ K, "0-31:1/2", "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30", NULL },
	{ K, "1-31:1/2", "1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31", NULL },
	{ K, "0-31:1/4", "0,4,8,12,16,20,24,28", NULL },
	{ K, "1-31:1/4", "1,5,9,13,17,21,25,29", NULL },
	{ K, "0-31:4/4", "0-31", NULL },
	{ K, "1-31:4/4", "1-31", NULL },
	{ K, "0-31:1/4,32-63:2/4",
	  "0,4,8,12,16,20,24,28,32-33,36-37,40-41,44-45,48-49,52-53,56-57,60-61", NULL },
	{ K, "0-31:3/4,32-63:4/4", "0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-63", NULL },
	{ K, "  ,,  0-31:3/4  ,, 32-63:4/4  ,,  ",
	  "0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-63", NULL },
	{ K, "0-31:1/4,32-63:2/4,64-95:3/4,96-127:4/4",
	  "0,4,8,12,16,20,24,28,32-33,36-37,40-41,44-45,48-49,52-53,56-57,60-61,"
	  "64-66,68-70,72-74,76-78,80-82,84-86,88-90,92-94,96-127", NULL },
	{ K, "0-2047:128/256", "0-127,256-383,512-639,768-895,1024-1151,1280-1407,"
	  "1536-1663,1792-1919", NULL },
	{ K, "", "", NULL },
	{ K, "\n", "", NULL },
	{ K, ",,  ,,  , ,  ,", "", NULL },
	{ K, " ,  ,,  , ,   ", "", NULL },
	{ K, " ,  ,,  , ,   \n", "", NULL },
	{ K, "0-0", "0", NULL },
	{ K, "1-1", "1", NULL },
	{ K, "15-15", "15", NULL },
	{ K, "31-31", "31", NULL },
	{ K, "0-0:0/1", "", NULL },
	{ K, "0-0:1/1", "0", NULL },
	{ K, "0-0:1/31", "0", NULL },
	{ K, "0-0:31/31", "0", NULL },
	{ K, "1-1:1/1", "1", NULL },
	{ K, "0-15:16/31", "0-15", NULL },
	{ K, "15-15:1/2", "15", NULL },
	{ K, "15-15:31/31", "15", NULL },
	{ K, "15-31:1/31", "15", NULL },
	{ K, "16-31:16/31", "16-31", NULL },
	{ K, "31-31:31/31", "31", NULL },
	{ K, "0-31:1/3,1-31:1/3,2-31:1/3", "0-31", NULL },
	{ K, "1-10:8/12,8-31:24/29,0-31:0/3", "1-31", NULL },
	/* test_bitmap.c: `N` and `all` depend on the bitmap size: rejected here. */
	{ K, "N-N", NULL, "'N' (the last bit) at position 1 is not accepted" },
	{ K, "0-0:1/N", NULL, "'N' (the last bit) at position 7" },
	{ K, "15-N:1/N", NULL, "'N' (the last bit) at position 4" },
	{ K, "all", NULL, "'all' at position 1 is not accepted" },
	{ K, "0, 1, all,  ", NULL, "'all' at position 7" },
	{ K, "ALL:1/2", NULL, "'all' at position 1" },
	/* test_bitmap.c, invalid rows (-EINVAL, -ERANGE, -EOVERFLOW there). */
	{ K, "al", NULL, "unexpected 'a' at position 1, expected a number" },
	{ K, "alll", NULL, "'all' at position 1" },
	{ K, "-1", NULL, "unexpected '-' at position 1" },
	{ K, "-0", NULL, "unexpected '-' at position 1" },
	{ K, "10-1", NULL, "range 10-1 at position 1 goes backwards" },
	{ K, "8192-8192", NULL, "8192 at position 6 is out of range (largest is 8191)" },
	{ K, "8192", NULL, "8192 at position 1 is out of range (largest is 8191)" },
	{ K, "0-8192", NULL, "8192 at position 3 is out of range" },
	{ K, "0-31:", NULL, "unexpected end at position 6, expected a number" },
	{ K, "0-31:0", NULL, "unexpected end at position 7, expected '/'" },
	{ K, "0-31:0/", NULL, "unexpected end at position 8, expected a number" },
	{ K, "0-31:0/0", NULL, "group size 0 at position 1" },
	{ K, "0-31:1/0", NULL, "group size 0" },
	{ K, "0-31:10/1", NULL, "10 used of a group of 1 at position 1" },
	{ K, "0-98765432123456789:10/1", NULL, "number at position 3 is too large" },
	{ K, "a-31", NULL, "unexpected 'a' at position 1" },
	{ K, "0-a1", NULL, "unexpected 'a' at position 3" },
	{ K, "a-31:10/1", NULL, "unexpected 'a' at position 1" },
	{ K, "0-31:a/1", NULL, "unexpected 'a' at position 6" },
	{ K, "0-\n", NULL, "unexpected end at position 3" },
	/* numaplace: one final newline (as read from sysfs), nothing after one. */
	{ K, "0-3\n", "0-3", NULL },
	{ K, "1\n2", NULL, "unexpected '\\n' at position 2" },
	{ K, "0-3\n\n", NULL, "unexpected '\\n' at position 4" },
	/* Linux bitmap_parselist: a blank ends a region like a comma does. */
	{ K, "1 2", "1-2", NULL },
	{ K, "1\t,\t3", "1,3", NULL },
	{ K, "3,1,2,0", "0-3", NULL },
	{ K, "0-3,2-5", "0-5", NULL },
	{ K, "1 -2", NULL, "unexpected '-' at position 3" },
	{ K, "1- 2", NULL, "unexpected ' ' at position 3, expected a number" },
	/* Linux bitmap_getnum: unsigned decimal only, overflow past unsigned int. */
	{ K, "+1", NULL, "unexpected '+' at position 1" },
	{ K, "0x10", NULL, "unexpected 'x' at position 2" },
	{ K, "1.5", NULL, "unexpected '.' at position 2" },
	{ K, "007", "7", NULL },
	{ K, "4294967295", NULL, "4294967295 at position 1 is out of range" },
	{ K, "4294967296", NULL, "number at position 1 is too large" },
	{ K, "8191", "8191", NULL },
	{ K, "0-8191", "0-8191", NULL },
	{ K, "0-8191:1/4096", "0,4096", NULL },
	{ K, "0-8191:1/4294967295", "0", NULL },
	/* Linux bitmap_parse_region: a pattern needs a range, and then '/'. */
	{ K, "3:1/2", NULL, "unexpected ':' at position 2, expected '-', ',' or end" },
	{ K, "0-3:2", NULL, "unexpected end at position 6, expected '/'" },
	{ K, "0-3:1/2x", NULL, "unexpected 'x' at position 8, expected ',' or end" },
	{ K, "0-3x", NULL, "unexpected 'x' at position 4, expected ':', ',' or end" },
	{ K, "0-15:2/4", "0-1,4-5,8-9,12-13", NULL },
	/* util-linux cpulist_parse: `a-b:s` is a stride there, not here. */
	{ K, "0-10:3", NULL, "unexpected end at position 7, expected '/'" },
	/* util-linux rejects a trailing comma; the kernel skips empty regions. */
	{ K, "1,", "1", NULL },
	{ K, "1,3-5", "1,3-5", NULL },

	/* libvirt tests/virbitmaptest.c test2 and test4c. */
	{ L, "1-32,50,88-99,1021-1023", "1-32,50,88-99,1021-1023", NULL },
	{ L, "0, 2-4, 6-10, 12, 14-18, 20, 22, 25", "0,2-4,6-10,12,14-18,20,22,25", NULL },
	/* virbitmaptest.c test9: out of bounds. */
	{ L, "100000000", NULL, "100000000 at position 1 is out of range" },
	{ L, "1-1000000000", NULL, "1000000000 at position 3 is out of range" },
	{ L, "1-10^10000000000", NULL, "unexpected '^' at position 5, expected ',' or end" },
	/* virbitmaptest.c test10: "0,^0" is the empty set; 'f' was a terminator. */
	{ L, "0,^0", "", NULL },
	{ L, "4,9,10,16-19", "4,9-10,16-19", NULL },
	{ L, "0-3,5-8,11-15f16", NULL, "unexpected 'f' at position 14" },
	/* virbitmaptest.c test15 (virBitmapParseUnlimited there, 8192 bits here). */
	{ L, "12345", NULL, "12345 at position 1 is out of range" },
	/* libvirt virBitmapParseSeparator: the exclusion applies in order. */
	{ L, "0-7,^3", "0-2,4-7", NULL },
	{ L, "^3,0-7", "0-7", NULL },
	{ L, "0-3,^5", "0-3", NULL },
	{ L, "^8192", NULL, "8192 at position 2 is out of range" },
	{ L, "^1-3", NULL, "'^' at position 1 excludes a single number, not a range" },
	{ L, "^", NULL, "unexpected end at position 2, expected a number" },
	{ L, "^^1", NULL, "unexpected '^' at position 2" },
	/* virBitmapParseSeparator: leading spaces skipped, then empty rejected. */
	{ L, "", NULL, "the list is empty" },
	{ L, "   ", NULL, "the list is empty" },
	{ L, "  1", "1", NULL },
	/* Spaces around '-' and after ',' and at the end; empty elements not. */
	{ L, "1 - 3", "1-3", NULL },
	/* virSkipSpaces takes the newline for a space, unlike the kernel. */
	{ L, "1,\n2\n", "1-2", NULL },
	{ L, "\n", NULL, "the list is empty" },
	{ L, "1 ,2", "1-2", NULL },
	{ L, "1,2 ", "1-2", NULL },
	{ L, ",1", NULL, "unexpected ',' at position 1, expected a number" },
	{ L, "1,,2", NULL, "unexpected ',' at position 3, expected a number" },
	{ L, "1, ,2", NULL, "unexpected ',' at position 4" },
	/* virBitmapParseSeparator accepts a trailing comma: after ',' it skips
	 * spaces and the loop ends at the end of the text. */
	{ L, "1,", "1", NULL },
	{ L, "1,2, ", "1-2", NULL },
	{ L, "1 2", NULL, "unexpected '2' at position 3, expected ',' or end" },
	{ L, "1-3-5", NULL, "unexpected '-' at position 4" },
	{ L, "3-1", NULL, "range 3-1 at position 1 goes backwards" },
	{ L, "-1", NULL, "unexpected '-' at position 1" },
	/* libvirt reads the range end with strtol, which takes a sign; not here. */
	{ L, "1-+3", NULL, "unexpected '+' at position 3, expected a number" },
	{ L, "0:1/2", NULL, "unexpected ':' at position 2" },
	{ L, "0-8191", "0-8191", NULL },
	{ L, "8192", NULL, "8192 at position 1 is out of range" },
	{ L, "99999999999", NULL, "number at position 1 is too large" },
};

/* The kernel hex mask: `want` is the canonical list of what it holds. */
struct mask_row {
	const char *in;
	const char *want;
	const char *why;
};

static const struct mask_row mask_rows[] = {
	/* Linux lib/test_bitmap.c parse_tests (bitmap_parse). */
	{ "", "", NULL },
	{ "0", "", NULL },
	{ "0\n", "", NULL },
	{ "1", "0", NULL },
	{ "deadbeef", "0-3,5-7,9-13,15-16,18-19,21,23,25-28,30-31", NULL },
	{ "1,0", "32", NULL },
	{ "deadbeef,1,0", "32,64-67,69-71,73-77,79-80,82-83,85,87,89-92,94-95", NULL },
	{ "baadf00d,deadbeef,1,0", "32,64-67,69-71,73-77,79-80,82-83,85,87,89-92,94-96,"
	  "98-99,108-112,114-115,117,119,121,123-125,127", NULL },
	{ "badf00d,deadbeef,1,0", "32,64-67,69-71,73-77,79-80,82-83,85,87,89-92,94-96,"
	  "98-99,108-112,114-115,117,119-121,123", NULL },
	{ "goodfood,deadbeef,1,0", NULL, "unexpected 'g' at position 1" },
	{ "123badf00d,deadbeef,1,0", NULL, "word at position 1 has more than 8 hex digits" },
	/* The kernel is laxer with blanks and empty words; numaplace is not. */
	{ " ", NULL, "unexpected ' ' at position 1" },
	{ "  badf00d,deadbeef,1,0  ", NULL, "unexpected ' ' at position 1" },
	{ "1,,0", NULL, "unexpected ',' at position 3, expected a hex digit" },
	{ "1,", NULL, "unexpected end at position 3, expected a hex digit" },
	{ ",1", NULL, "unexpected ',' at position 1" },
	/* util-linux cpumask_parse skips "0x"; sysfs never prints it. */
	{ "0x1", NULL, "unexpected 'x' at position 2" },
	{ "F", "0-3", NULL },
	{ "1\n\n", NULL, "unexpected '\\n' at position 2" },
};

/* Format `s` as a list (never NULL in these tests). */
static char *list_of(const struct np_cpuset *s)
{
	char *t = np_cpulist_format(s);

	assert_non_null(t);
	return t;
}

static void check_list_row(const struct list_row *row, size_t i)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;
	int r = np_cpulist_parse(row->in, row->dialect, &set, &err);

	if (row->want) {
		_cleanup_free_ char *got = NULL;

		if (r != 0)
			fail_msg("row %zu \"%s\": rejected: %s", i, row->in, err.msg);
		got = list_of(&set);
		if (strcmp(got, row->want) != 0)
			fail_msg("row %zu \"%s\": got \"%s\", want \"%s\"", i, row->in, got, row->want);
	} else {
		if (r != -EINVAL)
			fail_msg("row %zu \"%s\": accepted, want an error", i, row->in);
		assert_true(err.input);
		if (!strstr(err.msg, row->why))
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, err.msg, row->why);
	}
	np_err_clear(&err);
}

static void test_list_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(list_rows); i++)
		check_list_row(&list_rows[i], i);
}

static void check_mask_row(const struct mask_row *row, size_t i)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;
	int r = np_cpumask_parse(row->in, &set, &err);

	if (row->want) {
		_cleanup_free_ char *got = NULL;

		if (r != 0)
			fail_msg("mask row %zu \"%s\": rejected: %s", i, row->in, err.msg);
		got = list_of(&set);
		if (strcmp(got, row->want) != 0)
			fail_msg("mask row %zu \"%s\": got \"%s\", want \"%s\"", i, row->in,
				 got, row->want);
	} else {
		if (r != -EINVAL)
			fail_msg("mask row %zu \"%s\": accepted, want an error", i, row->in);
		if (!strstr(err.msg, row->why))
			fail_msg("mask row %zu: message \"%s\" lacks \"%s\"", i, err.msg, row->why);
	}
	np_err_clear(&err);
}

static void test_mask_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(mask_rows); i++)
		check_mask_row(&mask_rows[i], i);
}

/* A mask of `words` comma-separated words, the first one `top`, the rest 0. */
static char *mask_text(size_t words, const char *top)
{
	size_t len = strlen(top) + (words - 1) * 2 + 1;
	char *t = malloc(len);
	size_t n;

	assert_non_null(t);
	n = (size_t)sprintf(t, "%s", top);
	for (size_t w = 1; w < words; w++)
		n += (size_t)sprintf(t + n, ",0");
	return t;
}

/* NP_CPUSET_MAX is 256 words of 32 bits: the top bit is 8191. */
static void test_mask_bounds(void **state)
{
	_cleanup_free_ char *top = mask_text(256, "80000000");
	_cleanup_free_ char *over = mask_text(257, "1");
	_cleanup_free_ char *zeros = mask_text(300, "0");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;

	(void)state;
	assert_int_equal(np_cpumask_parse(top, &set, NULL), 0);
	assert_int_equal(np_cpuset_count(&set), 1);
	assert_true(np_cpuset_has(&set, 8191));
	assert_int_equal(np_cpumask_parse(over, &set, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "word at position 1 sets bits past 8191"));
	assert_int_equal(np_cpumask_parse(zeros, &set, NULL), 0);
	assert_true(np_cpuset_empty(&set));
	np_err_clear(&err);
}

/* Format a mask from a canonical list and compare. */
static void check_mask_format(const char *list, const char *want)
{
	_cleanup_free_ char *got = NULL;
	struct np_cpuset set;

	assert_int_equal(np_cpulist_parse(list, K, &set, NULL), 0);
	got = np_cpumask_format(&set);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_mask_format(void **state)
{
	_cleanup_free_ char *full = NULL;
	struct np_cpuset set;

	(void)state;
	check_mask_format("", "00000000");
	check_mask_format("0-3", "0000000f");
	check_mask_format("31", "80000000");
	check_mask_format("32", "00000001,00000000");
	/* Linux lib/test_bitmap.c small_bitmap / small_mask. */
	check_mask_format("0,4,8,12,16,20,24,28,32-33,36-37,40-41,44-45,48-49,52-53,"
			  "56-57,60-61", "33333333,11111111");
	np_cpuset_zero(&set);
	np_cpuset_add(&set, 8191);
	full = np_cpumask_format(&set);
	assert_non_null(full);
	assert_int_equal(strlen(full), 256 * 9 - 1);
	assert_memory_equal(full, "80000000,00000000,", 18);
	free(np_steal_ptr(&full));
	np_cpuset_add_range(&set, 0, 8191);
	full = np_cpumask_format(&set);
	assert_non_null(full);
	assert_int_equal(strlen(full), 256 * 9 - 1);
	assert_memory_equal(full, "ffffffff,ffffffff", 17);
}

static void test_list_format(void **state)
{
	_cleanup_free_ char *every_other = NULL;
	struct np_cpuset set;

	(void)state;
	np_cpuset_zero(&set);
	every_other = list_of(&set);
	assert_string_equal(every_other, "");
	free(np_steal_ptr(&every_other));
	/* The longest list: 4096 single members, "0,2,...,8190". */
	for (unsigned i = 0; i < NP_CPUSET_MAX; i += 2)
		np_cpuset_add(&set, i);
	every_other = list_of(&set);
	/* 5 one-digit, 45 two-digit, 450 three-digit, 3596 four-digit, 4095 commas. */
	assert_int_equal(strlen(every_other), 5 + 45 * 2 + 450 * 3 + 3596 * 4 + 4095);
	assert_memory_equal(every_other, "0,2,4,", 6);
	assert_string_equal(every_other + strlen(every_other) - 9, "8188,8190");
}

static void test_examples(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct np_cpuset set;

	(void)state;
	assert_int_equal(np_cpulist_parse("0-7,^3", L, &set, NULL), 0);
	a = list_of(&set);
	assert_string_equal(a, "0-2,4-7");
	assert_int_equal(np_cpulist_parse("0-15:2/4", K, &set, NULL), 0);
	b = list_of(&set);
	assert_string_equal(b, "0-1,4-5,8-9,12-13");
}

static void test_error_exact(void **state)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;

	(void)state;
	assert_int_equal(np_cpulist_parse("0-3x", K, &set, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_true(err.input);
	assert_int_equal(np_err_exit_code(&err), 2);
	assert_string_equal(err.msg, "invalid cpu list \"0-3x\": unexpected 'x' at "
			    "position 4, expected ':', ',' or end");
	assert_int_equal(np_cpumask_parse("1g", &set, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid cpu mask \"1g\": unexpected 'g' at "
			    "position 2, expected a hex digit or end");
	np_err_clear(&err);
}

/* True when `s` holds only printable ASCII (and UTF-8 of "…"). */
static bool printable_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void test_error_escapes(void **state)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;

	(void)state;
	assert_int_equal(np_cpulist_parse("0\x01\x1b[2J", K, &set, &err), -EINVAL);
	assert_true(printable_line(err.msg));
	assert_non_null(strstr(err.msg, "\"0\\x01\\x1b[2J\""));
	assert_non_null(strstr(err.msg, "unexpected '\\x01' at position 2"));
	assert_int_equal(np_cpulist_parse("1\"\\\xff", L, &set, &err), -EINVAL);
	assert_true(printable_line(err.msg));
	assert_non_null(strstr(err.msg, "\"1\\\"\\\\\\xff\""));
	assert_int_equal(np_cpulist_parse("1\n2", K, &set, &err), -EINVAL);
	assert_true(printable_line(err.msg));
	np_err_clear(&err);
}

static void test_error_long_input(void **state)
{
	_cleanup_free_ char *text = malloc(100001);
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set;

	(void)state;
	assert_non_null(text);
	memset(text, '1', 100000);
	text[100000] = '\0';
	text[0] = '2';
	assert_int_equal(np_cpulist_parse(text, K, &set, &err), -EINVAL);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "\xe2\x80\xa6\""));
	assert_non_null(strstr(err.msg, "number at position 1 is too large"));
	memset(text, ',', 99999);
	text[99999] = 'x';
	assert_int_equal(np_cpulist_parse(text, K, &set, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unexpected 'x' at position 100000"));
	assert_true(strlen(err.msg) < 200);
	np_err_clear(&err);
}

static void test_untouched_on_failure(void **state)
{
	static const char *const bad[] = { "0-3x", "8192", "N", "1\n2" };
	static const char *const bad_mask[] = { "0-3x", "1,,0", "N", "1\n2" };
	struct np_cpuset set, before;

	(void)state;
	np_cpuset_zero(&before);
	np_cpuset_add_range(&before, 5, 70);
	for (size_t i = 0; i < NP_ARRAY_SIZE(bad); i++) {
		set = before;
		assert_int_equal(np_cpulist_parse(bad[i], K, &set, NULL), -EINVAL);
		assert_true(np_cpuset_equal(&set, &before));
		assert_int_equal(np_cpulist_parse(bad[i], L, &set, NULL), -EINVAL);
		assert_true(np_cpuset_equal(&set, &before));
		assert_int_equal(np_cpumask_parse(bad_mask[i], &set, NULL), -EINVAL);
		assert_true(np_cpuset_equal(&set, &before));
	}
}

static void test_dialect_parse(void **state)
{
	enum np_cpulist_dialect d = L;
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(np_cpulist_dialect_parse("kernel", &d, NULL), 0);
	assert_int_equal(d, K);
	assert_int_equal(np_cpulist_dialect_parse("libvirt", &d, NULL), 0);
	assert_int_equal(d, L);
	assert_int_equal(np_cpulist_dialect_parse("Kernel", &d, &err), -EINVAL);
	assert_int_equal(d, L);
	assert_true(err.input);
	assert_string_equal(err.msg, "unknown cpu list dialect \"Kernel\" (expected "
			    "kernel or libvirt)");
	assert_int_equal(np_cpulist_dialect_parse("", &d, &err), -EINVAL);
	np_err_clear(&err);
}

/* xorshift64*: a fixed seed makes every run test the same sets. */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

static unsigned rng_below(uint64_t *x, unsigned n)
{
	return (unsigned)(rng_next(x) % n);
}

/* A random set: scattered members, runs, or dense bits below a random top. */
static void random_set(uint64_t *x, struct np_cpuset *s)
{
	unsigned top = 1 + rng_below(x, NP_CPUSET_MAX);
	unsigned kind = rng_below(x, 4), n = rng_below(x, 64);

	np_cpuset_zero(s);
	for (unsigned i = 0; kind == 0 && i < n; i++)
		np_cpuset_add(s, rng_below(x, top));
	for (unsigned i = 0; kind == 1 && i < n; i++) {
		unsigned lo = rng_below(x, top);

		np_cpuset_add_range(s, lo, lo + rng_below(x, top - lo));
	}
	for (unsigned i = 0; kind == 2 && i < top; i++)
		if (rng_below(x, 3) == 0)
			np_cpuset_add(s, i);
	if (kind == 3) {
		np_cpuset_add(s, 0);
		np_cpuset_add(s, rng_below(x, 2) ? 63 : 64);
		np_cpuset_add(s, NP_CPUSET_MAX - 1);
	}
}

/* parse(format(s)) == s, and format(parse(format(s))) == format(s). */
static void check_list_round_trip(const struct np_cpuset *s, enum np_cpulist_dialect d)
{
	_cleanup_free_ char *text = list_of(s);
	_cleanup_free_ char *again = NULL;
	struct np_cpuset back;

	if (d == L && np_cpuset_empty(s))
		return;
	assert_int_equal(np_cpulist_parse(text, d, &back, NULL), 0);
	assert_true(np_cpuset_equal(&back, s));
	again = list_of(&back);
	assert_string_equal(again, text);
}

static void check_mask_round_trip(const struct np_cpuset *s)
{
	_cleanup_free_ char *text = np_cpumask_format(s);
	struct np_cpuset back;

	assert_non_null(text);
	assert_int_equal(np_cpumask_parse(text, &back, NULL), 0);
	assert_true(np_cpuset_equal(&back, s));
}

static void test_round_trip_random(void **state)
{
	uint64_t x = UINT64_C(0x6e756d61706c6163);

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		struct np_cpuset s;

		random_set(&x, &s);
		check_list_round_trip(&s, K);
		check_list_round_trip(&s, L);
		check_mask_round_trip(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_rows),
		cmocka_unit_test(test_mask_rows),
		cmocka_unit_test(test_mask_bounds),
		cmocka_unit_test(test_mask_format),
		cmocka_unit_test(test_list_format),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_error_exact),
		cmocka_unit_test(test_error_escapes),
		cmocka_unit_test(test_error_long_input),
		cmocka_unit_test(test_untouched_on_failure),
		cmocka_unit_test(test_dialect_parse),
		cmocka_unit_test(test_round_trip_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
