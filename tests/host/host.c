/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A manager written in C, as far as numaplace.so can tell: it knows only the
 * public header, dlopen()s the built module and drives it on the real cpuset
 * hierarchy, below a parent group unique to the run.
 *
 *   np_test_host MODULE WORKDIR CPUSET_MOUNT PARENT
 *
 * WORKDIR (empty, removed by the caller) receives the policy files and the
 * state dir; PARENT is a group below CPUSET_MOUNT that the caller removes.
 * Prints "ok - …" / "not ok - …" lines; exits 0 when every check passed.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "numaplace/plugin.h"

struct host {
	const struct numaplace_plugin *np;
	numaplace_plugin_entry_fn entry;
	const char *work;
	const char *mount;
	const char *parent;
	char state[4096];
	char cpus[256];    /* the hierarchy root's cpuset.cpus */
	char mems[256];
	unsigned first_cpu;
	unsigned last_cpu;
	unsigned first_mem;
	unsigned passes;
	unsigned fails;
};

/* Print one check's outcome; returns `ok`. */
__attribute__((format(printf, 3, 4)))
static bool check(struct host *h, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		h->passes++;
	else
		h->fails++;
	return ok;
}

static void die(const char *what)
{
	fprintf(stderr, "np_test_host: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* path = fmt..., aborting the test on overflow (paths here are short). */
__attribute__((format(printf, 3, 4)))
static void pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		die(fmt);
	}
}

/* The first line of a file without its newline, in `buf`; "" when unreadable. */
static const char *read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die(path);
}

/* Write "text" into a cgroup file; returns 0 or -errno. */
static int cg_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A group below the cpuset mount, by its path relative to the mount. */
static void group_path(const struct host *h, const char *group, char *buf, size_t size)
{
	pathf(buf, size, "%s/%s", h->mount, group);
}

static bool group_exists(const struct host *h, const char *group)
{
	char path[4096];

	group_path(h, group, path, sizeof(path));
	return exists(path);
}

/* Make `group` (its parent exists) usable: cpus and mems as given. */
static void group_make(const struct host *h, const char *group, const char *cpus, const char *mems)
{
	char dir[4096], file[4200];

	group_path(h, group, dir, sizeof(dir));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die(dir);
	pathf(file, sizeof(file), "%s/cpuset.cpus", dir);
	if (cg_write(file, cpus) < 0)
		die(file);
	pathf(file, sizeof(file), "%s/cpuset.mems", dir);
	if (cg_write(file, mems) < 0)
		die(file);
}

static void group_remove(const struct host *h, const char *group)
{
	char dir[4096];

	group_path(h, group, dir, sizeof(dir));
	if (rmdir(dir) < 0 && errno != ENOENT)
		check((struct host *)h, false, "rmdir %s: %s", dir, strerror(errno));
}

static const char *group_file(const struct host *h, const char *group, const char *file,
			      char *buf, size_t size)
{
	char path[4200];

	pathf(path, sizeof(path), "%s/%s/%s", h->mount, group, file);
	return read_line(path, buf, size);
}

/* The cpuset group of `pid` from /proc/PID/cgroup, "/a/b" form; "" when none. */
static const char *pid_group(pid_t pid, char *buf, size_t size)
{
	char path[64], line[4200];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':');
		char *grp = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!grp)
			continue;
		*grp++ = '\0';
		if (strstr(ctrl, "cpuset")) {
			grp[strcspn(grp, "\n")] = '\0';
			snprintf(buf, size, "%s", grp);
			break;
		}
	}
	fclose(f);
	return buf;
}

/* The Cpus_allowed_list of `pid`; "" when it cannot be read. */
static const char *pid_cpus(pid_t pid, char *buf, size_t size)
{
	char path[64], line[4200];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			char *v = line + 18 + strspn(line + 18, " \t");

			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, size, "%s", v);
			break;
		}
	}
	fclose(f);
	return buf;
}

