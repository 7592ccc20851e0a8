/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/cgroup on the machine's real cpuset hierarchy, as root, run by
 * test_cgroup.sh, which makes the parent group NP_CGROUP_TEST_PARENT (unique
 * to the run, usable) and removes it afterwards whatever happens here.
 *
 *   test_cgroup_real libcgroup   the API through the libcgroup backend
 *   test_cgroup_real files       the API through plain files (open_at)
 *   test_cgroup_real quirks      the libcgroup 2.0.2 and kernel behaviour
 *                                core/cgroup is designed around, shown
 *                                against libcgroup and the kernel directly
 *
 * Every test works below PARENT/<its name> and its teardown removes that
 * subtree and kills the processes it started.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libcgroup.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "cgroup_internal.h"
#include "cleanup.h"
#include "cpulist.h"

#define NP_MISSING_CPU (NP_CPUSET_MAX - 1)
#define NP_PARALLEL 20

static const char *g_parent;       /* NP_CGROUP_TEST_PARENT */
static struct np_cgroup *g_cg;     /* the handle under test */
static struct np_cgroup_state g_top; /* what PARENT holds */

/* ---- counting cgroup_init calls (this definition wins over libcgroup's) */

static atomic_int g_init_calls;
static int (*g_real_init)(void);

int cgroup_init(void)
{
	atomic_fetch_add(&g_init_calls, 1);
	return g_real_init();
}

/* ---- fopen, to run a lookup while cgroup_init reads the mount table */

static bool g_fopen_armed;
static int g_during_init = -1;

FILE *fopen(const char *path, const char *mode)
{
	static FILE *(*real_fopen)(const char *, const char *);
	char *mp = NULL;

	if (!real_fopen)
		real_fopen = (FILE * (*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
	if (g_fopen_armed && strcmp(path, "/proc/mounts") == 0) {
		g_fopen_armed = false;
		g_during_init = cgroup_get_subsys_mount_point("cpuset", &mp);
		free(mp);
	}
	return real_fopen(path, mode);
}

/* ---- per-test context */

struct ctx {
	char *base;   /* PARENT/<test name> */
	pid_t kids[NP_PARALLEL + 4];
	int nkids;
	struct np_err err;
};

static void kill_kids(struct ctx *c)
{
	for (int i = 0; i < c->nkids; i++) {
		kill(c->kids[i], SIGKILL);
		waitpid(c->kids[i], NULL, 0);
	}
	c->nkids = 0;
}

/* A child with `threads` threads that sleeps until killed (or until this
 * program dies); returns once all threads run. */
static void *sleep_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static pid_t spawn(struct ctx *c, int threads)
{
	int fds[2];
	char byte;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t t;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 1; i < threads; i++)
			pthread_create(&t, NULL, sleep_thread, NULL);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		sleep_thread(NULL);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &byte, 1), 1);
	close(fds[0]);
	c->kids[c->nkids++] = pid;
	return pid;
}

