/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_SEARCH_H
#define NUMAPLACE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* How element i of an array sorted by its key compares to `key`: < 0, 0
 * or > 0, as strcmp(element's key, key) does. */
typedef int (*np_search_cmp_fn)(const void *array, size_t i, const void *key);

/* The index of the element whose key is `key` in array[0 .. n), which is
 * sorted by key without repeats (`*found` true), or where one would go to
 * keep it sorted (`*found` false). */
size_t np_search_sorted(const void *array, size_t n, np_search_cmp_fn cmp, const void *key,
			bool *found);

#endif