/* A child that waits for SIGKILL, and dies with this program. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void sleeper_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Move `pid` into `group` (relative to the mount; "" is the root). */
static int group_move(const struct host *h, const char *group, pid_t pid)
{
	char path[4200], text[32];

	pathf(path, sizeof(path), "%s%s%s/cgroup.procs", h->mount, *group ? "/" : "", group);
	snprintf(text, sizeof(text), "%d", (int)pid);
	return cg_write(path, text);
}

/* Guest records in the state dir (NAME.json; dot files are numaplace's own). */
static unsigned records(const struct host *h)
{
	DIR *d = opendir(h->state);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strstr(e->d_name, ".json"))
			n++;
	closedir(d);
	return n;
}

static bool has_record(const struct host *h, const char *name)
{
	char path[4200];

	pathf(path, sizeof(path), "%s/%s.json", h->state, name);
	return exists(path);
}

/* Write WORKDIR/NAME.conf: the unique cgroup parent, then `body`. */
__attribute__((format(printf, 4, 5)))
static const char *config(const struct host *h, const char *name, char *path, const char *body, ...)
{
	char text[8192], rest[4096];
	va_list ap;

	va_start(ap, body);
	vsnprintf(rest, sizeof(rest), body, ap);
	va_end(ap);
	pathf(path, 4096, "%s/%s.conf", h->work, name);
	snprintf(text, sizeof(text), "[placement]\ncgroup-parent = %s/numaplace\n%s", h->parent, rest);
	write_file(path, text);
	return path;
}

/* Standard output and error sent to a file while a call runs, to prove the
 * module prints nothing. */
struct quiet {
	int saved[2];
	FILE *tmp;
};

static void quiet_begin(struct quiet *q)
{
	fflush(stdout);
	fflush(stderr);
	q->tmp = tmpfile();
	if (!q->tmp)
		die("tmpfile");
	for (int fd = 1; fd <= 2; fd++) {
		q->saved[fd - 1] = dup(fd);
		if (q->saved[fd - 1] < 0 || dup2(fileno(q->tmp), fd) < 0)
			die("dup");
	}
}

/* Restore the outputs; returns how many bytes were written meanwhile. */
static long quiet_end(struct quiet *q)
{
	long n;

	fflush(stdout);
	fflush(stderr);
	for (int fd = 1; fd <= 2; fd++) {
		dup2(q->saved[fd - 1], fd);
		close(q->saved[fd - 1]);
	}
	fseek(q->tmp, 0, SEEK_END);
	n = ftell(q->tmp);
	fclose(q->tmp);
	return n;
}

/* The highest and lowest number in a kernel list such as "0-3,8". */
static void list_bounds(const char *list, unsigned *lo, unsigned *hi)
{
	const char *p = list;

	*lo = (unsigned)strtoul(list, NULL, 10);
	*hi = *lo;
	while (*p) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			unsigned v = (unsigned)strtoul(p, &end, 10);

			if (v > *hi)
				*hi = v;
			p = end;
		} else {
			p++;
		}
	}
}

static struct numaplace_context *open_ctx(struct host *h, const char *config_path,
					  struct numaplace_open_options *opts)
{
	struct numaplace_open_options o = { .size = sizeof(o), .state_dir = h->state };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_context *ctx = NULL;

	if (!opts)
		opts = &o;
	if (!check(h, h->np->open(config_path, opts, &ctx, &err) == 0 && ctx,
		   "open %s: %s", config_path, err.message ? err.message : "ok"))
		h->np->error_clear(&err);
	return ctx;
}

static struct numaplace_request request(const char *name, pid_t pid)
{
	return (struct numaplace_request){ .size = sizeof(struct numaplace_request),
					   .name = name, .pid = pid };
}

/* --- the ABI itself ------------------------------------------------------ */

