/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/proc: process identity on the live /proc (this process, live,
 * zombie and reaped children) and on fake trees (a comm holding ") (",
 * malformed stat lines, another boot).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "cleanup.h"
#include "proc.h"

#define FAKE_BOOT "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"
#define OTHER_BOOT "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5c"

/* The start time of `pid` read independently of core/proc: the tokens
 * after the last ") ", the 20th of which is field 22. */
static uint64_t start_by_hand(pid_t pid)
{
	char path[64], buf[4096], *p, *save = NULL;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	p = strtok_r(p + 2, " ", &save);
	for (int i = 0; i < 19; i++)
		p = strtok_r(NULL, " ", &save);
	assert_non_null(p);
	return strtoull(p, NULL, 10);
}

static void test_self(void **state)
{
	char boot[NP_PROC_BOOT_ID_SIZE];
	uint64_t start = 0, start2 = 0;
	bool alive = false, same = false;

	(void)state;
	assert_int_equal(np_proc_start_time("/proc", getpid(), &start, NULL), 0);
	assert_int_equal(start, start_by_hand(getpid()));
	assert_int_equal(np_proc_alive("/proc", getpid(), &alive, &start2, NULL), 0);
	assert_true(alive);
	assert_int_equal(start2, start);
	assert_int_equal(np_proc_boot_id("/proc", boot, sizeof(boot), NULL), 0);
	assert_true(np_proc_boot_id_valid(boot));
	assert_int_equal(np_proc_same("/proc", NULL, getpid(), start, boot, &same, NULL), 0);
	assert_true(same);
	assert_int_equal(np_proc_same("/proc", NULL, getpid(), start, "", &same, NULL), 0);
	assert_true(same);
	assert_int_equal(np_proc_same("/proc", NULL, getpid(), start + 1, boot, &same, NULL), 0);
	assert_false(same);
	boot[0] = boot[0] == 'a' ? 'b' : 'a';
	assert_int_equal(np_proc_same("/proc", NULL, getpid(), start, boot, &same, NULL), 0);
	assert_false(same);
}

static void test_boot_id_matches_kernel(void **state)
{
	char boot[NP_PROC_BOOT_ID_SIZE], raw[64] = { 0 };
	char small[NP_PROC_BOOT_ID_SIZE - 1];
	struct np_err err = NP_ERR_INIT;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(raw, sizeof(raw), f));
	fclose(f);
	raw[strcspn(raw, "\n")] = '\0';
	assert_int_equal(np_proc_boot_id("/proc", boot, sizeof(boot), NULL), 0);
	assert_string_equal(boot, raw);
	assert_int_equal(np_proc_boot_id("/proc", small, sizeof(small), &err), -ERANGE);
	np_err_clear(&err);
}

static void test_child_lifecycle(void **state)
{
	uint64_t start = 0, self = 0;
	bool alive = false, same = false;
	siginfo_t info;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(np_proc_alive("/proc", pid, &alive, &start, NULL), 0);
	assert_true(alive);
	assert_int_equal(np_proc_start_time("/proc", getpid(), &self, NULL), 0);
	assert_true(start >= self);
	assert_int_equal(np_proc_same("/proc", NULL, pid, start, NULL, &same, NULL), 0);
	assert_true(same);

	/* A zombie is gone for reconcile, though its stat is still there. */
	kill(pid, SIGKILL);
	assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(np_proc_alive("/proc", pid, &alive, NULL, NULL), 0);
	assert_false(alive);
	assert_int_equal(np_proc_same("/proc", NULL, pid, start, NULL, &same, NULL), 0);
	assert_false(same);

	/* Reaped: no such process at all. */
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(np_proc_alive("/proc", pid, &alive, NULL, NULL), 0);
	assert_false(alive);
	assert_int_equal(np_proc_same("/proc", NULL, pid, start, NULL, &same, NULL), 0);
	assert_false(same);
	assert_int_equal(np_proc_start_time("/proc", pid, &start, NULL), -ESRCH);
}

static void test_bad_pid(void **state)
{
	struct np_err err = NP_ERR_INIT;
	bool same = true;
	uint64_t start;

	(void)state;
	assert_int_equal(np_proc_same("/proc", NULL, 0, 1, NULL, &same, &err), -EINVAL);
	assert_true(err.input);
	assert_int_equal(np_proc_same("/proc", NULL, -5, 1, NULL, &same, &err), -EINVAL);
	assert_int_equal(np_proc_start_time("/proc", 0, &start, &err), -EINVAL);
	np_err_clear(&err);
}

/* ---- a fake /proc ---- */

struct fake {
	char root[64];
};

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[256], dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int fake_setup(void **state)
{
	struct fake *fake = calloc(1, sizeof(*fake));

	strcpy(fake->root, "/tmp/np-proc-XXXXXX");
	if (!mkdtemp(fake->root))
		return -1;
	write_file(fake->root, "sys/kernel/random/boot_id", FAKE_BOOT "\n");
	*state = fake;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *fake = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake->root);
	if (system(cmd) != 0)
		return -1;
	free(fake);
	return 0;
}

