/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU lists in the kernel's and libvirt's dialects, and the kernel hex mask.
 * Both list parsers follow their original (Linux lib/bitmap-str.c
 * bitmap_parselist, libvirt virBitmapParseSeparator) over NP_CPUSET_MAX
 * bits, but reject what depends on the bitmap size or is silently ignored
 * there, and say which character is wrong and where.
 */
#include "cpulist.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "quote.h"

/* How much of a bad input an error message shows. */
#define NP_CPULIST_SHOWN 80

/* A cursor over the text being parsed, and where errors go. */
struct np_scan {
	const char *text; /* the whole input, for messages */
	const char *what; /* "cpu list", "cpu mask" */
	size_t len;       /* bytes to parse (an accepted final newline excluded) */
	size_t pos;       /* next byte */
	struct np_err *err;
};

/* One region of the kernel dialect: start-end:used/group. */
struct np_region {
	unsigned start, end, used, group;
	size_t end_at; /* where `end` was written */
};

static char np_scan_peek(const struct np_scan *sc)
{
	return sc->pos < sc->len ? sc->text[sc->pos] : '\0';
}

/* A blank other than the newline, which the kernel dialect treats apart. */
static bool np_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool np_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Set an input error "invalid WHAT "TEXT": DETAIL" and return -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int np_scan_fail(const struct np_scan *sc, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_quote_vfail(sc->err, sc->what, sc->text, NP_CPULIST_SHOWN, fmt, ap);
	va_end(ap);
	return r;
}

/* The byte at the cursor is wrong: name it, its position and what fits. */
static int np_scan_unexpected(const struct np_scan *sc, const char *expected)
{
	return np_scan_fail(sc, "unexpected %s at position %zu, expected %s",
			    np_quote_char(np_scan_peek(sc)).s, sc->pos + 1, expected);
}


/* Read an unsigned decimal number (digits only) that fits unsigned int. */
static int np_scan_number(struct np_scan *sc, unsigned *out)
{
	size_t at = sc->pos;
	unsigned long long v = 0;

	if (!np_is_digit(np_scan_peek(sc)))
		return np_scan_unexpected(sc, "a number");
	for (; np_is_digit(np_scan_peek(sc)); sc->pos++) {
		v = v * 10 + (unsigned)(np_scan_peek(sc) - '0');
		if (v > UINT_MAX)
			return np_scan_fail(sc, "number at position %zu is too large", at + 1);
	}
	*out = (unsigned)v;
	return 0;
}

/* Reject a member past the set's size, naming where it was written. */
static int np_scan_check_member(const struct np_scan *sc, unsigned v, size_t at)
{
	if (v < NP_CPUSET_MAX)
		return 0;
	return np_scan_fail(sc, "%u at position %zu is out of range (largest is %u)",
			    v, at + 1, NP_CPUSET_MAX - 1);
}

/* Kernel: the end of a region is a blank, a comma or the end of the text. */
static bool np_kernel_region_ends(const struct np_scan *sc)
{
	char c = np_scan_peek(sc);

	return c == '\0' || c == ',' || np_is_blank(c);
}

/* Kernel: a number, where the kernel would also take `N` (its last bit). */
static int np_kernel_number(struct np_scan *sc, unsigned *out)
{
	if (np_scan_peek(sc) == 'N')
		return np_scan_fail(sc, "'N' (the last bit) at position %zu is not "
				    "accepted, its value depends on the bitmap size; "
				    "write the number", sc->pos + 1);
	return np_scan_number(sc, out);
}

/* Kernel: ":used/group" after a range; the cursor is on the ':'. */
static int np_kernel_pattern(struct np_scan *sc, struct np_region *r)
{
	sc->pos++;
	if (np_kernel_number(sc, &r->used) < 0)
		return -EINVAL;
	if (np_scan_peek(sc) != '/')
		return np_scan_unexpected(sc, "'/'");
	sc->pos++;
	if (np_kernel_number(sc, &r->group) < 0)
		return -EINVAL;
	if (!np_kernel_region_ends(sc))
		return np_scan_unexpected(sc, "',' or end");
	return 0;
}

/* Kernel: read `a`, `a-b` or `a-b:used/group` into `r`. */
static int np_kernel_read_region(struct np_scan *sc, struct np_region *r)
{
	if (sc->len - sc->pos >= 3 && strncasecmp(sc->text + sc->pos, "all", 3) == 0)
		return np_scan_fail(sc, "'all' at position %zu is not accepted, its "
				    "value depends on the bitmap size; write the range",
				    sc->pos + 1);
	r->end_at = sc->pos;
	if (np_kernel_number(sc, &r->start) < 0)
		return -EINVAL;
	r->end = r->start;
	r->used = r->group = 1;
	if (np_kernel_region_ends(sc))
		return 0;
	if (np_scan_peek(sc) != '-')
		return np_scan_unexpected(sc, "'-', ',' or end");
	r->end_at = ++sc->pos;
	if (np_kernel_number(sc, &r->end) < 0)
		return -EINVAL;
	if (np_kernel_region_ends(sc))
		return 0;
	if (np_scan_peek(sc) != ':')
		return np_scan_unexpected(sc, "':', ',' or end");
	return np_kernel_pattern(sc, r);
}

