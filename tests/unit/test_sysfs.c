/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/sysfs: a node's CPUs and free memory from a sysfs tree under a root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpulist.h"
#include "sysfs.h"

#define NODE_DIR "sys/devices/system/node"

struct fixture {
	char root[64];
	char files[8][192];
	unsigned nfiles;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[160];

	if (!f)
		return -1;
	strcpy(f->root, "/tmp/np-test-sysfs.XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices/system", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/" NODE_DIR, f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/" NODE_DIR "/node0", f->root);
	if (mkdir(path, 0755) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "/" NODE_DIR "/node0", "/" NODE_DIR,
					    "/sys/devices/system", "/sys/devices", "/sys", "" };
	char path[160];

	for (unsigned i = 0; i < f->nfiles; i++)
		unlink(f->files[i]);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f->root, dirs[i]);
		rmdir(path);
	}
	free(f);
	return 0;
}

/* Write ROOT/NODE_DIR/node0/NAME (once per name and test). */
static void node_file(struct fixture *f, const char *name, const char *text)
{
	char *path = f->files[f->nfiles++];
	char buf[sizeof(f->files[0])];
	FILE *fp;

	/* Through a local buffer: gcc -O2 cannot tell f->root from f->files. */
	snprintf(buf, sizeof(buf), "%s/" NODE_DIR "/node0/%s", f->root, name);
	memcpy(path, buf, sizeof(buf));
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static void assert_cpus(const struct np_cpuset *set, const char *want)
{
	char *text = np_cpulist_format(set);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

static void test_cpulist(void **state)
{
	struct fixture *f = *state;
	struct np_cpuset cpus = { 0 };
	char root[80];

	node_file(f, "cpulist", "0-3,8\n");
	node_file(f, "cpumap", "00000001\n");
	assert_int_equal(np_sysfs_node_cpus(f->root, 0, &cpus, NULL), 0);
	assert_cpus(&cpus, "0-3,8");
	/* A root with a trailing slash names the same tree. */
	snprintf(root, sizeof(root), "%s/", f->root);
	memset(&cpus, 0, sizeof(cpus));
	assert_int_equal(np_sysfs_node_cpus(root, 0, &cpus, NULL), 0);
	assert_cpus(&cpus, "0-3,8");
}

/* Without cpulist the older hex cpumap is read. */
static void test_cpumap(void **state)
{
	struct fixture *f = *state;
	struct np_cpuset cpus = { 0 };

	node_file(f, "cpumap", "00000000,0000f00f\n");
	assert_int_equal(np_sysfs_node_cpus(f->root, 0, &cpus, NULL), 0);
	assert_cpus(&cpus, "0-3,12-15");
}

static void test_cpus_missing(void **state)
{
	struct fixture *f = *state;
	struct np_cpuset cpus = { { 5 } };
	struct np_err err = NP_ERR_INIT;

	assert_int_equal(np_sysfs_node_cpus(f->root, 0, &cpus, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "node0/cpumap"));
	np_err_clear(&err);
	assert_int_equal(np_sysfs_node_cpus(f->root, 7, &cpus, NULL), -ENOENT);
	assert_int_equal(cpus.bits[0], 5);
}

/* A list that does not parse is an input error naming the file, with or
 * without an error object (issue 17 item 12: not -EIO without one). */
static void test_cpus_bad(void **state)
{
	struct fixture *f = *state;
	struct np_cpuset cpus = { { 5 } };
	struct np_err err = NP_ERR_INIT;

	node_file(f, "cpulist", "0-x\n");
	assert_int_equal(np_sysfs_node_cpus(f->root, 0, &cpus, &err), -EINVAL);
	assert_true(err.input);
	assert_non_null(strstr(err.msg, NODE_DIR "/node0/cpulist: "));
	np_err_clear(&err);
	assert_int_equal(np_sysfs_node_cpus(f->root, 0, &cpus, NULL), -EINVAL);
	assert_int_equal(cpus.bits[0], 5);
}

static void test_memfree(void **state)
{
	struct fixture *f = *state;
	uint64_t free_bytes = 0;

	node_file(f, "meminfo", "Node 0 MemTotal:       16314236 kB\n"
				"Node 0 MemFree:         8157118 kB\n"
				"Node 0 MemUsed:         8157118 kB\n");
	assert_int_equal(np_sysfs_node_memfree(f->root, 0, &free_bytes, NULL), 0);
	assert_int_equal(free_bytes, 8157118ull * 1024);
}

static void test_memfree_bad(void **state)
{
	struct fixture *f = *state;
	struct np_err err = NP_ERR_INIT;
	uint64_t free_bytes = 42;

	assert_int_equal(np_sysfs_node_memfree(f->root, 0, &free_bytes, &err), -ENOENT);
	np_err_clear(&err);
	node_file(f, "meminfo", "Node 0 MemTotal:       16314236 kB\n");
	assert_int_equal(np_sysfs_node_memfree(f->root, 0, &free_bytes, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no MemFree line"));
	np_err_clear(&err);
	assert_int_equal(free_bytes, 42);
}

static void test_memfree_garbage(void **state)
{
	struct fixture *f = *state;
	struct np_err err = NP_ERR_INIT;
	uint64_t free_bytes = 42;

	node_file(f, "meminfo", "Node 0 MemFree:   12 MB\n");
	assert_int_equal(np_sysfs_node_memfree(f->root, 0, &free_bytes, &err), -EINVAL);
	assert_true(err.input);
	assert_non_null(strstr(err.msg, "MemFree: not a number of kB"));
	np_err_clear(&err);
	assert_int_equal(free_bytes, 42);
}

static void test_memfree_overflow(void **state)
{
	struct fixture *f = *state;
	uint64_t free_bytes = 42;

	node_file(f, "meminfo", "Node 0 MemFree:   18446744073709551615 kB\n");
	assert_int_equal(np_sysfs_node_memfree(f->root, 0, &free_bytes, NULL), -EINVAL);
	assert_int_equal(free_bytes, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cpulist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpumap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfree_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfree_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfree_overflow, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