/* A PID that exited and was reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A PID that exited and is not reaped yet: a zombie. */
static pid_t zombie_pid(void)
{
	siginfo_t si;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

/* ---- looking at the kernel, independently of core/cgroup */

static char *slurp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *slurp(const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	char *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *fp;

	va_start(ap, fmt);
	assert_true(vasprintf(&path, fmt, ap) > 0);
	va_end(ap);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	if (getdelim(&buf, &len, '\0', fp) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(fp);
	return buf;
}

/* Does the /proc cgroup file at `file` put its owner in `group`? */
static bool file_in_group(const char *file, const char *group)
{
	_cleanup_free_ char *text = slurp("%s", file);
	_cleanup_free_ char *v1 = NULL;
	_cleanup_free_ char *v2 = NULL;
	bool found = false;

	assert_non_null(text);
	assert_true(asprintf(&v1, "cpuset:/%s\n", group) > 0);
	assert_true(asprintf(&v2, "\n0::/%s\n", group) > 0);
	if (np_cgroup_version(g_cg) == NP_CGROUP_V1) {
		for (char *line = strstr(text, v1); line && !found; line = strstr(line + 1, v1))
			found = line[-1] == ':' || line[-1] == ',';
	} else {
		found = strstr(text, v2) || strncmp(text, v2 + 1, strlen(v2 + 1)) == 0;
	}
	return found;
}

static bool pid_in_group(pid_t pid, const char *group)
{
	char file[64];

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	return file_in_group(file, group);
}

/* How many threads of `pid` are in `group`; *total gets all of them. */
static int threads_in_group(pid_t pid, const char *group, int *total)
{
	char dir[64];
	struct dirent *d;
	DIR *dp;
	int in = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	dp = opendir(dir);
	assert_non_null(dp);
	*total = 0;
	while ((d = readdir(dp))) {
		_cleanup_free_ char *file = NULL;

		if (d->d_name[0] == '.')
			continue;
		assert_true(asprintf(&file, "%s/%s/cgroup", dir, d->d_name) > 0);
		in += file_in_group(file, group);
		(*total)++;
	}
	closedir(dp);
	return in;
}

static char *cpus_allowed(pid_t pid)
{
	_cleanup_free_ char *status = slurp("/proc/%d/status", (int)pid);
	const char *key = "Cpus_allowed_list:\t";
	char *p = status ? strstr(status, key) : NULL;

	assert_non_null(p);
	p += strlen(key);
	return strndup(p, strcspn(p, "\n"));
}

static bool group_exists(const char *group)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", np_cgroup_mount(g_cg), group) > 0);
	return access(path, F_OK) == 0;
}

static char *sub(const char *a, const char *b)
{
	char *s = NULL;

	assert_true(asprintf(&s, "%s/%s", a, b) > 0);
	return s;
}

/* ---- subtree listing and removal (test infrastructure, plain rmdir) */

static char *g_listing;
static size_t g_listing_len;
static FILE *g_listing_fp;

static int list_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DP)
		fprintf(g_listing_fp, "%s\n", path);
	return 0;
}

/* The directories below MOUNT/rel, one a line, as a heap string (nftw
 * visits in readdir order; cgroupfs lists a directory in a stable order). */
static char *listing(const char *rel)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", np_cgroup_mount(g_cg), rel) > 0);
	g_listing_fp = open_memstream(&g_listing, &g_listing_len);
	assert_non_null(g_listing_fp);
	nftw(path, list_one, 16, FTW_PHYS);
	fclose(g_listing_fp);
	return np_steal_ptr(&g_listing);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	return 0;
}

static void rm_tree(const char *rel)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", np_cgroup_mount(g_cg), rel) > 0);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- placements */

static struct np_cgroup_placement all_cpus(void)
{
	struct np_cgroup_placement pl = { .memory_migrate = true };

	pl.cpus = g_top.effective_cpus;
	pl.mems = g_top.effective_mems;
	return pl;
}

static struct np_cgroup_placement last_cpu(void)
{
	struct np_cgroup_placement pl = all_cpus();

	np_cpuset_zero(&pl.cpus);
	np_cpuset_add(&pl.cpus, (unsigned)np_cpuset_last(&g_top.effective_cpus));
	return pl;
}

static void expect_err(struct ctx *c, int r, int code, const char *part)
{
	assert_int_equal(r, code);
	assert_non_null(c->err.msg);
	if (!strstr(c->err.msg, part))
		fail_msg("error \"%s\" lacks \"%s\"", c->err.msg, part);
	np_err_clear(&c->err);
}

