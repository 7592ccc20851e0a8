/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/machine/memstat: memory per node from numa_maps text (several page
 * sizes, lines without node fields, garbage), from v1 and v2
 * memory.numa_stat, from this process's own /proc/self/numa_maps after it
 * touched memory, and the local part of a total.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "memstat.h"

static int parse_maps(const char *text, struct np_memstat *m, struct np_err *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = np_memstat_parse_numa_maps(f, 4096, m, err);
	fclose(f);
	return r;
}

static uint64_t on_node(const struct np_memstat *m, unsigned node)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->by_node[i].node == node)
			return m->by_node[i].bytes;
	return 0;
}

static void test_maps_page_sizes(void **state)
{
	struct np_memstat m = { 0 };
	const char *text =
		"55d0c0000000 default file=/usr/bin/sleep mapped=3 N0=3 kernelpagesize_kB=4\n"
		"7f0000000000 default anon=10 dirty=10 N0=4 N3=6 kernelpagesize_kB=4\n"
		"7f1000000000 bind:1 huge anon=2 dirty=2 N1=2 kernelpagesize_kB=2048\n"
		"7f2000000000 default\n"
		"7ffd00000000 default stack anon=1 dirty=1 N3=1\n";

	(void)state;
	assert_int_equal(parse_maps(text, &m, NULL), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.by_node[0].node, 0);
	assert_int_equal(m.by_node[1].node, 1);
	assert_int_equal(m.by_node[2].node, 3);
	assert_int_equal(on_node(&m, 0), 7 * 4096);
	assert_int_equal(on_node(&m, 1), 2ull * 2048 * 1024);
	assert_int_equal(on_node(&m, 3), 7 * 4096);
	assert_int_equal(m.total, 14 * 4096 + 2ull * 2048 * 1024);
	np_memstat_clear(&m);
	assert_int_equal(m.n, 0);
	assert_null(m.by_node);
}

static void test_maps_bad(void **state)
{
	struct np_memstat m = { 0 };
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(parse_maps("7f00 default anon=1 N0=x kernelpagesize_kB=4\n", &m, &err),
			 -EBADMSG);
	assert_non_null(strstr(err.msg, "line 1"));
	np_err_clear(&err);
	np_memstat_clear(&m);
	assert_int_equal(parse_maps("7f00 default N99999=1\n", &m, NULL), -EBADMSG);
	np_memstat_clear(&m);
	/* A file name that looks like a node field is a word of its own only
	 * when it starts with N and a digit; "Nfoo" is no node. */
	assert_int_equal(parse_maps("7f00 default file=/N0 Nfoo=1 N2=1\n", &m, NULL), 0);
	assert_int_equal(on_node(&m, 2), 4096);
	assert_int_equal(m.n, 1);
	np_memstat_clear(&m);
}

static void test_numa_stat_v1(void **state)
{
	struct np_memstat m = { 0 };
	const char *text = "total=30 N0=10 N1=20\nfile=5 N0=5 N1=0\nanon=25 N0=5 N1=20\n"
			   "unevictable=0 N0=0 N1=0\nhierarchical_total=40 N0=15 N1=25\n";

	(void)state;
	assert_int_equal(np_memstat_parse_numa_stat(text, true, 4096, &m, NULL), 0);
	assert_int_equal(on_node(&m, 0), 15 * 4096);
	assert_int_equal(on_node(&m, 1), 25 * 4096);
	np_memstat_clear(&m);
	/* Without hierarchical_total (an old kernel), total counts. */
	assert_int_equal(np_memstat_parse_numa_stat("total=30 N0=10 N1=20\n", true, 4096, &m, NULL), 0);
	assert_int_equal(m.total, 30 * 4096);
	np_memstat_clear(&m);
	assert_int_equal(np_memstat_parse_numa_stat("anon=1 N0=1\n", true, 4096, &m, NULL), -EBADMSG);
	np_memstat_clear(&m);
}

static void test_numa_stat_v2(void **state)
{
	struct np_memstat m = { 0 };
	const char *text = "anon N0=1048576 N1=4096\nfile N0=8192 N1=0\n"
			   "kernel_stack N0=16384 N1=0\nshmem N0=0 N1=0\n";
	struct np_cpuset mems;

	(void)state;
	assert_int_equal(np_memstat_parse_numa_stat(text, false, 4096, &m, NULL), 0);
	assert_int_equal(on_node(&m, 0), 1048576 + 8192);
	assert_int_equal(on_node(&m, 1), 4096);
	np_cpuset_zero(&mems);
	np_cpuset_add(&mems, 0);
	assert_int_equal(np_memstat_local(&m, &mems), 1048576 + 8192);
	np_cpuset_add(&mems, 1);
	assert_int_equal(np_memstat_local(&m, &mems), m.total);
	np_memstat_clear(&m);
	assert_int_equal(np_memstat_parse_numa_stat("anon N0=1\n", false, 4096, &m, NULL), -EBADMSG);
	np_memstat_clear(&m);
	assert_int_equal(np_memstat_parse_numa_stat("anon N0=1 junk\nfile N0=0\n", false, 4096, &m, NULL),
			 -EBADMSG);
	np_memstat_clear(&m);
}

/* This process touches 32 MiB; its own numa_maps must count at least that. */
static void test_self(void **state)
{
	struct np_memstat before = { 0 }, after = { 0 };
	size_t len = 32u << 20;
	char *p;

	(void)state;
	assert_int_equal(np_memstat_read_pid("/proc", getpid(), &before, NULL), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 1, len);
	assert_int_equal(np_memstat_read_pid("/proc", getpid(), &after, NULL), 0);
	assert_true(after.total >= before.total + len);
	munmap(p, len);
	np_memstat_clear(&before);
	np_memstat_clear(&after);
}

static void test_gone(void **state)
{
	struct np_memstat m = { 0 };
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_memstat_read_pid("/proc", 0x3ffffff0, &m, &err), -ESRCH);
	np_err_clear(&err);
	assert_int_equal(np_memstat_read_pid("/proc", 0, &m, NULL), -EINVAL);
	assert_int_equal(m.total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_page_sizes), cmocka_unit_test(test_maps_bad),
		cmocka_unit_test(test_numa_stat_v1), cmocka_unit_test(test_numa_stat_v2),
		cmocka_unit_test(test_self), cmocka_unit_test(test_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
