/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpuset.h"

#include <string.h>

void np_cpuset_zero(struct np_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void np_cpuset_add(struct np_cpuset *s, unsigned i)
{
	if (i < NP_CPUSET_MAX)
		s->bits[i / 64] |= UINT64_C(1) << (i % 64);
}

void np_cpuset_del(struct np_cpuset *s, unsigned i)
{
	if (i < NP_CPUSET_MAX)
		s->bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

bool np_cpuset_has(const struct np_cpuset *s, unsigned i)
{
	return i < NP_CPUSET_MAX && (s->bits[i / 64] >> (i % 64)) & 1;
}

void np_cpuset_add_range(struct np_cpuset *s, unsigned lo, unsigned hi)
{
	for (unsigned i = lo; i <= hi && i < NP_CPUSET_MAX; i++)
		np_cpuset_add(s, i);
}

unsigned np_cpuset_count(const struct np_cpuset *s)
{
	unsigned n = 0;

	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		n += (unsigned)__builtin_popcountll(s->bits[w]);
	return n;
}

bool np_cpuset_empty(const struct np_cpuset *s)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		if (s->bits[w])
			return false;
	return true;
}

bool np_cpuset_equal(const struct np_cpuset *a, const struct np_cpuset *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool np_cpuset_subset(const struct np_cpuset *a, const struct np_cpuset *b)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		if (a->bits[w] & ~b->bits[w])
			return false;
	return true;
}

bool np_cpuset_intersects(const struct np_cpuset *a, const struct np_cpuset *b)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		if (a->bits[w] & b->bits[w])
			return true;
	return false;
}

void np_cpuset_or(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		dst->bits[w] = a->bits[w] | b->bits[w];
}

void np_cpuset_and(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		dst->bits[w] = a->bits[w] & b->bits[w];
}

void np_cpuset_andnot(struct np_cpuset *dst, const struct np_cpuset *a, const struct np_cpuset *b)
{
	for (unsigned w = 0; w < NP_CPUSET_WORDS; w++)
		dst->bits[w] = a->bits[w] & ~b->bits[w];
}

int np_cpuset_next(const struct np_cpuset *s, unsigned from)
{
	for (unsigned w = from / 64; w < NP_CPUSET_WORDS; w++) {
		uint64_t word = s->bits[w];

		if (w == from / 64)
			word &= ~UINT64_C(0) << (from % 64);
		if (word)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(word));
	}
	return -1;
}

int np_cpuset_last(const struct np_cpuset *s)
{
	for (unsigned w = NP_CPUSET_WORDS; w-- > 0;)
		if (s->bits[w])
			return (int)(w * 64 + 63 - (unsigned)__builtin_clzll(s->bits[w]));
	return -1;
}
