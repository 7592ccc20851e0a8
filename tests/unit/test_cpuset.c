/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/cpuset: the set operations at word boundaries (0, 63, 64, 8191),
 * libvirt's own intersect/subtract/union rows, and every operation checked
 * against a plain bool-array model over random sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "cpulist.h"
#include "cpuset.h"

#define MAX NP_CPUSET_MAX

static void test_zero_and_empty(void **state)
{
	struct np_cpuset s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	np_cpuset_zero(&s);
	assert_true(np_cpuset_empty(&s));
	assert_int_equal(np_cpuset_count(&s), 0);
	assert_int_equal(np_cpuset_last(&s), -1);
	assert_int_equal(np_cpuset_next(&s, 0), -1);
}

static void test_add_del_has_boundaries(void **state)
{
	static const unsigned edges[] = { 0, 1, 62, 63, 64, 65, 127, 128, 8127, 8128, 8190, 8191 };
	struct np_cpuset s;

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(edges); i++) {
		unsigned e = edges[i];

		np_cpuset_zero(&s);
		np_cpuset_add(&s, e);
		assert_true(np_cpuset_has(&s, e));
		assert_int_equal(np_cpuset_count(&s), 1);
		assert_false(e > 0 && np_cpuset_has(&s, e - 1));
		assert_false(np_cpuset_has(&s, e + 1));
		assert_int_equal(np_cpuset_next(&s, 0), (int)e);
		assert_int_equal(np_cpuset_next(&s, e), (int)e);
		assert_int_equal(np_cpuset_next(&s, e + 1), -1);
		assert_int_equal(np_cpuset_last(&s), (int)e);
		np_cpuset_del(&s, e);
		assert_true(np_cpuset_empty(&s));
	}
}

static void test_out_of_range_ignored(void **state)
{
	struct np_cpuset s, before;

	(void)state;
	np_cpuset_zero(&s);
	np_cpuset_add(&s, 8191);
	before = s;
	np_cpuset_add(&s, MAX);
	np_cpuset_add(&s, UINT32_MAX);
	assert_true(np_cpuset_equal(&s, &before));
	assert_false(np_cpuset_has(&s, MAX));
	assert_false(np_cpuset_has(&s, UINT32_MAX));
	np_cpuset_del(&s, MAX);
	assert_true(np_cpuset_equal(&s, &before));
	assert_int_equal(np_cpuset_next(&s, MAX), -1);
	assert_int_equal(np_cpuset_next(&s, UINT32_MAX), -1);
}

static void test_add_range(void **state)
{
	struct np_cpuset s;

	(void)state;
	np_cpuset_zero(&s);
	np_cpuset_add_range(&s, 63, 64);
	assert_int_equal(np_cpuset_count(&s), 2);
	assert_int_equal(np_cpuset_next(&s, 0), 63);
	assert_int_equal(np_cpuset_last(&s), 64);
	np_cpuset_zero(&s);
	np_cpuset_add_range(&s, 0, MAX - 1);
	assert_int_equal(np_cpuset_count(&s), MAX);
	assert_int_equal(np_cpuset_last(&s), MAX - 1);
	np_cpuset_zero(&s);
	np_cpuset_add_range(&s, 5, 5);
	assert_int_equal(np_cpuset_count(&s), 1);
	np_cpuset_add_range(&s, 9, 8);
	assert_int_equal(np_cpuset_count(&s), 1);
}

static void test_next_iterates_in_order(void **state)
{
	static const unsigned members[] = { 0, 63, 64, 100, 4095, 4096, 8191 };
	struct np_cpuset s;
	size_t n = 0;

	(void)state;
	np_cpuset_zero(&s);
	for (size_t i = 0; i < NP_ARRAY_SIZE(members); i++)
		np_cpuset_add(&s, members[i]);
	for (int i = np_cpuset_next(&s, 0); i >= 0; i = np_cpuset_next(&s, (unsigned)i + 1)) {
		assert_true(n < NP_ARRAY_SIZE(members));
		assert_int_equal(i, (int)members[n++]);
	}
	assert_int_equal(n, NP_ARRAY_SIZE(members));
	assert_int_equal(np_cpuset_next(&s, 65), 100);
	assert_int_equal(np_cpuset_next(&s, 4097), 8191);
}

/* Parse a libvirt list (the shape libvirt's own tests use). */
static struct np_cpuset lv(const char *text)
{
	struct np_cpuset s;

	assert_int_equal(np_cpulist_parse(text, NP_CPULIST_LIBVIRT, &s, NULL), 0);
	return s;
}

struct op_row {
	const char *a, *b, *want;
};

/* libvirt tests/virbitmaptest.c test11 (virBitmapIntersect). */
static const struct op_row and_rows[] = {
	{ "0", "0", "0" },
	{ "0-3", "0", "0" },
	{ "0-3", "0,3", "0,3" },
	{ "0,^0", "0", "0,^0" },
	{ "0-3", "0-3", "0-3" },
	{ "0-3", "0,^0", "0,^0" },
	{ "0,2", "1,3", "0,^0" },
};

/* virbitmaptest.c test14 (virBitmapSubtract). */
static const struct op_row andnot_rows[] = {
	{ "0", "0", "0,^0" },
	{ "0-3", "0", "1-3" },
	{ "0-3", "0,3", "1-2" },
	{ "0,^0", "0", "0,^0" },
	{ "0-3", "0-3", "0,^0" },
	{ "0-3", "0,^0", "0-3" },
	{ "0,2", "1,3", "0,2" },
};