/* A stat line of pid 1234 with `comm`, state `st` and start time `start`. */
static void write_stat(const char *root, const char *comm, char st, const char *start)
{
	char line[512];

	snprintf(line, sizeof(line),
		 "1234 (%s) %c 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %s "
		 "12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 comm, st, start);
	write_file(root, "1234/stat", line);
}

static void test_fake_comm_with_parens(void **state)
{
	struct fake *fake = *state;
	char boot[NP_PROC_BOOT_ID_SIZE];
	bool alive = false, same = false;
	uint64_t start = 0;

	write_stat(fake->root, "a) (b) c", 'S', "987654");
	assert_int_equal(np_proc_start_time(fake->root, 1234, &start, NULL), 0);
	assert_int_equal(start, 987654);
	write_stat(fake->root, ") (", 'R', "987654");
	assert_int_equal(np_proc_start_time(fake->root, 1234, &start, NULL), 0);
	assert_int_equal(start, 987654);
	write_stat(fake->root, "x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22", 'S',
		   "42");
	assert_int_equal(np_proc_alive(fake->root, 1234, &alive, &start, NULL), 0);
	assert_true(alive);
	assert_int_equal(start, 42);
	assert_int_equal(np_proc_boot_id(fake->root, boot, sizeof(boot), NULL), 0);
	assert_string_equal(boot, FAKE_BOOT);
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 42, FAKE_BOOT, &same, NULL), 0);
	assert_true(same);
}

/* A reused PID: the same number with another start time is another process. */
static void test_fake_reused_pid(void **state)
{
	struct fake *fake = *state;
	bool same = true;

	write_stat(fake->root, "guest", 'S', "1000");
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_true(same);
	write_stat(fake->root, "guest", 'S', "2000");
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_false(same);
	/* Same start time, but recorded during another boot. */
	write_stat(fake->root, "guest", 'S', "1000");
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, OTHER_BOOT, &same, NULL), 0);
	assert_false(same);
	write_stat(fake->root, "guest", 'Z', "1000");
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_false(same);
	assert_int_equal(np_proc_same(fake->root, NULL, 4321, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_false(same);
}

static void test_fake_malformed(void **state)
{
	static const char *const lines[] = {
		"",
		"1234 guest S 1 2 3\n",
		"1234 (guest)S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5 6\n",
		"1234 (guest) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0\n",
		"1234 (guest) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 x5 6\n",
		"1234 (guest) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5x 6\n",
		"1234 (guest) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 -5 6\n",
		("1234 (guest) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
		 "18446744073709551616 6\n"),
		"1234 (guest)",
		"1234 (guest) ",
	};
	struct fake *fake = *state;
	struct np_err err = NP_ERR_INIT;
	uint64_t start = 77;
	bool same;

	for (size_t i = 0; i < NP_ARRAY_SIZE(lines); i++) {
		write_file(fake->root, "1234/stat", lines[i]);
		if (np_proc_start_time(fake->root, 1234, &start, &err) != -EBADMSG)
			fail_msg("accepted stat line %zu: %s", i, lines[i]);
		assert_non_null(strstr(err.msg, "1234/stat"));
		assert_int_equal(start, 77);
		assert_int_equal(np_proc_same(fake->root, NULL, 1234, 77, NULL, &same, &err), -EBADMSG);
	}
	np_err_clear(&err);
}

static void test_fake_bad_boot_id(void **state)
{
	struct fake *fake = *state;
	char boot[NP_PROC_BOOT_ID_SIZE];
	struct np_err err = NP_ERR_INIT;
	bool same;

	write_file(fake->root, "sys/kernel/random/boot_id", "not-a-boot-id\n");
	assert_int_equal(np_proc_boot_id(fake->root, boot, sizeof(boot), &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "boot_id"));
	write_stat(fake->root, "guest", 'S', "1000");
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, FAKE_BOOT, &same, &err), -EBADMSG);
	write_file(fake->root, "sys/kernel/random/boot_id", FAKE_BOOT "\n");
	np_err_clear(&err);
}

static void test_boot_id_valid(void **state)
{
	(void)state;
	assert_true(np_proc_boot_id_valid(FAKE_BOOT));
	assert_false(np_proc_boot_id_valid(""));
	assert_false(np_proc_boot_id_valid("6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5"));
	assert_false(np_proc_boot_id_valid(FAKE_BOOT "0"));
	assert_false(np_proc_boot_id_valid(FAKE_BOOT "\n"));
	assert_false(np_proc_boot_id_valid("6F1C2A3B-4D5E-4F60-8A9B-0C1D2E3F4A5B"));
	assert_false(np_proc_boot_id_valid("6f1c2a3b44d5e-4f60-8a9b-0c1d2e3f4a5b"));
	assert_false(np_proc_boot_id_valid("6f1c2a3g-4d5e-4f60-8a9b-0c1d2e3f4a5b"));
}

