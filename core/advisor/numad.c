/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "numad.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "quote.h"

extern char **environ;

#define NP_MIB (UINT64_C(1) << 20)
/* Bytes of numad's output quoted in an error message. */
#define NP_NUMAD_QUOTE_MAX 80u
/* How often a child that closed its output is looked at. */
#define NP_NUMAD_POLL_MS 5u

/* Output of one stream of the child, bounded by NP_NUMAD_OUTPUT_MAX. */
struct np_numad_buf {
	char *data;
	size_t len;
	bool overflow;
};

struct np_numad_child {
	pid_t pid;
	int fds[2];                    /* read ends: stdout, stderr */
	struct np_numad_buf bufs[2];
};

int np_numad_arg(unsigned vcpus, uint64_t memory, char **out, struct np_err *err)
{
	uint64_t mib = memory / NP_MIB + (memory % NP_MIB != 0);
	char *arg = NULL;

	if (vcpus == 0)
		vcpus = 1;
	/* numad reads NCPUS into an int scaled by 100, and MB into an int. */
	if (vcpus > INT_MAX / 100)
		return np_err_input(err, "numad: %u vcpus is more than numad can take", vcpus);
	if (mib > INT_MAX)
		return np_err_input(err, "numad: %" PRIu64 " MiB is more than numad can take", mib);
	if (asprintf(&arg, "%u:%" PRIu64, vcpus, mib) < 0)
		return np_err_set(err, -ENOMEM, "numad: out of memory");
	*out = arg;
	return 0;
}

static int np_numad_parse_num(const char **pos, const char *end, unsigned *out)
{
	const char *s = *pos;
	unsigned v = 0;

	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		v = v * 10u + (unsigned)(*s - '0');
		if (v >= NP_CPUSET_MAX)
			return -ERANGE;
	}
	*pos = s;
	*out = v;
	return 0;
}

