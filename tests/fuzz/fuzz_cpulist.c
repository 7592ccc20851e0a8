/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz core/cpulist: every input goes through both list dialects and the
 * mask parser. An accepted input must survive format -> parse unchanged;
 * a rejected one must leave the output alone and give one printable line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void np_fuzz_check(bool ok)
{
	if (!ok)
		abort();
}

/* The message is one line of printable bytes (UTF-8 "…" aside). */
static void np_fuzz_check_message(const struct np_err *err)
{
	np_fuzz_check(err->msg && err->input && err->code < 0);
	for (const char *p = err->msg; *p; p++)
		np_fuzz_check((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void np_fuzz_list_round_trip(const struct np_cpuset *set)
{
	_cleanup_free_ char *text = np_cpulist_format(set);
	_cleanup_free_ char *again = NULL;
	struct np_cpuset back;

	np_fuzz_check(text != NULL);
	np_fuzz_check(np_cpulist_parse(text, NP_CPULIST_KERNEL, &back, NULL) == 0);
	np_fuzz_check(np_cpuset_equal(&back, set));
	again = np_cpulist_format(&back);
	np_fuzz_check(again && strcmp(again, text) == 0);
	if (!np_cpuset_empty(set)) {
		np_fuzz_check(np_cpulist_parse(text, NP_CPULIST_LIBVIRT, &back, NULL) == 0);
		np_fuzz_check(np_cpuset_equal(&back, set));
	}
}

static void np_fuzz_mask_round_trip(const struct np_cpuset *set)
{
	_cleanup_free_ char *text = np_cpumask_format(set);
	struct np_cpuset back;

	np_fuzz_check(text != NULL);
	np_fuzz_check(np_cpumask_parse(text, &back, NULL) == 0);
	np_fuzz_check(np_cpuset_equal(&back, set));
}

/* Run one parser (dialect < 0: the mask) and check what it returns. */
static void np_fuzz_one(const char *text, int dialect)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset set, sentinel;
	int r;

	np_cpuset_zero(&sentinel);
	np_cpuset_add(&sentinel, 4242);
	set = sentinel;
	r = dialect < 0 ? np_cpumask_parse(text, &set, &err)
			: np_cpulist_parse(text, (enum np_cpulist_dialect)dialect, &set, &err);
	if (r == 0) {
		np_fuzz_check(err.msg == NULL);
		np_fuzz_list_round_trip(&set);
		np_fuzz_mask_round_trip(&set);
	} else {
		np_fuzz_check(r == -EINVAL);
		np_fuzz_check(np_cpuset_equal(&set, &sentinel));
		np_fuzz_check_message(&err);
	}
	np_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	np_fuzz_one(text, NP_CPULIST_KERNEL);
	np_fuzz_one(text, NP_CPULIST_LIBVIRT);
	np_fuzz_one(text, -1);
	return 0;
}
