/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/base/search: a sorted array finds its keys and says where a missing
 * one would go (first, between, last, and in an empty array). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "search.h"

static int cmp_names(const void *array, size_t i, const void *key)
{
	return strcmp(((const char *const *)array)[i], key);
}

static size_t find(const char *const *names, size_t n, const char *key, bool *found)
{
	return np_search_sorted(names, n, cmp_names, key, found);
}

static void test_found_and_places(void **state)
{
	static const char *const names[] = { "b", "d", "f", "h" };
	bool found;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(find(names, 4, names[i], &found), i);
		assert_true(found);
	}
	assert_int_equal(find(names, 4, "a", &found), 0);
	assert_false(found);
	assert_int_equal(find(names, 4, "e", &found), 2);
	assert_false(found);
	assert_int_equal(find(names, 4, "z", &found), 4);
	assert_false(found);
	assert_int_equal(find(names, 0, "b", &found), 0);
	assert_false(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_and_places),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