/* virbitmaptest.c test15 (virBitmapUnion), its 12345 moved to 8000 to fit. */
static const struct op_row or_rows[] = {
	{ "0-1", "0-1", "0-1" },
	{ "0", "1", "0-1" },
	{ "0-1", "2-3", "0-3" },
	{ "0-3", "1-2", "0-3" },
	{ "0,^0", "8000", "8000" },
	{ "8000", "0,^0", "8000" },
	{ "0,^0", "0,^0", "0,^0" },
};

typedef void (*set_op)(struct np_cpuset *, const struct np_cpuset *, const struct np_cpuset *);

static void check_op_rows(const struct op_row *rows, size_t n, set_op op)
{
	for (size_t i = 0; i < n; i++) {
		struct np_cpuset a = lv(rows[i].a), b = lv(rows[i].b), want = lv(rows[i].want);
		struct np_cpuset dst;

		op(&dst, &a, &b);
		assert_true(np_cpuset_equal(&dst, &want));
		op(&a, &a, &b); /* dst aliasing a */
		assert_true(np_cpuset_equal(&a, &want));
	}
}

static void test_libvirt_op_rows(void **state)
{
	(void)state;
	check_op_rows(and_rows, NP_ARRAY_SIZE(and_rows), np_cpuset_and);
	check_op_rows(andnot_rows, NP_ARRAY_SIZE(andnot_rows), np_cpuset_andnot);
	check_op_rows(or_rows, NP_ARRAY_SIZE(or_rows), np_cpuset_or);
}

static void test_subset_intersects(void **state)
{
	struct np_cpuset a = lv("0-63"), b = lv("0-64"), c = lv("64"), e = lv("0,^0");

	(void)state;
	assert_true(np_cpuset_subset(&a, &b));
	assert_false(np_cpuset_subset(&b, &a));
	assert_true(np_cpuset_subset(&e, &a));
	assert_true(np_cpuset_subset(&a, &a));
	assert_false(np_cpuset_intersects(&a, &c));
	assert_true(np_cpuset_intersects(&b, &c));
	assert_false(np_cpuset_intersects(&e, &e));
	assert_false(np_cpuset_equal(&a, &b));
}

/* The model: one bool per member. */
struct model {
	bool m[MAX];
};

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

static void random_pair(uint64_t *x, struct np_cpuset *s, struct model *m)
{
	unsigned top = 1 + (unsigned)(rng_next(x) % MAX);
	unsigned mod = 1 + (unsigned)(rng_next(x) % 8);

	np_cpuset_zero(s);
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < top; i++) {
		if (rng_next(x) % mod == 0) {
			np_cpuset_add(s, i);
			m->m[i] = true;
		}
	}
}

static void check_against_model(const struct np_cpuset *s, const struct model *m)
{
	unsigned count = 0;
	int last = -1;

	for (unsigned i = 0; i < MAX; i++) {
		assert_int_equal(np_cpuset_has(s, i), m->m[i]);
		count += m->m[i];
		last = m->m[i] ? (int)i : last;
	}
	assert_int_equal(np_cpuset_count(s), count);
	assert_int_equal(np_cpuset_last(s), last);
	assert_int_equal(np_cpuset_empty(s), count == 0);
}

static void check_ops_model(const struct np_cpuset *a, const struct model *ma,
			    const struct np_cpuset *b, const struct model *mb)
{
	struct np_cpuset r;
	struct model mr;
	bool sub = true, inter = false;

	for (unsigned i = 0; i < MAX; i++) {
		sub = sub && (!ma->m[i] || mb->m[i]);
		inter = inter || (ma->m[i] && mb->m[i]);
	}
	assert_int_equal(np_cpuset_subset(a, b), sub);
	assert_int_equal(np_cpuset_intersects(a, b), inter);
	np_cpuset_or(&r, a, b);
	for (unsigned i = 0; i < MAX; i++)
		mr.m[i] = ma->m[i] || mb->m[i];
	check_against_model(&r, &mr);
	np_cpuset_and(&r, a, b);
	for (unsigned i = 0; i < MAX; i++)
		mr.m[i] = ma->m[i] && mb->m[i];
	check_against_model(&r, &mr);
	np_cpuset_andnot(&r, a, b);
	for (unsigned i = 0; i < MAX; i++)
		mr.m[i] = ma->m[i] && !mb->m[i];
	check_against_model(&r, &mr);
}

static void test_random_against_model(void **state)
{
	static struct model ma, mb;
	uint64_t x = UINT64_C(0x637075736574);

	(void)state;
	for (unsigned round = 0; round < 200; round++) {
		struct np_cpuset a, b;

		random_pair(&x, &a, &ma);
		random_pair(&x, &b, &mb);
		check_against_model(&a, &ma);
		check_ops_model(&a, &ma, &b, &mb);
		check_ops_model(&a, &ma, &a, &ma);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_and_empty),
		cmocka_unit_test(test_add_del_has_boundaries),
		cmocka_unit_test(test_out_of_range_ignored),
		cmocka_unit_test(test_add_range),
		cmocka_unit_test(test_next_iterates_in_order),
		cmocka_unit_test(test_libvirt_op_rows),
		cmocka_unit_test(test_subset_intersects),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
