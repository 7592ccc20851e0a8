/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_TEST_LEDGER_H
#define NUMAPLACE_TEST_LEDGER_H

/*
 * Records and paused writers for the ledger tests: a child process that
 * takes the lock and stops for good at a pause point, to be killed there.
 * Include after <cmocka.h>.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger.h"
#include "record.h"

/* Long enough that a test under load never waits it out; only a lock
 * that is truly held by a paused process runs into it. */
#define LONG_WAIT_MS (10u * 60u * 1000u)

struct fixture {
	char root[64];   /* temporary directory */
	char dir[96];    /* the state dir below it, not created yet */
};

/* A temporary directory and the state dir below it (not created). */
static inline int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	strcpy(fx->root, "/tmp/np-ledger-XXXXXX");
	if (!mkdtemp(fx->root))
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/state", fx->root);
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* A read-write ledger on `dir` with lock timeout `timeout_ms`. */
static inline struct np_ledger *open_ledger(const char *dir, uint64_t timeout_ms)
{
	struct np_ledger_options opts = { .lock_timeout_ms = timeout_ms };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;

	if (np_ledger_open(dir, &opts, &l, &err) < 0)
		fail_msg("open %s: %s", dir, err.msg);
	return l;
}

/* A small valid record: cpus 0-1, node 0, `vcpus` vcpus. */
static inline void make_record(struct np_record *rec, const char *name, unsigned vcpus)
{
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->name, name);
	rec->phase = NP_PHASE_RESERVED;
	rec->vcpus = vcpus;
	np_cpuset_add_range(&rec->cpus, 0, 1);
	np_cpuset_add(&rec->mems, 0);
	np_cpuset_add(&rec->nodes, 0);
	rec->reason = strdup("test");
	rec->time = 1700000000;
}

/* In a child: die when the test process does. */
static inline void die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(99);
}

/* What a child told its parent through a pipe: the pause point reached. */
struct hook {
	const char *point;
	int fd;
};

/* The pause hook as the CLI wires it: at the chosen point, say so and
 * sleep until killed. */
static inline void pause_hook(const char *point, void *data)
{
	struct hook *h = data;

	if (strcmp(point, h->point) != 0)
		return;
	if (write(h->fd, point, strlen(point)) < 0)
		_exit(3);
	for (;;)
		pause();
}

/* Fork a child that opens the ledger, takes the lock and, when `name` is
 * set, writes that record; it stops for good at pause point `point`.
 * Returns its pid once it is there. */
static inline pid_t spawn_paused(const char *dir, const char *point, const char *name)
{
	pid_t parent = getpid();
	char got[64] = { 0 };
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		die_with_parent(parent);
		struct hook h = { point, p[1] };
		struct np_ledger_options opts = { .lock_timeout_ms = LONG_WAIT_MS,
						  .pause = pause_hook, .pause_data = &h };
		struct np_ledger *l = NULL;
		struct np_record rec;

		close(p[0]);
		if (np_ledger_open(dir, &opts, &l, NULL) < 0 || np_ledger_lock(l, NULL) < 0)
			_exit(1);
		make_record(&rec, name ? name : "x", 9);
		if (name && np_ledger_write(l, &rec, NULL) < 0)
			_exit(2);
		_exit(4);
	}
	close(p[1]);
	assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen(point));
	assert_string_equal(got, point);
	close(p[0]);
	return pid;
}

/* Kill a paused child and reap it. */
static inline void kill_reap(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

#endif
