/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/numad: the -w argument, the strict parser, and runs against stand-in
 * scripts written here (one hangs, one crashes, one prints garbage, one a
 * node the machine lacks, one a good answer) and against the real numad.
 * Each fault must end near its timeout (checked only as a loose safety
 * bound) and the configured fallback must decide instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "numad.h"
#include "np_test_topology.h"

#define MIB (UINT64_C(1) << 20)
/* Generous slack over a timeout before a run counts as hung: a safety
 * bound for a loaded machine, not what the tests are about. */
#define SLACK_MS 10000u

static char dir[] = "/tmp/np-numad-test-XXXXXX";

/* Node 0: CPUs 0-1, node 1: CPUs 2-3, node 2: no CPU. */
static struct np_topology *machine(void)
{
	return np_test_topology(&(struct np_test_machine){
		3, NULL, (unsigned[]){ 2, 2, 0 }, (uint64_t[]){ 4 * NP_GIB, 4 * NP_GIB, 4 * NP_GIB },
		NULL, 1 });
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static char *path_of(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* Write an executable shell script `name` with `body`; its path (heap). */
static char *script(const char *name, const char *body)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *p = path_of(name);
	_cleanup_fclose_ FILE *f = fopen(p, "r");
	char *text = calloc(1, 4096);

	assert_non_null(f);
	assert_non_null(text);
	assert_true(fread(text, 1, 4095, f) > 0);
	return text;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = NULL;

	(void)state;
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* Run `numad` with a 1-second timeout (or `timeout_ms`) and the test lock. */
static int run(const char *numad, uint64_t timeout_ms, unsigned vcpus, uint64_t memory,
	       struct np_cpuset *nodes, struct np_err *err)
{
	_cleanup_free_ char *lock = path_of("lock");
	struct np_topology *t = machine();
	uint64_t start = now_ms();
	int r = np_numad_run(numad, lock, timeout_ms, t, vcpus, memory, nodes, err);

	assert_true(now_ms() - start < timeout_ms + SLACK_MS);
	np_test_topology_free(t);
	return r;
}

static void test_arg(void **state)
{
	struct np_err err = NP_ERR_INIT;
	char *arg = NULL;

	(void)state;
	assert_int_equal(np_numad_arg(4, 8 * NP_GIB, &arg, NULL), 0);
	assert_string_equal(arg, "4:8192");
	free(arg);
	assert_int_equal(np_numad_arg(0, 1, &arg, NULL), 0);
	assert_string_equal(arg, "1:1");
	free(arg);
	assert_int_equal(np_numad_arg(2, MIB + 1, &arg, NULL), 0);
	assert_string_equal(arg, "2:2");
	free(arg);
	assert_int_equal(np_numad_arg(1, 0, &arg, NULL), 0);
	assert_string_equal(arg, "1:0");
	free(arg);
	arg = NULL;
	assert_int_equal(np_numad_arg(1, UINT64_C(1) << 60, &arg, &err), -EINVAL);
	assert_true(err.input);
	assert_null(arg);
	np_err_clear(&err);
	assert_int_equal(np_numad_arg(30000000, 0, &arg, &err), -EINVAL);
	np_err_clear(&err);
}

static void test_parse(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *want;  /* the nodes, or a piece of the message */
	} rows[] = {
		{ "0\n", 0, "0" },
		{ "0-1\n", 0, "0-1" },
		{ "1,0", 0, "0-1" },
		{ "1", 0, "1" },
		{ "", -EPROTO, "printed no node list" },
		{ "\n", -EPROTO, "printed no node list" },
		{ "0\n\n", -EPROTO, "\"0\\n\\n\", not a node list" },
		{ " 0", -EPROTO, "not a node list" },
		{ "0-", -EPROTO, "not a node list" },
		{ "1-0", -EPROTO, "not a node list" },
		{ "0,,1", -EPROTO, "not a node list" },
		{ "-1", -EPROTO, "not a node list" },
		{ "0\n1\n", -EPROTO, "not a node list" },
		{ "99999", -EPROTO, "not a node list" },
		{ "Segmentation fault\x1b[0m", -EPROTO, "\"Segmentation fault\\x1b[0m\"" },
		{ "5", -ENXIO, "node 5, which this machine does not have" },
		{ "0-2", -ENXIO, "node 2, which has no CPUs" },
	};
	struct np_topology *t = machine();

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(rows); i++) {
		struct np_cpuset nodes, before;
		struct np_err err = NP_ERR_INIT;
		int r;

		np_cpuset_zero(&nodes);
		np_cpuset_add(&nodes, 7);
		before = nodes;
		r = np_numad_parse(rows[i].text, strlen(rows[i].text), t, &nodes, &err);
		assert_int_equal(r, rows[i].code);
		if (r == 0) {
			_cleanup_free_ char *got = np_cpulist_format(&nodes);

			assert_string_equal(got, rows[i].want);
		} else {
			assert_non_null(strstr(err.msg, rows[i].want));
			assert_true(np_cpuset_equal(&nodes, &before));
		}
		np_err_clear(&err);
	}
	np_test_topology_free(t);
}