static void test_entry(struct host *h)
{
	const struct numaplace_plugin *t;

	errno = 0;
	t = h->entry(0);
	check(h, !t && errno == EPROTONOSUPPORT, "ABI version 0 is refused (EPROTONOSUPPORT)");
	errno = 0;
	t = h->entry(NUMAPLACE_ABI_VERSION + 1);
	check(h, !t && errno == EPROTONOSUPPORT, "ABI version %u (newer than the module) is refused",
	      NUMAPLACE_ABI_VERSION + 1);
	t = h->entry(1);
	if (!check(h, t != NULL, "ABI version 1 is served"))
		return;
	check(h, t->size >= sizeof(*t) && t->abi_version == 1 && t->abi_max >= NUMAPLACE_ABI_VERSION,
	      "table: size %zu, abi_version %u, abi_max %u, version %s", t->size, t->abi_version,
	      t->abi_max, t->version ? t->version : "(null)");
	check(h, t->open && t->place && t->reserve && t->advise && t->release && t->close &&
	      t->result_clear && t->error_clear, "every function of the table is there");
}

/* Structs sized for an older or a newer ABI. */
static void test_sizes(struct host *h)
{
	struct {
		struct numaplace_open_options o;
		unsigned long long future;
	} big = { .o = { .size = sizeof(big), .state_dir = h->state }, .future = 1 };
	struct numaplace_open_options small = { .size = sizeof(size_t) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_context *ctx = NULL;
	struct quiet q;
	int r;

	quiet_begin(&q);
	r = h->np->open(NULL, &small, &ctx, &err);
	check(h, quiet_end(&q) == 0 && r == -EINVAL && err.input && !ctx && err.message &&
	      strstr(err.message, "size"), "options smaller than ABI 1 are refused: %s",
	      err.message ? err.message : "(no message)");
	r = h->np->open(NULL, &big.o, &ctx, &err);
	check(h, r == -E2BIG && err.code == -E2BIG && !ctx,
	      "options with members this module does not know are refused: %s",
	      err.message ? err.message : "(no message)");
	h->np->error_clear(&err);
	check(h, err.code == 0 && !err.message && !err.input, "error_clear resets the error");
}

/* A missing config, a bad config and a sysfs directory as topology fail
 * with a code and a message, and print nothing. */
static void test_open_errors(struct host *h)
{
	struct numaplace_open_options o = { .size = sizeof(o), .state_dir = h->state };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_context *ctx = NULL;
	char missing[4096], bad[4096];
	struct quiet q;
	long printed;
	int r;

	pathf(missing, sizeof(missing), "%s/missing.conf", h->work);
	quiet_begin(&q);
	r = h->np->open(missing, &o, &ctx, &err);
	printed = quiet_end(&q);
	check(h, r < 0 && r == err.code && err.input && !ctx && err.message &&
	      strstr(err.message, "missing.conf"), "a missing config: code %d input %d: %s", r,
	      err.input, err.message ? err.message : "(no message)");
	check(h, printed == 0, "a missing config prints nothing (%ld bytes)", printed);

	config(h, "bad", bad, "no-such-key = 1\n");
	quiet_begin(&q);
	r = h->np->open(bad, &o, &ctx, &err);
	printed = quiet_end(&q);
	check(h, r < 0 && err.input && !ctx && printed == 0 && err.message &&
	      strstr(err.message, "bad.conf"), "a bad config: %s", err.message ? err.message : "");

	o.topology = h->work;
	r = h->np->open(NULL, &o, &ctx, &err);
	check(h, r == -EINVAL && err.input && !ctx, "a topology directory is refused: %s",
	      err.message ? err.message : "");
	h->np->error_clear(&err);
}

/* --- a whole lifecycle ---------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned log_placed;

static void log_cb(enum numaplace_log_level level, const char *message, void *data)
{
	const char *name = data;

	pthread_mutex_lock(&log_lock);
	if (level == NUMAPLACE_LOG_INFO && strncmp(message, "placed ", 7) == 0 &&
	    strncmp(message + 7, name, strlen(name)) == 0)
		log_placed++;
	pthread_mutex_unlock(&log_lock);
}

/* Check where `pid` is and what it may run on after a placement. */
static void check_placed(struct host *h, pid_t pid, const char *group, const char *cpus)
{
	char want[4200], got[4200], allowed[256], file[256];

	pathf(want, sizeof(want), "/%s", group);
	pid_group(pid, got, sizeof(got));
	check(h, strcmp(got, want) == 0, "pid %d is in %s (got %s)", (int)pid, want, got);
	pid_cpus(pid, allowed, sizeof(allowed));
	check(h, strcmp(allowed, cpus) == 0, "pid %d Cpus_allowed_list %s (want %s)", (int)pid,
	      allowed, cpus);
	group_file(h, group, "cpuset.cpus", file, sizeof(file));
	check(h, strcmp(file, cpus) == 0, "%s/cpuset.cpus is %s (want %s)", group, file, cpus);
}

static void test_place_again(struct host *h, struct numaplace_context *ctx, pid_t a)
{
	struct numaplace_request req = request("np-host-a", a);
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	pid_t b = sleeper();
	int r;

	r = h->np->place(ctx, &req, &res, &err);
	check(h, r == 0 && res.noop, "the same name and pid again is a no-op");
	h->np->result_clear(&res);
	req.pid = b;
	r = h->np->place(ctx, &req, &res, &err);
	check(h, r == -EBUSY && !err.input && err.message && !res.cpus,
	      "the same name with another live pid is refused: %s", err.message ? err.message : "");
	sleeper_kill(b);
	r = h->np->release(ctx, "np-host-a", 0, &err);
	check(h, r == -EBUSY && has_record(h, "np-host-a"),
	      "release of a group with a live task is refused without force: %s",
	      err.message ? err.message : "");
	h->np->error_clear(&err);
}

static void test_create(struct host *h)
{
	struct numaplace_open_options o = { .size = sizeof(o), .state_dir = h->state,
					    .log = log_cb, .log_data = "np-host-a" };
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_request req;
	struct numaplace_context *ctx;
	char path[4096], group[4096];
	pid_t a = sleeper();

	ctx = open_ctx(h, config(h, "life", path, "%s", ""), &o);
	pathf(group, sizeof(group), "%s/numaplace/np-host-a", h->parent);
	req = request("np-host-a", a);
	if (ctx && check(h, h->np->place(ctx, &req, &res, &err) == 0, "place np-host-a pid %d: %s",
			 (int)a, err.message ? err.message : "ok")) {
		check(h, res.cgroup && strcmp(res.cgroup, group) == 0 && !res.noop &&
		      strcmp(res.advisor, "builtin") == 0 && strcmp(res.memory_mode, "strict") == 0,
		      "result: cpus=%s mems=%s nodes=%s advisor=%s cgroup=%s", res.cpus, res.mems,
		      res.nodes, res.advisor, res.cgroup ? res.cgroup : "(null)");
		check_placed(h, a, group, res.cpus);
		check(h, has_record(h, "np-host-a"), "the reservation is recorded");
		check(h, log_placed == 1, "the log callback heard the placement once (%u)", log_placed);
		test_place_again(h, ctx, a);
	}
	h->np->result_clear(&res);
	sleeper_kill(a);
	check(h, ctx && h->np->release(ctx, "np-host-a", 0, &err) == 0,
	      "release np-host-a once its process is gone: %s", err.message ? err.message : "ok");
	check(h, !group_exists(h, group) && !has_record(h, "np-host-a"), "no group, no record left");
	check(h, ctx && h->np->release(ctx, "np-host-a", 0, &err) == 0,
	      "releasing a guest that is not placed is not an error");
	h->np->error_clear(&err);
	h->np->close(ctx);
}

/* Force moves live tasks back to the group they came from (issue 17
 * item 7) before the group goes. */
static void test_force(struct host *h)
{
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_request req;
	struct numaplace_context *ctx;
	char path[4096], group[4096], got[4096], from[4096];
	pid_t b = sleeper();

	ctx = open_ctx(h, config(h, "life", path, "%s", ""), NULL);
	pathf(group, sizeof(group), "%s/numaplace/np-host-b", h->parent);
	req = request("np-host-b", b);
	pid_group(b, from, sizeof(from));
	if (ctx && check(h, h->np->place(ctx, &req, &res, &err) == 0, "place np-host-b: %s",
			 err.message ? err.message : "ok")) {
		check(h, h->np->release(ctx, "np-host-b", NUMAPLACE_RELEASE_FORCE, &err) == 0,
		      "release --force with a live task: %s", err.message ? err.message : "ok");
		check(h, !group_exists(h, group) && !has_record(h, "np-host-b"),
		      "forced release leaves no group and no record");
		pid_group(b, got, sizeof(got));
		check(h, strcmp(got, from) == 0, "the live task went back to %s, where it came from "
		      "(got %s)", from, got);
	}
	group_move(h, "", b);
	sleeper_kill(b);
	h->np->result_clear(&res);
	h->np->error_clear(&err);
	h->np->close(ctx);
}

/* NUMAPLACE_TARGET_GROUP: the caller's own group gets the cpuset; the
 * process stays where it is, and release leaves the group alone. */
static void test_target_group(struct host *h)
{
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct numaplace_request req;
	struct numaplace_context *ctx;
	char path[4096], own[4096], want[16];
	pid_t c = sleeper();

	pathf(own, sizeof(own), "%s/own", h->parent);
	group_make(h, own, h->cpus, h->mems);
	if (group_move(h, own, c) < 0)
		die("move into own group");
	snprintf(want, sizeof(want), "%u", h->last_cpu);
	ctx = open_ctx(h, config(h, "group", path, "[guest np-host-own]\nadvisor = static\n"
				 "cpus = %u\nmems = %u\n", h->last_cpu, h->first_mem), NULL);
	req = request("np-host-own", c);
	req.target = NUMAPLACE_TARGET_GROUP;
	req.group = own;
	if (ctx && check(h, h->np->place(ctx, &req, &res, &err) == 0, "place np-host-own into %s: %s",
			 own, err.message ? err.message : "ok")) {
		check(h, strcmp(res.cpus, want) == 0 && strcmp(res.advisor, "static") == 0 &&
		      res.cgroup && strcmp(res.cgroup, own) == 0, "static result cpus=%s cgroup=%s",
		      res.cpus, res.cgroup ? res.cgroup : "(null)");
		check_placed(h, c, own, want);
		check(h, h->np->release(ctx, "np-host-own", 0, &err) == 0 &&
		      group_exists(h, own) && !has_record(h, "np-host-own"),
		      "release forgets the record and leaves the caller's group: %s",
		      err.message ? err.message : "ok");
	}
	sleeper_kill(c);
	group_remove(h, own);
	h->np->result_clear(&res);
	h->np->error_clear(&err);
	h->np->close(ctx);
}

/* --- placements that fail part-way --------------------------------------- */

/* Place `req` expecting failure: a code, a message, nothing printed, and
 * neither `group` nor a record of the guest left. */
static void expect_fail(struct host *h, struct numaplace_context *ctx,
			const struct numaplace_request *req, const char *group, const char *what)
{
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;
	struct quiet q;
	long printed;
	int r;

	quiet_begin(&q);
	r = h->np->place(ctx, req, &res, &err);
	printed = quiet_end(&q);
	check(h, r < 0 && r == err.code && err.message && *err.message && !res.cpus,
	      "%s fails: code %d input %d: %s", what, r, err.input,
	      err.message ? err.message : "(no message)");
	check(h, printed == 0, "%s prints nothing (%ld bytes)", what, printed);
	check(h, !has_record(h, req->name), "%s leaves no reservation", what);
	check(h, !group || !group_exists(h, group), "%s leaves no group %s", what,
	      group ? group : "");
	h->np->error_clear(&err);
}

/* The group's parent admits only the first CPU; the static rule asks for
 * the last: the write fails after the group was made, which is undone. */
static void test_narrow_parent(struct host *h, struct numaplace_context *ctx, pid_t pid)
{
	struct numaplace_request req = request("np-host-narrow", pid);
	char narrow[4096], group[4200], first[16], before[4096], after[4096];

	if (h->first_cpu == h->last_cpu) {
		check(h, true, "# a one-CPU machine: no narrow-parent case");
		return;
	}
	snprintf(first, sizeof(first), "%u", h->first_cpu);
	pathf(narrow, sizeof(narrow), "%s/narrow", h->parent);
	pathf(group, sizeof(group), "%s/np-host-narrow", narrow);
	group_make(h, narrow, first, h->mems);
	pid_group(pid, before, sizeof(before));
	expect_fail(h, ctx, &req, group, "a cpuset its parent group refuses");
	pid_group(pid, after, sizeof(after));
	check(h, strcmp(before, after) == 0, "the process stayed in %s (now %s)", before, after);
	group_remove(h, narrow);
}

static void test_partway(struct host *h)
{
	struct numaplace_request req;
	struct numaplace_context *ctx;
	char path[4096], lack[4200], missing[4200];
	pid_t pid = sleeper(), dead;

	ctx = open_ctx(h, config(h, "partway", path,
				 "[guest np-host-lack]\nadvisor = static\ncpus = 8191\n"
				 "[guest np-host-narrow]\nadvisor = static\ncpus = %u\nmems = %u\n"
				 "cgroup-parent = %s/narrow\n",
				 h->last_cpu, h->first_mem, h->parent), NULL);
	if (!ctx) {
		sleeper_kill(pid);
		return;
	}
	pathf(lack, sizeof(lack), "%s/numaplace/np-host-lack", h->parent);
	req = request("np-host-lack", pid);
	expect_fail(h, ctx, &req, lack, "a static rule with a CPU the machine lacks");

	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	req = request("np-host-dead", dead);
	expect_fail(h, ctx, &req, NULL, "a pid that is gone");

	pathf(missing, sizeof(missing), "%s/no-such-group", h->parent);
	req = request("np-host-nogroup", pid);
	req.target = NUMAPLACE_TARGET_GROUP;
	req.group = missing;
	expect_fail(h, ctx, &req, missing, "a target group that does not exist");

	test_narrow_parent(h, ctx, pid);
	sleeper_kill(pid);
	h->np->close(ctx);
}

/* --- several threads at once --------------------------------------------- */

#define NTHREADS 8
#define CAPACITY 3 /* cpu-overcommit 3 over a pool of one CPU */

struct worker {
	struct host *h;
	struct numaplace_context *ctx;
	pthread_barrier_t *start;
	char name[32];
	pid_t pid;
	int rc;
	bool input;
	char *message;
	char *cpus;
	char *cgroup;
};

static void *worker_place(void *arg)
{
	struct worker *w = arg;
	struct numaplace_request req = request(w->name, w->pid);
	struct numaplace_result res = { .size = sizeof(res) };
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;

	pthread_barrier_wait(w->start);
	w->rc = w->h->np->place(w->ctx, &req, &res, &err);
	w->input = err.input;
	w->message = err.message;
	w->cpus = res.cpus;
	w->cgroup = res.cgroup;
	res.cpus = NULL;
	res.cgroup = NULL;
	w->h->np->result_clear(&res);
	return NULL;
}

static void *worker_release(void *arg)
{
	struct worker *w = arg;
	struct numaplace_error err = NUMAPLACE_ERROR_INIT;

	pthread_barrier_wait(w->start);
	w->rc = w->h->np->release(w->ctx, w->name, NUMAPLACE_RELEASE_FORCE, &err);
	w->message = err.message;
	return NULL;
}

static void run_workers(struct worker *w, void *(*fn)(void *))
{
	pthread_barrier_t start;
	pthread_t t[NTHREADS];

	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		free(w[i].message);
		w[i].message = NULL;
		w[i].start = &start;
		if (pthread_create(&t[i], NULL, fn, &w[i]) != 0)
			die("pthread_create");
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
}

static void check_workers_placed(struct host *h, struct worker *w)
{
	unsigned placed = 0, nofit = 0;

	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].rc == 0) {
			placed++;
			check_placed(h, w[i].pid, w[i].cgroup, w[i].cpus);
		} else if (w[i].message && strstr(w[i].message, "no fit") && !w[i].input) {
			nofit++;
		} else {
			check(h, false, "%s: unexpected failure %d: %s", w[i].name, w[i].rc,
			      w[i].message ? w[i].message : "(no message)");
		}
	}
	check(h, placed == CAPACITY && nofit == NTHREADS - CAPACITY,
	      "%d concurrent places over two contexts: %u placed, %u no fit (capacity %d)",
	      NTHREADS, placed, nofit, CAPACITY);
	check(h, records(h) == CAPACITY, "%u records for %d placed guests", records(h), CAPACITY);
}