/* Kernel: the checks of bitmap_check_region, in its order. */
static int np_kernel_check_region(const struct np_scan *sc, const struct np_region *r,
				  size_t at)
{
	if (r->start > r->end)
		return np_scan_fail(sc, "range %u-%u at position %zu goes backwards",
				    r->start, r->end, at + 1);
	if (r->group == 0)
		return np_scan_fail(sc, "group size 0 at position %zu", at + 1);
	if (r->used > r->group)
		return np_scan_fail(sc, "%u used of a group of %u at position %zu",
				    r->used, r->group, at + 1);
	return np_scan_check_member(sc, r->end, r->end_at);
}

static void np_region_apply(const struct np_region *r, struct np_cpuset *set)
{
	if (r->used == 0)
		return;
	for (unsigned long long s = r->start; s <= r->end; s += r->group) {
		unsigned long long last = s + r->used - 1;

		np_cpuset_add_range(set, (unsigned)s, last < r->end ? (unsigned)last : r->end);
	}
}

static int np_kernel_parse(struct np_scan *sc, struct np_cpuset *set)
{
	for (;;) {
		struct np_region r;
		size_t at;

		while (np_scan_peek(sc) == ',' || np_is_blank(np_scan_peek(sc)))
			sc->pos++;
		if (sc->pos >= sc->len)
			return 0;
		at = sc->pos;
		if (np_kernel_read_region(sc, &r) < 0 || np_kernel_check_region(sc, &r, at) < 0)
			return -EINVAL;
		np_region_apply(&r, set);
	}
}

/* libvirt (virSkipSpaces): blanks there include the newline. */
static void np_libvirt_skip_spaces(struct np_scan *sc)
{
	while (np_is_blank(np_scan_peek(sc)) || np_scan_peek(sc) == '\n')
		sc->pos++;
}

/* libvirt: the range end after `a-`; the cursor is on the '-'. */
static int np_libvirt_range(struct np_scan *sc, unsigned start, size_t at,
			    struct np_cpuset *set)
{
	unsigned last;
	size_t last_at;

	sc->pos++;
	np_libvirt_skip_spaces(sc);
	last_at = sc->pos;
	if (np_scan_number(sc, &last) < 0)
		return -EINVAL;
	if (last < start)
		return np_scan_fail(sc, "range %u-%u at position %zu goes backwards",
				    start, last, at + 1);
	if (np_scan_check_member(sc, last, last_at) < 0)
		return -EINVAL;
	np_cpuset_add_range(set, start, last);
	np_libvirt_skip_spaces(sc);
	return 0;
}

/* libvirt: one element `a`, `a-b` or `^a`, applied to `set` in order. */
static int np_libvirt_element(struct np_scan *sc, struct np_cpuset *set)
{
	size_t at = sc->pos;
	bool exclude = np_scan_peek(sc) == '^';
	unsigned start;

	sc->pos += exclude;
	if (np_scan_number(sc, &start) < 0)
		return -EINVAL;
	np_libvirt_skip_spaces(sc);
	if (np_scan_peek(sc) == '-') {
		if (exclude)
			return np_scan_fail(sc, "'^' at position %zu excludes a single "
					    "number, not a range", at + 1);
		if (np_libvirt_range(sc, start, at, set) < 0)
			return -EINVAL;
	} else {
		if (np_scan_check_member(sc, start, at + exclude) < 0)
			return -EINVAL;
		if (exclude)
			np_cpuset_del(set, start);
		else
			np_cpuset_add(set, start);
	}
	if (np_scan_peek(sc) != ',' && np_scan_peek(sc) != '\0')
		return np_scan_unexpected(sc, "',' or end");
	return 0;
}

/* libvirt: a trailing comma (with blanks) is accepted, as there. */
static int np_libvirt_parse(struct np_scan *sc, struct np_cpuset *set)
{
	np_libvirt_skip_spaces(sc);
	if (sc->pos >= sc->len)
		return np_scan_fail(sc, "the list is empty");
	while (sc->pos < sc->len) {
		if (np_libvirt_element(sc, set) < 0)
			return -EINVAL;
		if (np_scan_peek(sc) == ',') {
			sc->pos++;
			np_libvirt_skip_spaces(sc);
		}
	}
	return 0;
}

/* The kernel stops at a newline: accept one at the very end only. */
static size_t np_kernel_len(const char *text)
{
	size_t len = strlen(text);

	return len && text[len - 1] == '\n' ? len - 1 : len;
}

int np_cpulist_parse(const char *text, enum np_cpulist_dialect dialect,
		     struct np_cpuset *out, struct np_err *err)
{
	struct np_scan sc = { text, "cpu list", strlen(text), 0, err };
	struct np_cpuset set;
	int r;