static void expect_cpus_allowed(pid_t pid, const struct np_cpuset *cpus)
{
	_cleanup_free_ char *want = np_cpulist_format(cpus);
	_cleanup_free_ char *got = cpus_allowed(pid);

	assert_string_equal(got, want);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	const char *name = *state;

	if (!c || asprintf(&c->base, "%s/%s", g_parent, name) < 0)
		return -1;
	rm_tree(c->base);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	kill_kids(c);
	rm_tree(c->base);
	assert_false(group_exists(c->base));
	np_err_clear(&c->err);
	free(c->base);
	free(c);
	return 0;
}

/* ---- the API on the real kernel */

/* A running process lands in PARENT/numaplace/web1 with the cpus asked. */
static void test_create_moves_process(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = last_cpu();
	_cleanup_free_ char *parent = sub(c->base, "numaplace");
	_cleanup_free_ char *group = sub(parent, "web1");
	_cleanup_free_ char *seen = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct np_cgroup_state st;
	size_t n = 0;
	pid_t pid = spawn(c, 1);

	assert_int_equal(np_cgroup_create(g_cg, parent, "web1", &pl, pid, &c->err), 0);
	assert_true(pid_in_group(pid, group));
	expect_cpus_allowed(pid, &pl.cpus);
	assert_int_equal(np_cgroup_pid_group(g_cg, pid, &seen, &c->err), 0);
	assert_string_equal(seen, group);
	assert_int_equal(np_cgroup_tasks(g_cg, group, &pids, &n, &c->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], pid);
	assert_int_equal(np_cgroup_read(g_cg, group, &st, &c->err), 0);
	assert_true(np_cpuset_equal(&st.effective_cpus, &pl.cpus));
	assert_true(np_cpuset_equal(&st.effective_mems, &pl.mems));
	assert_int_equal(np_cgroup_exists(g_cg, group, &c->err), 1);
}

/* All three threads move, not just the one libcgroup would move. */
static void test_create_moves_all_threads(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = last_cpu();
	_cleanup_free_ char *group = sub(c->base, "g");
	pid_t pid = spawn(c, 3);
	int total = 0;

	assert_int_equal(np_cgroup_create(g_cg, c->base, "g", &pl, pid, &c->err), 0);
	assert_int_equal(threads_in_group(pid, group, &total), 3);
	assert_int_equal(total, 3);
}

/* CPUs that do not exist: the kernel's ERANGE, nothing left, PID unmoved. */
static void test_missing_cpus(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *parent = sub(c->base, "numaplace");
	_cleanup_free_ char *where = NULL;
	pid_t pid = spawn(c, 2);
	char want[512];
	int total = 0;

	assert_int_equal(np_cgroup_pid_group(g_cg, pid, &where, &c->err), 0);
	np_cpuset_add(&pl.cpus, NP_MISSING_CPU);
	snprintf(want, sizeof(want), "cgroup %s/web1: cpuset.cpus: %s", parent, strerror(ERANGE));
	expect_err(c, np_cgroup_create(g_cg, parent, "web1", &pl, pid, &c->err), -ERANGE, want);
	assert_false(group_exists(c->base));
	assert_int_equal(threads_in_group(pid, where, &total), 2);
}

/* Nodes that do not exist: the failure is at cpuset.mems, after cpus. */
static void test_missing_mems(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *parent = sub(c->base, "numaplace");
	char want[512];
	pid_t pid = spawn(c, 1);

	np_cpuset_add(&pl.mems, NP_MISSING_CPU);
	snprintf(want, sizeof(want), "cgroup %s/web1: cpuset.mems: %s", parent, strerror(ERANGE));
	expect_err(c, np_cgroup_create(g_cg, parent, "web1", &pl, pid, &c->err), -ERANGE, want);
	assert_false(group_exists(c->base));
	assert_true(pid_in_group(pid, ""));
}

/* CPUs outside the parent's set: v1 refuses them (EACCES, "not a subset"),
 * v2 narrows them, which the read-back of the effective cpus catches. */
