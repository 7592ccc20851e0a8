/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CPULIST_H
#define NUMAPLACE_CPULIST_H

#include "cpuset.h"
#include "err.h"

/*
 * Linux CPU / node lists in text: parse, print, and the kernel hex mask.
 */
enum np_cpulist_dialect {
	/* The kernel's bitmap_parselist() over NP_CPUSET_MAX bits: `a`, `a-b`,
	 * `a-b:used/group`; blanks between elements and empty elements are
	 * tolerated; `N` (the last bit) and `all` are rejected here. One final
	 * newline is accepted (as read from sysfs), text after one is not. */
	NP_CPULIST_KERNEL,
	/* libvirt's cpuset attribute: `a`, `a-b`, `^a` exclusions, spaces
	 * around `-`; empty input, empty elements and a lone `^` rejected; a
	 * trailing comma accepted, as libvirt does. Numbers are digits only. */
	NP_CPULIST_LIBVIRT,
};

/* Parse `text` in `dialect` into `*out`. On failure `*out` is untouched and
 * `err` is an input error naming the offending character and its position. */
int np_cpulist_parse(const char *text, enum np_cpulist_dialect dialect,
		     struct np_cpuset *out, struct np_err *err);

/* Parse a dialect name ("kernel", "libvirt"). Input error otherwise. */
int np_cpulist_dialect_parse(const char *name, enum np_cpulist_dialect *out,
			     struct np_err *err);

/* Print `s` in the kernel's canonical compressed form ("0-3,8-11"; the empty
 * set is ""). Returns a heap string the caller frees, NULL when out of memory. */
char *np_cpulist_format(const struct np_cpuset *s);

/* Print `s` as the kernel hex mask: 32-bit words of 8 digits, comma
 * separated, most significant first, as many words as the highest member
 * needs (at least one): {0-3} is "0000000f", {32} "00000001,00000000".
 * The kernel pads to nr_cpu_ids bits instead (its top word may be shorter),
 * which depends on the machine. Heap string, NULL when out of memory. */
char *np_cpumask_format(const struct np_cpuset *s);

/* Parse a kernel hex mask (as in /sys/.../cpumap): 1-8 hex digits per
 * word, words separated by single commas, one final newline allowed; ""
 * is the empty set, as in the kernel; no "0x", no blanks. Input error on
 * bad input or on a bit at or past NP_CPUSET_MAX (zero words past it are
 * fine); `*out` untouched on failure. */
int np_cpumask_parse(const char *text, struct np_cpuset *out, struct np_err *err);

#endif
