/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ledger: the state directory and its lock. Atomic writes leave no
 * temporary file; listings skip dot files; corrupt records are named and
 * can be set aside; a process killed mid-write or while holding the lock
 * leaves nothing behind; the lock times out naming its holder; 64
 * processes doing read-modify-write under the lock never lose an update.
 */
#include <dirent.h>
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "ledger.h"
#include "np_test_ledger.h"

#define NPROCS 64

static void write_record(struct np_ledger *l, const char *name, unsigned vcpus)
{
	struct np_err err = NP_ERR_INIT;
	struct np_record rec;

	make_record(&rec, name, vcpus);
	if (np_ledger_write(l, &rec, &err) < 0)
		fail_msg("write %s: %s", name, err.msg);
	np_record_clear(&rec);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* The names in `dir`, sorted, joined with spaces. */
static char *dir_listing(const char *dir)
{
	struct dirent **names = NULL;
	size_t len = 0;
	char *out = calloc(1, 4096);
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			len += (size_t)snprintf(out + len, 4096 - len, "%s%s", len ? " " : "",
						names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return out;
}

/* Write guest `name`'s record as FILE, bypassing the ledger. */
static void put_record_as(const char *dir, const char *file, const char *name)
{
	_cleanup_free_ char *json = NULL;
	struct np_record rec;

	make_record(&rec, name, 1);
	assert_int_equal(np_record_to_json(&rec, &json, NULL), 0);
	put_file(dir, file, json);
	np_record_clear(&rec);
}

/* ---- opening ---- */

static void test_open_creates_dir(void **state)
{
	struct fixture *fx = *state;
	mode_t mask = umask(022);
	struct np_ledger *l;
	struct stat st;

	l = open_ledger(fx->dir, 0);
	umask(mask);
	assert_int_equal(stat(fx->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_string_equal(np_ledger_dir(l), fx->dir);
	np_ledger_close(l);
	/* A second open of the existing directory is fine. */
	np_ledger_close(open_ledger(fx->dir, 0));
}

static void test_open_rejects(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;
	char path[160];

	put_file(fx->root, "plain", "x");
	snprintf(path, sizeof(path), "%s/plain", fx->root);
	assert_int_equal(np_ledger_open(path, NULL, &l, &err), -ENOTDIR);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "not a directory"));
	snprintf(path, sizeof(path), "%s/missing/state", fx->root);
	assert_int_equal(np_ledger_open(path, NULL, &l, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(np_ledger_open("", NULL, &l, &err), -EINVAL);
	assert_true(err.input);
	assert_null(l);
	np_err_clear(&err);
}

/* `advise` and `status` open read-only: nothing is created, nothing changes. */
static void test_read_only(void **state)
{
	struct np_ledger_options ro = { .read_only = true };
	struct fixture *fx = *state;
	struct np_ledger_list list = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;
	struct np_record rec;
	char lock[160];

	assert_int_equal(np_ledger_open(fx->dir, &ro, &l, &err), 0);
	assert_false(exists(fx->root, "state"));
	assert_int_equal(np_ledger_list(l, false, &list, &err), 0);
	assert_int_equal(list.nrecords, 0);
	assert_int_equal(np_ledger_read(l, "web1", &rec, &err), -ENOENT);
	assert_int_equal(np_ledger_lock(l, &err), -EROFS);
	make_record(&rec, "web1", 1);
	assert_int_equal(np_ledger_write(l, &rec, &err), -EROFS);
	assert_int_equal(np_ledger_remove(l, "web1", &err), -EROFS);
	assert_false(exists(fx->root, "state"));
	np_ledger_close(l);

	/* Over an existing ledger it reads what is there, and creates no lock. */
	l = open_ledger(fx->dir, 0);
	assert_int_equal(np_ledger_lock(l, NULL), 0);
	write_record(l, "web1", 3);
	np_ledger_close(l);
	snprintf(lock, sizeof(lock), "%s/.lock", fx->dir);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(np_ledger_open(fx->dir, &ro, &l, &err), 0);
	np_record_clear(&rec);
	assert_int_equal(np_ledger_read(l, "web1", &rec, &err), 0);
	assert_int_equal(rec.vcpus, 3);
	assert_false(exists(fx->dir, ".lock"));
	np_record_clear(&rec);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* ---- writing and reading ---- */

static void test_write_read(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	_cleanup_free_ char *names = NULL;
	struct np_record rec, back;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	char path[160], text[4096];
	struct stat st;
	FILE *f;
	size_t n;

	make_record(&rec, "web-1", 4);
	rec.pid = 4242;
	rec.cgroup = strdup("numaplace/web-1");
	assert_int_equal(np_ledger_write(l, &rec, &err), -ENOLCK);
	assert_false(exists(fx->dir, "web-1.json"));
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_int_equal(np_ledger_write(l, &rec, &err), 0);
	assert_int_equal(np_ledger_read(l, "web-1", &back, &err), 0);
	assert_true(np_record_equal(&rec, &back));
	np_record_clear(&back);

	/* The file: one JSON line, mode 0644, and nothing else left behind. */
	names = dir_listing(fx->dir);
	assert_string_equal(names, ".generation .lock web-1.json");
	snprintf(path, sizeof(path), "%s/web-1.json", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~(mode_t)umask(umask(0)));
	f = fopen(path, "r");
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_true(n > 2 && text[n - 1] == '\n' && memchr(text, '\n', n) == text + n - 1);

	/* Rewriting replaces the record. */
	rec.phase = NP_PHASE_PLACED;
	assert_int_equal(np_ledger_write(l, &rec, &err), 0);
	assert_int_equal(np_ledger_read(l, "web-1", &back, &err), 0);
	assert_int_equal(back.phase, NP_PHASE_PLACED);
	np_record_clear(&back);
	free(names);
	names = dir_listing(fx->dir);
	assert_string_equal(names, ".generation .lock web-1.json");
	np_record_clear(&rec);
	np_ledger_close(l);
	np_err_clear(&err);
}

static void test_names_checked(void **state)
{
	static const char *const bad[] = { "../etc", "a/b", "", ".hidden", "-x", "tasks",
					   "cgroup.procs", "x\ny" };
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	struct np_record rec;

	assert_int_equal(np_ledger_lock(l, &err), 0);
	before = dir_listing(fx->root);
	for (size_t i = 0; i < NP_ARRAY_SIZE(bad); i++) {
		assert_int_equal(np_ledger_read(l, bad[i], &rec, &err), -EINVAL);
		assert_true(err.input);
		assert_int_equal(np_ledger_remove(l, bad[i], &err), -EINVAL);
		assert_int_equal(np_ledger_quarantine(l, bad[i], &err), -EINVAL);
	}
	make_record(&rec, "ok", 1);
	strcpy(rec.name, "../escape");
	assert_int_equal(np_ledger_write(l, &rec, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "name"));
	after = dir_listing(fx->root);
	assert_string_equal(before, after);
	np_record_clear(&rec);
	np_ledger_close(l);
	np_err_clear(&err);
}

static void test_remove(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	struct np_record rec;

	assert_int_equal(np_ledger_remove(l, "web1", &err), -ENOLCK);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "web1", 1);
	assert_true(exists(fx->dir, "web1.json"));
	assert_int_equal(np_ledger_remove(l, "web1", &err), 0);
	assert_false(exists(fx->dir, "web1.json"));
	assert_int_equal(np_ledger_read(l, "web1", &rec, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "web1"));
	/* Missing is fine. */
	assert_int_equal(np_ledger_remove(l, "web1", &err), 0);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* ---- listing and corrupt records ---- */

static void test_list_skips_others(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_list list = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);

	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "c", 3);
	write_record(l, "a", 1);
	write_record(l, "b", 2);
	put_file(fx->dir, ".corrupt.x.json", "garbage");
	put_file(fx->dir, ".x.json.tmp", "{\"version\":");
	put_file(fx->dir, ".hidden.json", "garbage");
	put_file(fx->dir, "README", "not a record");
	put_file(fx->dir, "bad name.json", "garbage");
	put_file(fx->dir, "tasks.json", "garbage");
	put_file(fx->dir, ".json", "garbage");
	assert_int_equal(np_ledger_list(l, false, &list, &err), 0);
	assert_int_equal(list.nrecords, 3);
	assert_int_equal(list.ncorrupt, 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(list.records[i].name[0], "abc"[i]);
		assert_int_equal(list.records[i].vcpus, i + 1);
	}
	np_ledger_list_clear(&list);
	assert_null(list.records);
	np_ledger_close(l);
}

struct corrupt_row {
	const char *text;
	const char *why;
};

static void test_corrupt_named(void **state)
{
	static const struct corrupt_row rows[] = {
		{ "", "empty record" },
		{ "{\"version\":1,\"name\":\"d\",\"pha", "truncated" },
		{ "\x7f" "ELF\x02\x01", "invalid JSON" },
		{ "{\"version\":3}", "unsupported version 3" },
	};
	struct fixture *fx = *state;
	struct np_ledger_list list = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	struct np_record rec;
	char file[160];

	snprintf(file, sizeof(file), "%s/d.json", fx->dir);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "a", 1);
	for (size_t i = 0; i < NP_ARRAY_SIZE(rows); i++) {
		put_file(fx->dir, "d.json", rows[i].text);
		memset(&rec, 0x5a, sizeof(rec));
		assert_int_equal(np_ledger_read(l, "d", &rec, &err), -EBADMSG);
		assert_false(err.input);
		assert_ptr_equal(strstr(err.msg, file), err.msg);
		assert_non_null(strstr(err.msg, rows[i].why));
		assert_int_equal(((unsigned char *)&rec)[0], 0x5a);
		assert_int_equal(np_ledger_list(l, false, &list, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, file));
		assert_null(list.records);
	}
	np_ledger_close(l);
	np_err_clear(&err);
}

static void test_collect_and_quarantine(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_list list = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	char dir_entry[160];

	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "a", 1);
	write_record(l, "e", 5);
	/* A torn write: the first half of a valid record. */
	put_file(fx->dir, "b.json", "{\"version\":1,\"name\":\"b\",\"phase\":\"res");
	/* A record stored under another guest's name. */
	put_record_as(fx->dir, "c.json", "zz");
	/* A directory and a symbolic link where records belong. */
	snprintf(dir_entry, sizeof(dir_entry), "%s/d.json", fx->dir);
	assert_int_equal(mkdir(dir_entry, 0755), 0);
	snprintf(dir_entry, sizeof(dir_entry), "%s/f.json", fx->dir);
	assert_int_equal(symlink("/etc/passwd", dir_entry), 0);

	assert_int_equal(np_ledger_list(l, true, &list, &err), 0);
	assert_int_equal(list.nrecords, 2);
	assert_string_equal(list.records[0].name, "a");
	assert_string_equal(list.records[1].name, "e");
	assert_int_equal(list.ncorrupt, 4);
	assert_string_equal(list.corrupt[0].name, "b");
	assert_non_null(strstr(list.corrupt[0].why, "/b.json: truncated"));
	assert_string_equal(list.corrupt[1].name, "c");
	assert_non_null(strstr(list.corrupt[1].why, "/c.json: holds the record of guest zz"));
	assert_string_equal(list.corrupt[2].name, "d");
	assert_non_null(strstr(list.corrupt[2].why, "/d.json: not a regular file"));
	assert_string_equal(list.corrupt[3].name, "f");
	assert_non_null(strstr(list.corrupt[3].why, "/f.json: a symbolic link"));

	for (unsigned i = 0; i < list.ncorrupt; i++)
		assert_int_equal(np_ledger_quarantine(l, list.corrupt[i].name, &err), 0);
	np_ledger_list_clear(&list);
	assert_true(exists(fx->dir, ".corrupt.b.json"));
	assert_false(exists(fx->dir, "b.json"));
	assert_int_equal(np_ledger_list(l, false, &list, &err), 0);
	assert_int_equal(list.nrecords, 2);
	np_ledger_list_clear(&list);
	assert_int_equal(np_ledger_quarantine(l, "b", &err), -ENOENT);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* ---- the lock ---- */

/* In a child: die with the test program, so a failed assertion there
 * leaves no paused process behind. */
static void test_lock_timeout_names_holder(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l;
	char want[96];
	pid_t holder;

	np_ledger_close(open_ledger(fx->dir, 0));
	holder = spawn_paused(fx->dir, "after-lock", NULL);
	snprintf(want, sizeof(want), "waiting for the ledger lock held by pid %d", (int)holder);

	l = open_ledger(fx->dir, 150);
	assert_int_equal(np_ledger_lock(l, &err), -ETIMEDOUT);
	assert_false(np_ledger_locked(l));
	assert_false(err.input);
	assert_non_null(strstr(err.msg, "timed out after 150ms"));
	assert_non_null(strstr(err.msg, want));
	np_ledger_close(l);

	l = open_ledger(fx->dir, 0);
	assert_int_equal(np_ledger_lock(l, &err), -ETIMEDOUT);
	assert_non_null(strstr(err.msg, "timed out after 0s"));
	assert_non_null(strstr(err.msg, want));

	/* Killed while holding it: the kernel drops the lock with the process. */
	kill_reap(holder);
	np_ledger_close(l);
	l = open_ledger(fx->dir, LONG_WAIT_MS);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_true(np_ledger_locked(l));
	np_ledger_close(l);
	np_err_clear(&err);
}

/* A waiter with the longest timeout waits, not times out at once: it gets
 * the lock when the holder dies. (The pause before the kill only gives a
 * broken waiter the chance to fail; a working one passes either way.) */
static void test_lock_unbounded_timeout(void **state)
{
	struct fixture *fx = *state;
	pid_t parent = getpid(), holder, waiter;
	int status, p[2];
	char c;

	np_ledger_close(open_ledger(fx->dir, 0));
	holder = spawn_paused(fx->dir, "after-lock", NULL);
	assert_int_equal(pipe(p), 0);
	waiter = fork();
	assert_true(waiter >= 0);
	if (waiter == 0) {
		struct np_ledger *l;

		die_with_parent(parent);
		close(p[0]);
		l = open_ledger(fx->dir, 0);
		if (np_ledger_lock(l, NULL) != -ETIMEDOUT)
			_exit(2);
		np_ledger_close(l);
		l = open_ledger(fx->dir, UINT64_MAX);
		if (write(p[1], "w", 1) != 1)
			_exit(3);
		_exit(np_ledger_lock(l, NULL) == 0 ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	usleep(200 * 1000);
	kill_reap(holder);
	assert_int_equal(waitpid(waiter, &status, 0), waiter);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static long lock_file_pid(const char *dir)
{
	char path[160], buf[32] = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/.lock", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? strtol(buf, NULL, 10) : 0;
}

static void test_lock_pid_and_reuse(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);

	assert_false(np_ledger_locked(l));
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_int_equal(lock_file_pid(fx->dir), getpid());
	assert_int_equal(np_ledger_lock(l, &err), -EBUSY);
	np_ledger_unlock(l);
	assert_false(np_ledger_locked(l));
	assert_int_equal(lock_file_pid(fx->dir), 0);
	np_ledger_unlock(l);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* Killed after the temporary file is complete but before the rename: the
 * old record stands, the temporary file is never listed, the next write
 * succeeds. */
static void test_killed_mid_write(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_list list = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_record rec;
	pid_t child;

	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "web1", 1);
	np_ledger_unlock(l);
	child = spawn_paused(fx->dir, "before-rename", "web1");
	assert_true(exists(fx->dir, ".web1.json.tmp"));
	kill_reap(child);

	assert_int_equal(np_ledger_read(l, "web1", &rec, &err), 0);
	assert_int_equal(rec.vcpus, 1);
	np_record_clear(&rec);
	assert_int_equal(np_ledger_list(l, false, &list, &err), 0);
	assert_int_equal(list.nrecords, 1);
	np_ledger_list_clear(&list);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "web1", 7);
	assert_false(exists(fx->dir, ".web1.json.tmp"));
	assert_int_equal(np_ledger_read(l, "web1", &rec, &err), 0);
	assert_int_equal(rec.vcpus, 7);
	np_record_clear(&rec);
	np_ledger_close(l);

	/* After the rename the new record is there whole. */
	child = spawn_paused(fx->dir, "after-write", "web2");
	kill_reap(child);
	l = open_ledger(fx->dir, 0);
	assert_int_equal(np_ledger_read(l, "web2", &rec, &err), 0);
	assert_int_equal(rec.vcpus, 9);
	np_record_clear(&rec);
	np_ledger_close(l);
}

/* ---- the generation ---- */

static uint64_t generation(const char *dir)
{
	struct np_ledger_options ro = { .read_only = true };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;
	uint64_t gen = 0;

	assert_int_equal(np_ledger_open(dir, &ro, &l, &err), 0);
	if (np_ledger_generation(l, &gen, &err) < 0)
		fail_msg("generation of %s: %s", dir, err.msg);
	np_ledger_close(l);
	return gen;
}

/* Every change moves the generation on by two, seen by other readers;
 * what changes nothing leaves it alone. */
static void test_generation_moves(void **state)
{
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, 0);
	struct np_record bad;
	uint64_t g0, g;
	unsigned removed;

	assert_int_equal(np_ledger_generation(l, &g, &err), -ENOENT);
	assert_non_null(strstr(err.msg, ".generation"));
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_int_equal(np_ledger_generation(l, &g0, &err), 0);
	assert_int_equal(g0 % 2, 0);
	assert_true(generation(fx->dir) == g0);
	write_record(l, "web1", 1);
	assert_true(generation(fx->dir) == g0 + 2);
	write_record(l, "web1", 2);
	assert_true(generation(fx->dir) == g0 + 4);
	assert_int_equal(np_ledger_remove(l, "web1", &err), 0);
	assert_int_equal(np_ledger_remove(l, "web1", &err), 0);
	assert_true(generation(fx->dir) == g0 + 8);
	write_record(l, "web2", 1);
	assert_int_equal(np_ledger_quarantine(l, "web2", &err), 0);
	assert_true(generation(fx->dir) == g0 + 12);

	/* Refused before touching anything: the generation stays. */
	make_record(&bad, "web3", 1);
	bad.time = -1;
	assert_true(np_ledger_write(l, &bad, &err) < 0);
	np_record_clear(&bad);
	assert_int_equal(np_ledger_sweep(l, &removed, &err), 0);
	assert_true(generation(fx->dir) == g0 + 12);
	assert_int_equal(np_ledger_generation(l, &g, &err), 0);
	assert_true(g == g0 + 12);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* A writer killed between making the generation odd and even leaves it
 * odd; the next change makes it even again and larger. A file that is not
 * a generation is an error for readers and replaced by the next writer;
 * a state dir made afresh starts elsewhere. */
static void test_generation_odd_and_garbage(void **state)
{
	struct np_ledger_options ro = { .read_only = true };
	struct fixture *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *reader = NULL;
	uint64_t g0, g1, g;
	char cmd[160];

	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "web1", 1);
	np_ledger_unlock(l);
	g0 = generation(fx->dir);
	kill_reap(spawn_paused(fx->dir, "before-rename", "web1"));
	g = generation(fx->dir);
	assert_true(g == g0 + 1);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	write_record(l, "web1", 2);
	np_ledger_unlock(l);
	assert_true(generation(fx->dir) == g0 + 4);

	put_file(fx->dir, ".generation", "7\n");
	assert_int_equal(np_ledger_open(fx->dir, &ro, &reader, &err), 0);
	assert_int_equal(np_ledger_generation(reader, &g, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "/.generation: not a generation"));
	assert_int_equal(np_ledger_lock(l, &err), 0);
	np_ledger_unlock(l);
	assert_int_equal(np_ledger_generation(reader, &g1, &err), 0);
	assert_int_equal(g1 % 2, 0);
	np_ledger_close(reader);
	np_ledger_close(l);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	l = open_ledger(fx->dir, 0);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_int_equal(np_ledger_generation(l, &g, &err), 0);
	assert_true(g != g1 && g != g0 + 4);
	np_ledger_close(l);
	np_err_clear(&err);
}

/* One child: take the lock, read the counter, bump it, write it back.
 * Exits with the value it read (0..63), or 100+ on failure. */
static void counter_child(const char *dir, pid_t parent)
{
	struct np_ledger *l = NULL;
	struct np_ledger_options opts = { .lock_timeout_ms = LONG_WAIT_MS };
	struct np_record rec;
	unsigned seen;

	die_with_parent(parent);
	if (np_ledger_open(dir, &opts, &l, NULL) < 0)
		_exit(100);
	if (np_ledger_lock(l, NULL) < 0)
		_exit(101);
	if (np_ledger_read(l, "counter", &rec, NULL) < 0)
		_exit(102);
	seen = rec.vcpus;
	/* Widen the window a broken lock would lose an update in. */
	usleep(500);
	rec.vcpus++;
	if (np_ledger_write(l, &rec, NULL) < 0)
		_exit(103);
	np_record_clear(&rec);
	np_ledger_close(l);
	_exit((int)seen);
}

static void test_mutual_exclusion(void **state)
{
	struct fixture *fx = *state;
	pid_t parent = getpid();
	bool seen[NPROCS] = { false };
	struct np_ledger *l = open_ledger(fx->dir, 0);
	struct np_record rec;
	pid_t pids[NPROCS];

	assert_int_equal(np_ledger_lock(l, NULL), 0);
	write_record(l, "counter", 0);
	np_ledger_close(l);
	for (int i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			counter_child(fx->dir, parent);
	}
	for (int i = 0; i < NPROCS; i++) {
		int status, v;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		v = WEXITSTATUS(status);
		if (v >= NPROCS)
			fail_msg("child %d failed with %d", i, v);
		assert_false(seen[v]);
		seen[v] = true;
	}
	l = open_ledger(fx->dir, 0);
	assert_int_equal(np_ledger_read(l, "counter", &rec, NULL), 0);
	assert_int_equal(rec.vcpus, NPROCS);
	np_record_clear(&rec);
	np_ledger_close(l);
}

/* Pause points a caller names go to the same hook. */
static void note_point(const char *point, void *data)
{
	char *log = data;

	strcat(log, point);
	strcat(log, ";");
}

static void test_pause_points(void **state)
{
	struct fixture *fx = *state;
	char log[256] = { 0 };
	struct np_ledger_options opts = { .pause = note_point, .pause_data = log };
	struct np_ledger *l = NULL;

	assert_int_equal(np_ledger_open(fx->dir, &opts, &l, NULL), 0);
	assert_int_equal(np_ledger_lock(l, NULL), 0);
	write_record(l, "web1", 1);
	assert_int_equal(np_ledger_remove(l, "web1", NULL), 0);
	np_ledger_pause(l, "after-reserve");
	np_ledger_close(l);
	assert_string_equal(log, "after-lock;before-rename;after-write;after-remove;after-reserve;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_skips_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collect_and_quarantine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_timeout_names_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_unbounded_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_pid_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_mid_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutual_exclusion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_odd_and_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