static void test_cpus_outside_parent(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement narrow = all_cpus();
	struct np_cgroup_placement other = last_cpu();
	const char *name = strrchr(c->base, '/') + 1;
	_cleanup_free_ char *group = sub(c->base, "g");
	pid_t pid = spawn(c, 1);

	if (np_cpuset_count(&g_top.effective_cpus) < 2)
		skip();
	np_cpuset_del(&narrow.cpus, (unsigned)np_cpuset_last(&narrow.cpus));
	assert_int_equal(np_cgroup_create(g_cg, g_parent, name, &narrow, 0, &c->err), 0);
	expect_err(c, np_cgroup_create(g_cg, c->base, "g", &other, pid, &c->err),
		   np_cgroup_version(g_cg) == NP_CGROUP_V1 ? -EACCES : -EINVAL, "/g: cpuset.cpus");
	assert_true(group_exists(c->base));
	assert_false(group_exists(group));
	assert_true(pid_in_group(pid, ""));
}

static void test_dead_pid(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	pid_t pid = dead_pid();

	expect_err(c, np_cgroup_create(g_cg, c->base, "g", &pl, pid, &c->err), -ESRCH,
		   strerror(ESRCH));
	assert_false(group_exists(c->base));
}

/* A PID that dies between the checks and the move: the kernel takes a
 * zombie's PID in cgroup.procs without moving it; the check in /proc sees
 * it and everything is rolled back. */
static void test_pid_dies_before_move(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *parent = sub(c->base, "numaplace");
	pid_t pid = zombie_pid();

	expect_err(c, np_cgroup_create(g_cg, parent, "g", &pl, pid, &c->err), -ESRCH,
		   "exited before it could be moved");
	assert_false(group_exists(c->base));
	waitpid(pid, NULL, 0);
}

/* Ancestors are made one level at a time and made usable (v1: cpus and
 * mems from their parent); a failure removes the ones that call made and
 * keeps the rest. */
static void test_nested_parents(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = last_cpu();
	struct np_cgroup_placement bad = last_cpu();
	_cleanup_free_ char *xy = sub(c->base, "x/y");
	_cleanup_free_ char *zw = sub(c->base, "z/w");
	_cleanup_free_ char *z = sub(c->base, "z");
	_cleanup_free_ char *guest = sub(xy, "g");
	struct np_cgroup_state st;

	assert_int_equal(np_cgroup_create(g_cg, xy, "g", &pl, 0, &c->err), 0);
	assert_int_equal(np_cgroup_read(g_cg, xy, &st, &c->err), 0);
	assert_true(np_cpuset_equal(&st.effective_cpus, &g_top.effective_cpus));
	assert_true(np_cpuset_equal(&st.effective_mems, &g_top.effective_mems));
	np_cpuset_add(&bad.cpus, NP_MISSING_CPU);
	expect_err(c, np_cgroup_create(g_cg, zw, "g", &bad, 0, &c->err), -ERANGE, "cpuset.cpus");
	assert_false(group_exists(z));
	assert_true(group_exists(guest));
}

/* Attach mode writes into the group named and nothing else: no group made,
 * no task moved; a failure leaves the former values. */
static void test_apply_existing(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement all = all_cpus();
	struct np_cgroup_placement pl = last_cpu();
	_cleanup_free_ char *group = sub(c->base, "lxc.payload.c1");
	_cleanup_free_ char *missing = sub(c->base, "lxc.payload.c2");
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	_cleanup_free_ char *procs = NULL;
	struct np_cgroup_state st;

	assert_int_equal(np_cgroup_create(g_cg, c->base, "lxc.payload.c1", &all, 0, &c->err), 0);
	before = listing(g_parent);
	assert_int_equal(np_cgroup_apply(g_cg, group, &pl, &c->err), 0);
	assert_int_equal(np_cgroup_read(g_cg, group, &st, &c->err), 0);
	assert_true(np_cpuset_equal(&st.effective_cpus, &pl.cpus));
	np_cpuset_add(&pl.mems, NP_MISSING_CPU);
	expect_err(c, np_cgroup_apply(g_cg, group, &pl, &c->err), -ERANGE, "cpuset.mems");
	assert_int_equal(np_cgroup_read(g_cg, group, &st, &c->err), 0);
	assert_true(np_cpuset_equal(&st.effective_cpus, &pl.cpus));
	expect_err(c, np_cgroup_apply(g_cg, missing, &all, &c->err), -ENOENT, "lxc.payload.c2");
	expect_err(c, np_cgroup_apply(g_cg, "", &all, &c->err), -EINVAL, "root");
	after = listing(g_parent);
	assert_string_equal(after, before);
	procs = slurp("%s/%s/cgroup.procs", np_cgroup_mount(g_cg), group);
	assert_string_equal(procs, "");
}