static void test_good_answer(void **state)
{
	_cleanup_free_ char *numad = NULL;
	_cleanup_free_ char *args = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct np_cpuset nodes;

	(void)state;
	assert_true(asprintf(&cmd, "echo \"$@\" > '%s/args'\necho 0-1", dir) > 0);
	numad = script("good", cmd);
	assert_int_equal(run(numad, 5000, 4, 8 * NP_GIB, &nodes, NULL), 0);
	assert_true(np_cpuset_has(&nodes, 0) && np_cpuset_has(&nodes, 1));
	assert_int_equal(np_cpuset_count(&nodes), 2);
	args = slurp("args");
	assert_string_equal(args, "-w 4:8192\n");
}

/* A timeout so long that now + timeout overflows is no timeout at all. */
static void test_huge_timeout(void **state)
{
	_cleanup_free_ char *numad = script("huge", "echo 1");
	_cleanup_free_ char *lock = path_of("lock");
	struct np_topology *t = machine();
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_int_equal(np_numad_run(numad, lock, UINT64_MAX, t, 1, 0, &nodes, &err), 0);
	assert_null(err.msg);
	assert_true(np_cpuset_has(&nodes, 1));
	assert_int_equal(np_cpuset_count(&nodes), 1);
	np_test_topology_free(t);
}

/* True when `pid` is gone or a zombie. */
static bool dead(pid_t pid)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char buf[256] = "";
	char *state;

	assert_true(asprintf(&path, "/proc/%d/stat", (int)pid) > 0);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return true;
	state = strrchr(buf, ')');
	return state && state[1] == ' ' && state[2] == 'Z';
}

/* SIGKILL takes effect asynchronously: wait (boundedly) for `pid` to go. */
static bool dies(pid_t pid)
{
	for (unsigned i = 0; i < SLACK_MS / 10; i++) {
		if (dead(pid))
			return true;
		usleep(10000);
	}
	return false;
}

static void test_hang_is_cut(void **state)
{
	_cleanup_free_ char *numad = NULL;
	_cleanup_free_ char *cmd = NULL;
	_cleanup_free_ char *child = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_true(asprintf(&cmd, "sleep 300 &\necho $! > '%s/child'\nwait", dir) > 0);
	numad = script("hang", cmd);
	assert_int_equal(run(numad, 500, 1, 0, &nodes, &err), -ETIMEDOUT);
	assert_string_equal(err.msg, "numad gave no answer within 500 ms; killed it");
	np_err_clear(&err);
	/* the whole process group went, the background sleep included */
	child = slurp("child");
	assert_true(dies((pid_t)atoi(child)));
}

static void test_crash(void **state)
{
	_cleanup_free_ char *numad = script("crash", "echo dying >&2\nkill -SEGV $$");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_int_equal(run(numad, 5000, 1, 0, &nodes, &err), -EIO);
	assert_non_null(strstr(err.msg, "numad was killed by signal 11"));
	assert_non_null(strstr(err.msg, "printed \"dying\\n\""));
	np_err_clear(&err);
}