static void test_threads(struct host *h)
{
	struct numaplace_context *ctx[2];
	struct worker w[NTHREADS] = { 0 };
	char path[4096];
	unsigned released = 0;

	config(h, "threads", path, "cpus = %u\ncpu-overcommit = %d\n", h->first_cpu, CAPACITY);
	ctx[0] = open_ctx(h, path, NULL);
	ctx[1] = open_ctx(h, path, NULL);
	if (!ctx[0] || !ctx[1])
		goto out;
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .h = h, .ctx = ctx[i % 2], .pid = sleeper() };
		snprintf(w[i].name, sizeof(w[i].name), "np-host-t%d", i);
	}
	run_workers(w, worker_place);
	check_workers_placed(h, w);
	run_workers(w, worker_release);
	for (int i = 0; i < NTHREADS; i++) {
		released += w[i].rc == 0;
		group_move(h, "", w[i].pid);
		sleeper_kill(w[i].pid);
		free(w[i].message);
		free(w[i].cpus);
		free(w[i].cgroup);
	}
	check(h, released == NTHREADS && records(h) == 0,
	      "%u of %d concurrent releases succeeded, %u records left", released, NTHREADS,
	      records(h));
out:
	h->np->close(ctx[0]);
	h->np->close(ctx[1]);
}