static void test_update(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement all = all_cpus();
	struct np_cgroup_placement one = last_cpu();
	pid_t pid = spawn(c, 1);

	assert_int_equal(np_cgroup_create(g_cg, c->base, "g", &all, pid, &c->err), 0);
	expect_cpus_allowed(pid, &all.cpus);
	assert_int_equal(np_cgroup_update(g_cg, c->base, "g", &one, &c->err), 0);
	expect_cpus_allowed(pid, &one.cpus);
	expect_err(c, np_cgroup_update(g_cg, c->base, "nope", &one, &c->err), -ENOENT, "nope");
}

/* Live tasks stop a removal unless forced; forced, they go to the parent. */
static void test_remove_live_tasks(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *group = sub(c->base, "g");
	pid_t pid = spawn(c, 3);
	int total = 0;

	assert_int_equal(np_cgroup_create(g_cg, c->base, "g", &pl, pid, &c->err), 0);
	expect_err(c, np_cgroup_remove(g_cg, c->base, "g", false, &c->err), -EBUSY,
		   "holds 1 live task");
	assert_true(group_exists(group));
	assert_true(pid_in_group(pid, group));
	assert_int_equal(np_cgroup_remove(g_cg, c->base, "g", true, &c->err), 0);
	assert_false(group_exists(group));
	assert_int_equal(threads_in_group(pid, c->base, &total), 3);
	assert_int_equal(np_cgroup_remove(g_cg, c->base, "g", false, &c->err), 0);
}

/* Once its tasks are gone a group is removed, and really gone. */
static void test_remove_after_exit(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *group = sub(c->base, "g");
	pid_t pid = spawn(c, 1);

	assert_int_equal(np_cgroup_create(g_cg, c->base, "g", &pl, pid, &c->err), 0);
	kill_kids(c);
	assert_int_equal(np_cgroup_remove(g_cg, c->base, "g", false, &c->err), 0);
	assert_false(group_exists(group));
}

/* A group with a child group is not removed, and says so, even though
 * libcgroup reports success for it. */
static void test_remove_with_child(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *group = sub(c->base, "g");

	assert_int_equal(np_cgroup_create(g_cg, group, "sub", &pl, 0, &c->err), 0);
	expect_err(c, np_cgroup_remove(g_cg, c->base, "g", false, &c->err), -EBUSY, "/g: rmdir");
	assert_true(group_exists(group));
	assert_int_equal(np_cgroup_remove(g_cg, group, "sub", false, &c->err), 0);
	assert_int_equal(np_cgroup_remove(g_cg, c->base, "g", false, &c->err), 0);
	assert_false(group_exists(group));
}

struct worker {
	const char *parent;
	int index;
	pid_t pid;
	int created;
	int removed;
	bool landed;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct np_cgroup_placement pl = all_cpus();
	char guest[32];
	_cleanup_free_ char *group = NULL;

	snprintf(guest, sizeof(guest), "p%d", w->index);
	group = sub(w->parent, guest);
	np_cgroup_init(NULL);
	w->created = np_cgroup_create(g_cg, w->parent, guest, &pl, w->pid, NULL);
	w->landed = w->created == 0 && pid_in_group(w->pid, group);
	w->removed = np_cgroup_remove(g_cg, w->parent, guest, true, NULL);
	return NULL;
}