static void test_garbage(void **state)
{
	_cleanup_free_ char *numad = script("garbage", "printf 'nodes: \"0\"\\n'");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_int_equal(run(numad, 5000, 1, 0, &nodes, &err), -EPROTO);
	assert_string_equal(err.msg, "numad printed \"nodes: \\\"0\\\"\\n\", not a node list");
	np_err_clear(&err);
}

static void test_missing_node(void **state)
{
	_cleanup_free_ char *numad = script("missing", "echo 7");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_int_equal(run(numad, 5000, 1, 0, &nodes, &err), -ENXIO);
	assert_string_equal(err.msg, "numad answered node 7, which this machine does not have");
	np_err_clear(&err);
}

static void test_exit_status_and_silence(void **state)
{
	_cleanup_free_ char *failing = script("failing", "echo 0\necho 'Can'\"'\"'t parse' >&2\nexit 3");
	_cleanup_free_ char *silent = script("silent", "exit 0");
	_cleanup_free_ char *chatty = script("chatty", "head -c 70000 /dev/zero | tr '\\0' 0");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_int_equal(run(failing, 5000, 1, 0, &nodes, &err), -EIO);
	assert_string_equal(err.msg, "numad exited with status 3 and printed \"Can't parse\\n\"");
	np_err_clear(&err);
	assert_int_equal(run(silent, 5000, 1, 0, &nodes, &err), -EPROTO);
	assert_string_equal(err.msg, "numad printed no node list");
	np_err_clear(&err);
	assert_int_equal(run(chatty, 5000, 1, 0, &nodes, &err), -EPROTO);
	assert_string_equal(err.msg, "numad printed more than 65536 bytes");
	np_err_clear(&err);
	assert_int_equal(run("/nonexistent/numad", 5000, 1, 0, &nodes, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot run /nonexistent/numad: No such file or directory");
	np_err_clear(&err);
	assert_int_equal(run("/nonexistent/numad", 0, 1, 0, &nodes, &err), -EINVAL);
	assert_true(err.input);
	np_err_clear(&err);
}

/* Another numad call holds the machine-wide lock for longer than the timeout. */
static void test_lock_bounded(void **state)
{
	_cleanup_free_ char *numad = script("quick", "echo 0");
	_cleanup_free_ char *lock = path_of("lock");
	_cleanup_close_ int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(run(numad, 300, 1, 0, &nodes, &err), -ETIMEDOUT);
	assert_non_null(strstr(err.msg, "another numad call held it for the whole timeout"));
	np_err_clear(&err);
	assert_int_equal(flock(fd, LOCK_UN), 0);
	assert_int_equal(run(numad, 5000, 1, 0, &nodes, NULL), 0);
}

/* numad's failure as the engine sees it, then the configured fallback. */
static int ask_and_decide(const char *numad, enum np_fallback fallback, struct np_advice *adv,
			  struct np_err *err)
{
	_cleanup_free_ char *lock = path_of("lock");
	struct np_topology *t = machine();
	struct np_settings s;
	struct np_numad_answer ans = { 0 };
	struct np_request req = { "web1", 1, NP_GIB };
	struct np_advisor_input in = { t, &s, &req, NULL, 0 };
	uint64_t start = now_ms();
	int r;

	np_test_settings(&s);
	s.advisor = NP_ADVISOR_NUMAD;
	s.numad = numad;
	s.numad_timeout_ms = 400;
	s.fallback = fallback;
	s.has_cpus = true;
	s.cpus = (struct np_cpuset){ { 0x8 } };
	np_numad_ask(&s, lock, t, req.vcpus, req.memory, &ans);
	assert_true(now_ms() - start < s.numad_timeout_ms + SLACK_MS);
	r = np_advisor_decide(&in, &ans, adv, err);
	np_numad_answer_clear(&ans);
	np_test_topology_free(t);
	return r;
}

static void test_fallback_applied(void **state)
{
	_cleanup_free_ char *hang = script("hang2", "sleep 300");
	_cleanup_free_ char *crash = script("crash2", "kill -KILL $$");
	_cleanup_free_ char *good = script("good2", "echo 1");
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;

	(void)state;
	assert_int_equal(ask_and_decide(hang, NP_FALLBACK_BUILTIN, &adv, NULL), 0);
	assert_true(adv.fallback);
	assert_int_equal(adv.advisor, NP_ADVISOR_BUILTIN);
	assert_string_equal(adv.reason, "numad gave no answer within 400 ms; killed it; "
					"fell back to builtin: fits on node 1");
	np_advice_clear(&adv);
	assert_int_equal(ask_and_decide(crash, NP_FALLBACK_STATIC, &adv, NULL), 0);
	assert_true(adv.fallback);
	assert_int_equal(adv.advisor, NP_ADVISOR_STATIC);
	assert_non_null(strstr(adv.reason, "numad was killed by signal 9"));
	np_advice_clear(&adv);
	assert_int_equal(ask_and_decide(hang, NP_FALLBACK_NONE, &adv, &err), -ETIMEDOUT);
	assert_false(err.input);
	assert_string_equal(err.msg, "numad gave no answer within 400 ms; killed it");
	assert_null(adv.reason);
	np_err_clear(&err);
	/* a good answer is taken as it is */
	assert_int_equal(ask_and_decide(good, NP_FALLBACK_NONE, &adv, NULL), 0);
	assert_false(adv.fallback);
	assert_int_equal(adv.advisor, NP_ADVISOR_NUMAD);
	assert_string_equal(adv.reason, "numad advised node 1");
	np_advice_clear(&adv);
}

/* The Debian numad on this one-node machine: `numad -w 1:64` says node 0. */
static void test_real_numad(void **state)
{
	struct np_topology *t = np_test_uniform(1, 2, 4 * NP_GIB, NULL, 1);
	_cleanup_free_ char *lock = path_of("lock");
	struct np_err err = NP_ERR_INIT;
	struct np_cpuset nodes;
	int r;

	(void)state;
	if (access("/usr/bin/numad", X_OK) < 0) {
		np_test_topology_free(t);
		skip();
	}
	r = np_numad_run("/usr/bin/numad", lock, 30000, t, 1, 64 * MIB, &nodes, &err);
	if (r < 0)
		print_error("numad: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_int_equal(np_cpuset_count(&nodes), 1);
	assert_true(np_cpuset_has(&nodes, 0));
	np_err_clear(&err);
	np_test_topology_free(t);
}

/* numaplace never runs itself as numad (after a divert, /usr/bin/numad is
 * numaplace): the running program is refused, or replaced by the real
 * numad at NP_NUMAD_DISTRIB; any other binary is kept, a bare name is
 * looked up in $PATH. */
static void test_resolve_self(void **state)
{
	struct np_err err = NP_ERR_INIT;
	char *out = NULL;
	int r;

	(void)state;
	assert_int_equal(np_numad_resolve("/bin/sh", &out, NULL), 0);
	assert_string_equal(out, "/bin/sh");
	free(out);
	assert_int_equal(setenv("PATH", "/nonexistent:/bin", 1), 0);
	assert_int_equal(np_numad_resolve("sh", &out, NULL), 0);
	assert_string_equal(out, "/bin/sh");
	free(out);
	out = NULL;
	r = np_numad_resolve("/proc/self/exe", &out, &err);
	if (access(NP_NUMAD_DISTRIB, X_OK) == 0) {
		assert_int_equal(r, 0);
		assert_string_equal(out, NP_NUMAD_DISTRIB);
		free(out);
	} else {
		assert_int_equal(r, -ELOOP);
		assert_non_null(strstr(err.msg, "is numaplace itself"));
		assert_null(out);
	}
	np_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arg),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_good_answer),
		cmocka_unit_test(test_huge_timeout),
		cmocka_unit_test(test_hang_is_cut),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_missing_node),
		cmocka_unit_test(test_exit_status_and_silence),
		cmocka_unit_test(test_lock_bounded),
		cmocka_unit_test(test_fallback_applied),
		cmocka_unit_test(test_real_numad),
		cmocka_unit_test(test_resolve_self),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