/* With a `struct np_proc_boot`, the boot id is read once, on first need;
 * a failed read is not kept. */
static void test_fake_boot_kept(void **state)
{
	struct fake *fake = *state;
	struct np_proc_boot boot = { 0 };
	struct np_err err = NP_ERR_INIT;
	bool same = false;

	write_stat(fake->root, "guest", 'S', "1000");
	/* A record without a boot id needs none. */
	write_file(fake->root, "sys/kernel/random/boot_id", "not-a-boot-id\n");
	assert_int_equal(np_proc_same(fake->root, &boot, 1234, 1000, "", &same, NULL), 0);
	assert_true(same);
	assert_string_equal(boot.id, "");
	assert_int_equal(np_proc_same(fake->root, &boot, 1234, 1000, FAKE_BOOT, &same, &err),
			 -EBADMSG);
	assert_string_equal(boot.id, "");
	np_err_clear(&err);
	write_file(fake->root, "sys/kernel/random/boot_id", FAKE_BOOT "\n");
	assert_int_equal(np_proc_same(fake->root, &boot, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_true(same);
	assert_string_equal(boot.id, FAKE_BOOT);
	/* Kept: a changed file is not read again through `boot`. */
	write_file(fake->root, "sys/kernel/random/boot_id", OTHER_BOOT "\n");
	assert_int_equal(np_proc_same(fake->root, &boot, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_true(same);
	assert_int_equal(np_proc_boot_get(fake->root, &boot, NULL), 0);
	assert_string_equal(boot.id, FAKE_BOOT);
	assert_int_equal(np_proc_same(fake->root, NULL, 1234, 1000, FAKE_BOOT, &same, NULL), 0);
	assert_false(same);
	write_file(fake->root, "sys/kernel/random/boot_id", FAKE_BOOT "\n");
}

/* np_proc_gone reads only the state: a stat line cut after it still counts. */
static void test_fake_gone(void **state)
{
	struct fake *fake = *state;
	struct np_err err = NP_ERR_INIT;
	bool gone = true;

	write_file(fake->root, "1234/stat", "1234 (a) b) S 1 1234\n");
	assert_int_equal(np_proc_gone(fake->root, 1234, &gone, NULL), 0);
	assert_false(gone);
	write_file(fake->root, "1234/stat", "1234 (a) b) Z 1 1234\n");
	assert_int_equal(np_proc_gone(fake->root, 1234, &gone, NULL), 0);
	assert_true(gone);
	write_file(fake->root, "1234/stat", "1234 (guest) X");
	gone = false;
	assert_int_equal(np_proc_gone(fake->root, 1234, &gone, NULL), 0);
	assert_true(gone);
	gone = false;
	assert_int_equal(np_proc_gone(fake->root, 4321, &gone, NULL), 0);
	assert_true(gone);
	write_file(fake->root, "1234/stat", "1234 (guest) ");
	assert_int_equal(np_proc_gone(fake->root, 1234, &gone, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "1234/stat"));
	write_file(fake->root, "1234/stat", "1234 guest S 1 2 3\n");
	assert_int_equal(np_proc_gone(fake->root, 1234, &gone, &err), -EBADMSG);
	assert_int_equal(np_proc_gone(fake->root, 0, &gone, &err), -EINVAL);
	np_err_clear(&err);
}

static void *tgid_thread(void *arg)
{
	pid_t *out = arg;

	if (np_proc_tgid("/proc", (pid_t)syscall(SYS_gettid), out, NULL) < 0)
		*out = -1;
	return NULL;
}

/* A thread id resolves to its process; a missing one is -ESRCH. */
static void test_tgid(void **state)
{
	pthread_t t;
	pid_t of_thread = 0, tgid = 0;

	(void)state;
	assert_int_equal(np_proc_tgid("/proc", getpid(), &tgid, NULL), 0);
	assert_int_equal(tgid, getpid());
	assert_int_equal(pthread_create(&t, NULL, tgid_thread, &of_thread), 0);
	pthread_join(t, NULL);
	assert_int_equal(of_thread, getpid());
	assert_int_equal(np_proc_tgid("/proc", 0x7ffffffe, &tgid, NULL), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_tgid),
		cmocka_unit_test(test_boot_id_matches_kernel),
		cmocka_unit_test(test_child_lifecycle),
		cmocka_unit_test(test_bad_pid),
		cmocka_unit_test(test_boot_id_valid),
		cmocka_unit_test_setup_teardown(test_fake_comm_with_parens, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_reused_pid, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_malformed, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_bad_boot_id, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_gone, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_boot_kept, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