/* Nothing of the guests may remain below PARENT/numaplace. */
static void test_nothing_left(struct host *h)
{
	char dir[4200];
	unsigned left = 0;
	struct dirent *e;
	DIR *d;

	pathf(dir, sizeof(dir), "%s/%s/numaplace", h->mount, h->parent);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.')
			left++;
	if (d)
		closedir(d);
	check(h, left == 0 && records(h) == 0, "nothing left: %u groups below %s, %u records",
	      left, dir, records(h));
}

static void host_init(struct host *h, char **argv)
{
	char path[4200];
	void *mod = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);

	if (!mod) {
		fprintf(stderr, "np_test_host: %s\n", dlerror());
		exit(2);
	}
	h->entry = (numaplace_plugin_entry_fn)dlsym(mod, NUMAPLACE_PLUGIN_ENTRY);
	h->np = h->entry ? h->entry(NUMAPLACE_ABI_VERSION) : NULL;
	if (!h->np) {
		fprintf(stderr, "np_test_host: %s: no ABI %u table\n", argv[1], NUMAPLACE_ABI_VERSION);
		exit(2);
	}
	h->work = argv[2];
	h->mount = argv[3];
	h->parent = argv[4];
	pathf(h->state, sizeof(h->state), "%s/state", h->work);
	pathf(path, sizeof(path), "%s/cpuset.cpus", h->mount);
	read_line(path, h->cpus, sizeof(h->cpus));
	pathf(path, sizeof(path), "%s/cpuset.mems", h->mount);
	read_line(path, h->mems, sizeof(h->mems));
	list_bounds(h->cpus, &h->first_cpu, &h->last_cpu);
	list_bounds(h->mems, &h->first_mem, &(unsigned){ 0 });
}

int main(int argc, char **argv)
{
	struct host h = { 0 };

	if (argc != 5) {
		fprintf(stderr, "usage: np_test_host MODULE WORKDIR CPUSET_MOUNT PARENT\n");
		return 2;
	}
	host_init(&h, argv);
	test_entry(&h);
	test_sizes(&h);
	test_open_errors(&h);
	test_create(&h);
	test_force(&h);
	test_target_group(&h);
	test_partway(&h);
	test_threads(&h);
	test_nothing_left(&h);
	printf("%u passed, %u failed\n", h.passes, h.fails);
	return h.fails == 0 && h.passes > 0 ? 0 : 1;
}
