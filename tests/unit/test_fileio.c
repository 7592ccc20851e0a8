/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/fileio: whole files and descriptors read into heap strings. */
#include <errno.h>
#include <fcntl.h>
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

#include "fileio.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/np-test-fileio.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* `data` written to `path` reads back whole (at most `max` bytes allowed),
 * with its length and a NUL after it. */
static void assert_reads_back(const char *path, const char *data, size_t n, size_t max)
{
	char *out = NULL;
	size_t len = 99;

	write_file(path, data, n);
	assert_int_equal(np_read_file(path, max, &out, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(out, data, n);
	assert_int_equal(out[n], '\0');
	free(out);
}

static void test_small(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	assert_reads_back(f->path, "0-3\n", 4, 100);
	/* The length is optional. */
	assert_int_equal(np_read_file(f->path, 100, &out, NULL), 0);
	assert_string_equal(out, "0-3\n");
	free(out);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;

	assert_reads_back(f->path, "", 0, 0);
}

/* Larger than the first buffer, with a NUL byte inside: every byte read. */
static void test_large(void **state)
{
	struct fixture *f = *state;
	size_t size = 100000;
	char *data = malloc(size);
	char *out = NULL;
	size_t len = 0;

	assert_non_null(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)('a' + i % 26);
	data[700] = '\0';
	write_file(f->path, data, size);
	assert_int_equal(np_read_file(f->path, size, &out, &len), 0);
	assert_int_equal(len, size);
	assert_memory_equal(out, data, size);
	assert_int_equal(out[size], '\0');
	free(out);
	free(data);
}

static void test_limit(void **state)
{
	struct fixture *f = *state;
	char *out = (char *)"untouched";
	size_t len = 7;

	write_file(f->path, "12345", 5);
	assert_int_equal(np_read_file(f->path, 4, &out, &len), -EFBIG);
	assert_string_equal(out, "untouched");
	assert_int_equal(len, 7);
	assert_int_equal(np_read_file(f->path, 5, &out, &len), 0);
	assert_string_equal(out, "12345");
	free(out);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	char *out = (char *)"untouched";
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/missing", f->dir);
	assert_int_equal(np_read_file(missing, 100, &out, NULL), -ENOENT);
	assert_int_equal(np_read_file(f->dir, 100, &out, NULL), -EISDIR);
	assert_string_equal(out, "untouched");
}

/* A pipe: what is left of the descriptor, to its end. */
static void test_fd(void **state)
{
	char *out = (char *)"untouched";
	size_t len = 0;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(close(p[1]), 0);
	assert_int_equal(np_read_fd(p[0], 10, &out, &len), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(len, 3);
	free(out);
	close(p[0]);
	out = (char *)"untouched";
	assert_int_equal(np_read_fd(-1, 10, &out, &len), -EBADF);
	assert_string_equal(out, "untouched");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test(test_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