	np_cpuset_zero(&set);
	if (dialect == NP_CPULIST_KERNEL) {
		sc.len = np_kernel_len(text);
		r = np_kernel_parse(&sc, &set);
	} else if (dialect == NP_CPULIST_LIBVIRT) {
		r = np_libvirt_parse(&sc, &set);
	} else {
		r = np_err_input(err, "unknown cpu list dialect %d", (int)dialect);
	}
	if (r < 0)
		return r;
	*out = set;
	return 0;
}

int np_cpulist_dialect_parse(const char *name, enum np_cpulist_dialect *out,
			     struct np_err *err)
{
	_cleanup_free_ char *quoted = NULL;

	if (strcmp(name, "kernel") == 0) {
		*out = NP_CPULIST_KERNEL;
		return 0;
	}
	if (strcmp(name, "libvirt") == 0) {
		*out = NP_CPULIST_LIBVIRT;
		return 0;
	}
	quoted = np_quote_string(name, NP_CPULIST_SHOWN);
	return np_err_input(err, "unknown cpu list dialect %s (expected kernel or libvirt)",
			    quoted ? quoted : "(?)");
}

/* Number of runs of consecutive members. */
static unsigned np_cpuset_runs(const struct np_cpuset *s)
{
	unsigned runs = 0;

	for (int i = np_cpuset_next(s, 0); i >= 0; i = np_cpuset_next(s, (unsigned)i + 1))
		if (i == 0 || !np_cpuset_has(s, (unsigned)i - 1))
			runs++;
	return runs;
}

char *np_cpulist_format(const struct np_cpuset *s)
{
	/* Each run is at most "8190-8191," (10 bytes). */
	size_t size = (size_t)np_cpuset_runs(s) * 10 + 1;
	char *buf = malloc(size);
	size_t n = 0;
	int i = np_cpuset_next(s, 0);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	while (i >= 0) {
		unsigned lo = (unsigned)i, hi = lo;

		while (np_cpuset_has(s, hi + 1))
			hi++;
		n += (size_t)snprintf(buf + n, size - n, n ? ",%u" : "%u", lo);
		if (hi > lo)
			n += (size_t)snprintf(buf + n, size - n, "-%u", hi);
		i = np_cpuset_next(s, hi + 1);
	}
	return buf;
}

static uint32_t np_cpuset_word32(const struct np_cpuset *s, unsigned w)
{
	return (uint32_t)(s->bits[w / 2] >> (32 * (w % 2)));
}

char *np_cpumask_format(const struct np_cpuset *s)
{
	int last = np_cpuset_last(s);
	unsigned words = last < 0 ? 1 : (unsigned)last / 32 + 1;
	char *buf = malloc((size_t)words * 9);
	size_t n = 0;

	if (!buf)
		return NULL;
	for (unsigned w = words; w-- > 0;)
		n += (size_t)sprintf(buf + n, w + 1 < words ? ",%08x" : "%08x",
				     np_cpuset_word32(s, w));
	return buf;
}

/* The value of a hex digit, or -1. */
static int np_hex_value(char c)
{
	if (np_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Mask: one word of 1-8 hex digits at the cursor, stored as word `w`. */
static int np_mask_word(struct np_scan *sc, size_t w, struct np_cpuset *set)
{
	size_t at = sc->pos;
	uint64_t v = 0;
	int digit;

	for (; (digit = np_hex_value(np_scan_peek(sc))) >= 0; sc->pos++) {
		if (sc->pos - at == 8)
			return np_scan_fail(sc, "word at position %zu has more than 8 "
					    "hex digits", at + 1);
		v = v << 4 | (uint64_t)digit;
	}
	if (sc->pos == at)
		return np_scan_unexpected(sc, "a hex digit");
	if (v && w >= NP_CPUSET_WORDS * 2)
		return np_scan_fail(sc, "word at position %zu sets bits past %u",
				    at + 1, NP_CPUSET_MAX - 1);
	if (v)
		set->bits[w / 2] |= v << (32 * (w % 2));
	return 0;
}

int np_cpumask_parse(const char *text, struct np_cpuset *out, struct np_err *err)
{
	struct np_scan sc = { text, "cpu mask", np_kernel_len(text), 0, err };
	size_t words = 1;
	struct np_cpuset set;

	for (size_t i = 0; i < sc.len; i++)
		words += text[i] == ',';
	np_cpuset_zero(&set);
	if (sc.len == 0)
		words = 0;
	for (size_t w = words; w-- > 0;) {
		if (np_mask_word(&sc, w, &set) < 0)
			return -EINVAL;
		if (np_scan_peek(&sc) != (w ? ',' : '\0'))
			return np_scan_unexpected(&sc, w ? "a hex digit or ','" : "a hex digit or end");
		sc.pos++;
	}
	*out = set;
	return 0;
}
