/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "search.h"

size_t np_search_sorted(const void *array, size_t n, np_search_cmp_fn cmp, const void *key,
			bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(array, mid, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