/* list := range (',' range)* ; range := num | num '-' num, lo <= hi. */
static int np_numad_parse_list(const char *s, const char *end, struct np_cpuset *out)
{
	np_cpuset_zero(out);
	for (;;) {
		unsigned lo, hi;

		if (np_numad_parse_num(&s, end, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			if (np_numad_parse_num(&s, end, &hi) < 0 || hi < lo)
				return -EINVAL;
		}
		np_cpuset_add_range(out, lo, hi);
		if (s == end)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

static int np_numad_check_nodes(const struct np_cpuset *set, const struct np_topology *topo,
				struct np_err *err)
{
	for (int id = np_cpuset_next(set, 0); id >= 0; id = np_cpuset_next(set, (unsigned)id + 1)) {
		int idx = np_topology_node_index(topo, (unsigned)id);

		if (idx < 0)
			return np_err_set(err, -ENXIO, "numad answered node %d, which this machine does not have", id);
		if (np_cpuset_empty(&topo->nodes[idx].cpus))
			return np_err_set(err, -ENXIO, "numad answered node %d, which has no CPUs", id);
	}
	return 0;
}

int np_numad_parse(const char *text, size_t len, const struct np_topology *topo,
		   struct np_cpuset *nodes, struct np_err *err)
{
	size_t n = len > 0 && text[len - 1] == '\n' ? len - 1 : len;
	struct np_cpuset set;
	int r;

	if (n == 0)
		return np_err_set(err, -EPROTO, "numad printed no node list");
	if (np_numad_parse_list(text, text + n, &set) < 0) {
		_cleanup_free_ char *q = np_quote_string(text, NP_NUMAD_QUOTE_MAX);

		return np_err_set(err, -EPROTO, "numad printed %s, not a node list", q ? q : "garbage");
	}
	r = np_numad_check_nodes(&set, topo, err);
	if (r < 0)
		return r;
	*nodes = set;
	return 0;
}

static int np_numad_lock(const char *path, uint64_t deadline, int *fd_out, struct np_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r;

	if (fd < 0)
		return np_err_set(err, -errno, "numad lock %s: %s", path, strerror(errno));
	r = np_clock_flock_until(fd, deadline);
	if (r < 0)
		close(fd);
	if (r == -EWOULDBLOCK)
		return np_err_set(err, -ETIMEDOUT,
				  "numad lock %s: another numad call held it for the whole timeout", path);
	if (r < 0)
		return np_err_set(err, r, "numad lock %s: %s", path, strerror(-r));
	*fd_out = fd;
	return 0;
}

static int np_numad_spawn(const char *numad, char *const argv[], const int wfds[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int r;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGQUIT);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, wfds[0], 1);
	posix_spawn_file_actions_adddup2(&fa, wfds[1], 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	r = posix_spawnp(pid, numad, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* Read what is there; 0 at end of file, 1 otherwise, or a negative errno. */
static int np_numad_buf_read(int fd, struct np_numad_buf *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	size_t take;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0)
		return 0;
	take = (size_t)n;
	if (b->len + take > NP_NUMAD_OUTPUT_MAX) {
		take = NP_NUMAD_OUTPUT_MAX - b->len;
		b->overflow = true;
	}
	if (take > 0) {
		char *p = realloc(b->data, b->len + take + 1);

		if (!p)
			return -ENOMEM;
		memcpy(p + b->len, chunk, take);
		b->data = p;
		b->len += take;
		p[b->len] = '\0';
	}
	return 1;
}

/* Read each stream poll found ready; close it at end of file. */
static int np_numad_drain(struct np_numad_child *c, const struct pollfd p[2])
{
	for (unsigned i = 0; i < 2; i++) {
		int r;

		if (c->fds[i] < 0 || !p[i].revents)
			continue;
		r = np_numad_buf_read(c->fds[i], &c->bufs[i]);
		if (r < 0)
			return r;
		if (r == 0) {
			close(c->fds[i]);
			c->fds[i] = -1;
		}
	}
	return 0;
}

/* Read stdout and stderr to end of file, or fail with -ETIMEDOUT. */
static int np_numad_collect(struct np_numad_child *c, uint64_t deadline)
{
	while (c->fds[0] >= 0 || c->fds[1] >= 0) {
		struct pollfd p[2] = { { c->fds[0], POLLIN, 0 }, { c->fds[1], POLLIN, 0 } };
		uint64_t left = np_clock_left_ms(deadline);
		int r;

		if (left == 0)
			return -ETIMEDOUT;
		r = poll(p, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		r = np_numad_drain(c, p);
		if (r < 0)
			return r;
	}
	return 0;
}

static int np_numad_reap(pid_t pid, uint64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (np_clock_left_ms(deadline) == 0)
			return -ETIMEDOUT;
		np_clock_sleep_ms(NP_NUMAD_POLL_MS);
	}
}

/* Kill the child's whole process group (its id is the child's pid) and reap it. */
static void np_numad_kill(pid_t pid)
{
	kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* What numad said, quoted: stderr when it wrote there, else stdout. */
static char *np_numad_said(const struct np_numad_child *c)
{
	const struct np_numad_buf *b = c->bufs[1].len > 0 ? &c->bufs[1] : &c->bufs[0];

	if (b->len == 0)
		return strdup("nothing");
	return np_quote_string(b->data, NP_NUMAD_QUOTE_MAX);
}

static int np_numad_status(const struct np_numad_child *c, int status, struct np_err *err)
{
	_cleanup_free_ char *said = np_numad_said(c);

	if (WIFSIGNALED(status))
		return np_err_set(err, -EIO, "numad was killed by signal %d (%s) and printed %s",
				  WTERMSIG(status), strsignal(WTERMSIG(status)), said ? said : "?");
	if (WEXITSTATUS(status) != 0)
		return np_err_set(err, -EIO, "numad exited with status %d and printed %s",
				  WEXITSTATUS(status), said ? said : "?");
	if (c->bufs[0].overflow || c->bufs[1].overflow)
		return np_err_set(err, -EPROTO, "numad printed more than %u bytes", NP_NUMAD_OUTPUT_MAX);
	return 0;
}

/* Wait for the spawned child within the deadline, then judge its answer. */
static int np_numad_finish(struct np_numad_child *c, uint64_t deadline, uint64_t timeout_ms,
			   const struct np_topology *topo, struct np_cpuset *nodes, struct np_err *err)
{
	int status = 0;
	int r = np_numad_collect(c, deadline);

	if (r == 0)
		r = np_numad_reap(c->pid, deadline, &status);
	if (r < 0) {
		np_numad_kill(c->pid);
		if (r == -ETIMEDOUT)
			return np_err_set(err, r, "numad gave no answer within %" PRIu64 " ms; killed it",
					  timeout_ms);
		return np_err_set(err, r, "numad: reading its answer: %s", strerror(-r));
	}
	r = np_numad_status(c, status, err);
	if (r < 0)
		return r;
	return np_numad_parse(c->bufs[0].data ? c->bufs[0].data : "", c->bufs[0].len, topo, nodes, err);
}

static void np_numad_child_clear(struct np_numad_child *c)
{
	for (unsigned i = 0; i < 2; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		free(c->bufs[i].data);
	}
}

static int np_numad_exec(const char *numad, char *arg, uint64_t deadline, uint64_t timeout_ms,
			 const struct np_topology *topo, struct np_cpuset *nodes, struct np_err *err)
{
	char *argv[] = { (char *)numad, (char *)"-w", arg, NULL };
	struct np_numad_child c = { .fds = { -1, -1 } };
	int out[2], errp[2], r;

	if (pipe2(out, O_CLOEXEC) < 0)
		return np_err_set(err, -errno, "numad: pipe: %s", strerror(errno));
	if (pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		close(out[0]);
		close(out[1]);
		return np_err_set(err, r, "numad: pipe: %s", strerror(-r));
	}
	c.fds[0] = out[0];
	c.fds[1] = errp[0];
	r = np_numad_spawn(numad, argv, (const int[]){ out[1], errp[1] }, &c.pid);
	close(out[1]);
	close(errp[1]);
	if (r < 0)
		np_err_set(err, r, "cannot run %s: %s", numad, strerror(-r));
	else
		r = np_numad_finish(&c, deadline, timeout_ms, topo, nodes, err);
	np_numad_child_clear(&c);
	return r;
}

/* `numad` as a path: itself when it holds a '/', else the first
 * executable of that name in $PATH. Heap string; NULL when not found. */
static char *np_numad_which(const char *numad)
{
	const char *path = getenv("PATH");

	if (strchr(numad, '/'))
		return strdup(numad);
	for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		char *cand = NULL;

		if (asprintf(&cand, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", numad) < 0)
			return NULL;
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* True when `path` is the running program (the same file as /proc/self/exe). */
static bool np_numad_is_self(const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int np_numad_resolve(const char *numad, char **out, struct np_err *err)
{
	_cleanup_free_ char *path = np_numad_which(numad);

	if (!path || !np_numad_is_self(path)) {
		*out = path ? np_steal_ptr(&path) : strdup(numad);
		return *out ? 0 : np_err_set(err, -ENOMEM, "out of memory");
	}
	if (access(NP_NUMAD_DISTRIB, X_OK) != 0 || np_numad_is_self(NP_NUMAD_DISTRIB))
		return np_err_set(err, -ELOOP, "numad %s is numaplace itself and there is no "
				  "real numad at " NP_NUMAD_DISTRIB, path);
	*out = strdup(NP_NUMAD_DISTRIB);
	return *out ? 0 : np_err_set(err, -ENOMEM, "out of memory");
}

int np_numad_run(const char *numad, const char *lock_path, uint64_t timeout_ms,
		 const struct np_topology *topo, unsigned vcpus, uint64_t memory,
		 struct np_cpuset *nodes, struct np_err *err)
{
	_cleanup_free_ char *arg = NULL, *real = NULL;
	_cleanup_close_ int lock_fd = -1;
	uint64_t deadline;
	int r;

	if (timeout_ms == 0)
		return np_err_input(err, "numad-timeout must be more than 0");
	r = np_numad_arg(vcpus, memory, &arg, err);
	if (r == 0)
		r = np_numad_resolve(numad, &real, err);
	if (r < 0)
		return r;
	deadline = np_clock_deadline_ms(timeout_ms);
	if (lock_path) {
		r = np_numad_lock(lock_path, deadline, &lock_fd, err);
		if (r < 0)
			return r;
	}
	return np_numad_exec(real, arg, deadline, timeout_ms, topo, nodes, err);
}

void np_numad_ask(const struct np_settings *settings, const char *lock_path,
		  const struct np_topology *topo, unsigned vcpus, uint64_t memory,
		  struct np_numad_answer *out)
{
	const char *numad = settings->numad ? settings->numad : "numad";

	np_numad_answer_clear(out);
	np_numad_run(numad, lock_path, settings->numad_timeout_ms, topo, vcpus, memory,
		     &out->nodes, &out->err);
}

void np_numad_answer_clear(struct np_numad_answer *answer)
{
	np_err_clear(&answer->err);
	np_cpuset_zero(&answer->nodes);
}