/* 20 create/remove pairs at once under one parent that none of them finds
 * made: all succeed, nothing is left, and cgroup_init ran once. */
static void test_parallel(void **state)
{
	struct ctx *c = *state;
	_cleanup_free_ char *parent = sub(c->base, "numaplace");
	struct worker w[NP_PARALLEL];
	pthread_t t[NP_PARALLEL];
	_cleanup_free_ char *left = NULL;
	_cleanup_free_ char *want = NULL;

	for (int i = 0; i < NP_PARALLEL; i++)
		w[i] = (struct worker){ .parent = parent, .index = i, .pid = spawn(c, 1) };
	for (int i = 0; i < NP_PARALLEL; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < NP_PARALLEL; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NP_PARALLEL; i++) {
		assert_int_equal(w[i].created, 0);
		assert_true(w[i].landed);
		assert_int_equal(w[i].removed, 0);
	}
	left = listing(parent);
	assert_true(asprintf(&want, "%s/%s\n", np_cgroup_mount(g_cg), parent) > 0);
	assert_string_equal(left, want);
	assert_int_equal(atomic_load(&g_init_calls), 1);
}

/* ---- libcgroup 2.0.2 and the kernel, directly */

static struct cgroup *lib_group(const char *name, const char *cpus, const char *mems)
{
	struct cgroup *g = cgroup_new_cgroup(name);
	struct cgroup_controller *ctl = g ? cgroup_add_controller(g, "cpuset") : NULL;

	assert_non_null(ctl);
	if (cpus)
		assert_int_equal(cgroup_add_value_string(ctl, "cpuset.cpus", cpus), 0);
	if (mems)
		assert_int_equal(cgroup_add_value_string(ctl, "cpuset.mems", mems), 0);
	return g;
}

static char *top_text(bool cpus)
{
	return np_cpulist_format(cpus ? &g_top.effective_cpus : &g_top.effective_mems);
}

/* Before cgroup_init nothing works; its first call costs a few ms. */
static void test_quirk_init_required(void **state)
{
	struct timespec t0, t1;
	char *mp = NULL;

	(void)state;
	assert_int_equal(cgroup_get_subsys_mount_point("cpuset", &mp), ECGROUPNOTINITIALIZED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cgroup_init(), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# figure: first cgroup_init() took %.3f ms\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(np_cgroup_open("/proc", &g_cg, NULL), 0);
}

/* cgroup_init clears the mount table before it reads it again: a lookup
 * made meanwhile (by another thread, in real life) fails spuriously. */
static void test_quirk_init_again_breaks_lookups(void **state)
{
	char *mp = NULL;

	(void)state;
	g_fopen_armed = true;
	assert_int_equal(cgroup_init(), 0);
	assert_false(g_fopen_armed);
	assert_int_equal(g_during_init, ECGROUPNOTEXIST);
	assert_int_equal(cgroup_get_subsys_mount_point("cpuset", &mp), 0);
	free(mp);
}

static void test_quirk_controller_version_symbol(void **state)
{
	(void)state;
	assert_non_null(dlsym(RTLD_DEFAULT, "cgroup_get_controller_version"));
}

/* cgroup_attach_task_pid writes `tasks`: one thread of three moves. */
static void test_quirk_attach_moves_one_thread(void **state)
{
	struct ctx *c = *state;
	_cleanup_free_ char *cpus = top_text(true);
	_cleanup_free_ char *mems = top_text(false);
	struct cgroup *g;
	pid_t pid = spawn(c, 3);
	int total = 0;

	if (np_cgroup_version(g_cg) != NP_CGROUP_V1)
		skip();
	g = lib_group(c->base, cpus, mems);
	assert_int_equal(cgroup_create_cgroup(g, 0), 0);
	assert_int_equal(cgroup_attach_task_pid(g, pid), 0);
	assert_int_equal(threads_in_group(pid, c->base, &total), 1);
	assert_int_equal(total, 3);
	assert_true(pid_in_group(pid, c->base));
	cgroup_free(&g);
}

/* Creating a/b with a missing: a is made with empty cpus and mems, the
 * write into b fails with EACCES, and both directories stay. */
static void test_quirk_nested_create(void **state)
{
	struct ctx *c = *state;
	_cleanup_free_ char *cpus = top_text(true);
	_cleanup_free_ char *mems = top_text(false);
	_cleanup_free_ char *ab = sub(c->base, "b");
	_cleanup_free_ char *a_cpus = NULL;
	_cleanup_free_ char *a_mems = NULL;
	struct cgroup *g;

	if (np_cgroup_version(g_cg) != NP_CGROUP_V1)
		skip();
	g = lib_group(ab, cpus, mems);
	assert_int_equal(cgroup_create_cgroup(g, 0), ECGOTHER);
	assert_int_equal(cgroup_get_last_errno(), EACCES);
	assert_true(group_exists(c->base));
	assert_true(group_exists(ab));
	a_cpus = slurp("%s/%s/cpuset.cpus", np_cgroup_mount(g_cg), c->base);
	a_mems = slurp("%s/%s/cpuset.mems", np_cgroup_mount(g_cg), c->base);
	assert_string_equal(a_cpus, "\n");
	assert_string_equal(a_mems, "\n");
	cgroup_free(&g);
}

/* cgroup_delete_cgroup_ext(EMPTY_ONLY) returns 0 and the group stays. */
static void test_quirk_delete_reports_success(void **state)
{
	struct ctx *c = *state;
	_cleanup_free_ char *cpus = top_text(true);
	_cleanup_free_ char *mems = top_text(false);
	struct cgroup *g;
	pid_t pid = spawn(c, 1);

	g = lib_group(c->base, cpus, mems);
	assert_int_equal(cgroup_create_cgroup(g, 0), 0);
	assert_int_equal(np_cgroup_move(g_cg, c->base, pid, NULL), 0);
	assert_int_equal(cgroup_delete_cgroup_ext(g, CGFLAG_DELETE_EMPTY_ONLY), 0);
	assert_true(group_exists(c->base));
	assert_true(pid_in_group(pid, c->base));
	cgroup_free(&g);
}

/* The kernel's reason is cgroup_get_last_errno() (ECGOTHER is returned),
 * and it is not reset by a later success. */
static void test_quirk_last_errno(void **state)
{
	struct ctx *c = *state;
	_cleanup_free_ char *cpus = top_text(true);
	_cleanup_free_ char *mems = top_text(false);
	char missing[16];
	struct cgroup *g;

	if (np_cgroup_version(g_cg) != NP_CGROUP_V1)
		skip();
	snprintf(missing, sizeof(missing), "%u", NP_MISSING_CPU);
	g = lib_group(c->base, missing, NULL);
	assert_int_equal(cgroup_create_cgroup(g, 0), ECGOTHER);
	assert_int_equal(cgroup_get_last_errno(), ERANGE);
	cgroup_free(&g);
	g = lib_group(c->base, "x-y", NULL);
	assert_int_equal(cgroup_modify_cgroup(g), ECGOTHER);
	assert_int_equal(cgroup_get_last_errno(), EINVAL);
	cgroup_free(&g);
	g = lib_group(c->base, NULL, NULL);
	assert_int_equal(cgroup_attach_task_pid(g, spawn(c, 1)), ECGOTHER);
	assert_int_equal(cgroup_get_last_errno(), ENOSPC);
	cgroup_free(&g);
	g = lib_group(c->base, cpus, mems);
	assert_int_equal(cgroup_modify_cgroup(g), 0);
	assert_int_equal(cgroup_get_last_errno(), ENOSPC);
	assert_int_equal(cgroup_attach_task_pid(g, dead_pid()), ECGOTHER);
	assert_int_equal(cgroup_get_last_errno(), ESRCH);
	cgroup_free(&g);
}

/* The kernel: a zombie's PID written to cgroup.procs reads as success,
 * and the zombie stays where it was. */
static void test_quirk_zombie_write_succeeds(void **state)
{
	struct ctx *c = *state;
	struct np_cgroup_placement pl = all_cpus();
	_cleanup_free_ char *path = NULL;
	const char *name = strrchr(c->base, '/') + 1;
	char value[24];
	pid_t pid = zombie_pid();
	int fd;

	assert_int_equal(np_cgroup_create(g_cg, g_parent, name, &pl, 0, &c->err), 0);
	assert_true(asprintf(&path, "%s/%s/cgroup.procs", np_cgroup_mount(g_cg), c->base) > 0);
	snprintf(value, sizeof(value), "%d", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
	assert_false(pid_in_group(pid, c->base));
	waitpid(pid, NULL, 0);
}

/* ---- main */

#define T(f) cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)&(#f)[5])

static int run_api(const char *mode)
{
	const struct CMUnitTest tests[] = {
		T(test_create_moves_process),
		T(test_create_moves_all_threads),
		T(test_missing_cpus),
		T(test_missing_mems),
		T(test_cpus_outside_parent),
		T(test_dead_pid),
		T(test_pid_dies_before_move),
		T(test_nested_parents),
		T(test_apply_existing),
		T(test_update),
		T(test_remove_live_tasks),
		T(test_remove_after_exit),
		T(test_remove_with_child),
		T(test_parallel),
	};
	_cleanup_cgroup_ struct np_cgroup *sys = NULL;
	struct np_err err = NP_ERR_INIT;

	if (np_cgroup_open("/proc", &sys, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (strcmp(mode, "files") == 0) {
		if (np_cgroup_open_at(np_cgroup_mount(sys), np_cgroup_version(sys), "/proc",
				      &g_cg, &err) < 0)
			return 1;
	} else {
		g_cg = np_steal_ptr(&sys);
	}
	printf("# cpuset hierarchy: v%d at %s, backend %s\n", (int)np_cgroup_version(g_cg),
	       np_cgroup_mount(g_cg), mode);
	if (np_cgroup_read(g_cg, g_parent, &g_top, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return cmocka_run_group_tests_name(mode, tests, NULL, NULL);
}

static int run_quirks(void)
{
	const struct CMUnitTest first[] = {
		cmocka_unit_test(test_quirk_init_required),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quirk_init_again_breaks_lookups),
		cmocka_unit_test(test_quirk_controller_version_symbol),
		T(test_quirk_attach_moves_one_thread),
		T(test_quirk_nested_create),
		T(test_quirk_delete_reports_success),
		T(test_quirk_last_errno),
		T(test_quirk_zombie_write_succeeds),
	};
	int r = cmocka_run_group_tests_name("quirks-init", first, NULL, NULL);

	if (r != 0 || !g_cg)
		return 1;
	if (np_cgroup_read(g_cg, g_parent, &g_top, NULL) < 0)
		return 1;
	return cmocka_run_group_tests_name("quirks", tests, NULL, NULL);
}

int main(int argc, char **argv)
{
	int r;

	g_parent = getenv("NP_CGROUP_TEST_PARENT");
	g_real_init = (int (*)(void))dlsym(RTLD_NEXT, "cgroup_init");
	if (argc != 2 || !g_parent || !*g_parent || !g_real_init) {
		fprintf(stderr, "usage: NP_CGROUP_TEST_PARENT=GROUP %s libcgroup|files|quirks\n",
			argv[0]);
		return 2;
	}
	r = strcmp(argv[1], "quirks") == 0 ? run_quirks() : run_api(argv[1]);
	np_cgroup_close(g_cg);
	return r;
}
