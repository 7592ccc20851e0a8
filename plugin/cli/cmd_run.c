/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace run: fork; place the child between fork and exec, so not one
 * instruction of CMD runs outside its cpuset; exec; wait; release (unless
 * CMD left tasks in its group: a command that daemonized); exit as the
 * child did. Every catchable signal is forwarded to the child, except those
 * the kernel sent the terminal's foreground group (the child got them too).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli_engine.h"
#include "mempolicy.h"

enum { NP_EXIT_RUN_FAILED = 125, NP_EXIT_CANNOT_EXEC = 126, NP_EXIT_NOT_FOUND = 127 };

/* Print "numaplace: run: MESSAGE" (np_cli_verror) and return 125,
 * numaplace's own failure. */
static int np_run_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int np_run_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	np_cli_verror("run", fmt, ap);
	va_end(ap);
	return NP_EXIT_RUN_FAILED;
}

/* One "numaplace: run: MESSAGE" line that is not an error of numaplace's. */
static void np_run_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void np_run_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	np_cli_verror("run", fmt, ap);
	va_end(ap);
}

/* What the parent tells the child once it is placed (or not). */
struct np_run_go {
	int ok;
	enum np_memory_mode mode;
	struct np_cpuset mems;
};

static volatile sig_atomic_t np_run_child_pid;

/* Whether `sig` is forwarded: every signal a process can catch, except
 * SIGCHLD (the child's own news) and the faults that only numaplace's own
 * code raises, and glibc's internal real-time signals. */
static bool np_run_forwarded(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGCHLD:
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
	case SIGABRT:
		return false;
	default:
		return sig < 32 || sig >= SIGRTMIN;
	}
}

/* Forward a signal to the child, unless the kernel generated it for the
 * terminal's foreground group (Ctrl-C, Ctrl-\, Ctrl-Z: si_code SI_KERNEL),
 * which the child, in the same group, already received. A stop signal
 * stops numaplace too, so that the shell sees the job stop. */
static void np_run_forward(int sig, siginfo_t *info, void *ctx)
{
	int saved = errno;

	(void)ctx;
	if (np_run_child_pid > 0 && (!info || info->si_code != SI_KERNEL))
		kill((pid_t)np_run_child_pid, sig);
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		kill(getpid(), SIGSTOP);
	errno = saved;
}

/* The dispositions `run` found, which the child gets back before exec. A
 * signal ignored then (nohup) stays ignored and is not forwarded. */
static struct sigaction np_run_saved[NSIG];

static void np_run_set_handlers(void)
{
	struct sigaction sa = { .sa_sigaction = np_run_forward, .sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (!np_run_forwarded(sig) || sigaction(sig, NULL, &np_run_saved[sig]) < 0 ||
		    np_run_saved[sig].sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
}

/* In the child: the dispositions numaplace found. */
static void np_run_restore_handlers(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (np_run_forwarded(sig) && np_run_saved[sig].sa_handler != SIG_IGN)
			sigaction(sig, &np_run_saved[sig], NULL);
}

static ssize_t np_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)done;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* In the child: wait for the parent's word, set the memory policy, exec. */
static __attribute__((noreturn)) void np_run_child(int go_fd, int err_fd, char **cmdv,
						    const sigset_t *oldmask)
{
	struct np_run_go go = { 0 };
	struct np_err err = NP_ERR_INIT;
	int e;

	np_run_restore_handlers();
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (np_read_full(go_fd, &go, sizeof(go)) != (ssize_t)sizeof(go) || !go.ok)
		_exit(NP_EXIT_RUN_FAILED);
	close(go_fd);
	if (np_mempolicy_apply(go.mode, &go.mems, &err) < 0) {
		np_cli_fail("run", &err);
		_exit(NP_EXIT_RUN_FAILED);
	}
	execvp(cmdv[0], cmdv);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(NP_EXIT_RUN_FAILED);
	_exit(e == ENOENT ? NP_EXIT_NOT_FOUND : NP_EXIT_CANNOT_EXEC);
}

/* Wait for the child, retrying when a forwarded signal interrupts. */
static int np_run_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Exit the way the child did: its status, or die of its signal. */
static int np_run_exit_like(int status)
{
	struct rlimit nocore = { 0, 0 };
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	setrlimit(RLIMIT_CORE, &nocore);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

struct np_run {
	struct np_cli *cli;
	struct np_request_opts req;
	char **cmdv;
	char *name;
	struct np_engine *eng;
	pid_t pid;
	int go_fd;
	int err_fd;
};

/* Place the child and tell it to go. Returns 0, or 125 after an error line. */
static int np_run_place(struct np_run *run)
{
	struct np_result res = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_run_go go = { 0 };

	if (!run->req.name) {
		if (asprintf(&run->name, "run-%d", (int)run->pid) < 0)
			return np_run_error("out of memory");
		run->req.name = run->name;
	}
	run->req.pid = run->pid;
	run->req.frontend = NP_FRONTEND_CLI;
	if (np_engine_place(run->eng, &run->req, &res, &err) < 0) {
		np_cli_fail("run", &err);
		return NP_EXIT_RUN_FAILED;
	}
	go.ok = 1;
	go.mode = res.memory_mode;
	go.mems = res.rec.mems;
	np_result_clear(&res);
	if (write(run->go_fd, &go, sizeof(go)) != (ssize_t)sizeof(go))
		return np_run_error("cannot start the child: %s", strerror(errno));
	return 0;
}

/* After the go: did exec fail? Returns 0 when CMD is running. */
static int np_run_exec_result(struct np_run *run)
{
	int e = 0;

	if (np_read_full(run->err_fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		return 0;
	np_run_error("%s: %s", run->cmdv[0], strerror(e));
	return e == ENOENT ? NP_EXIT_NOT_FOUND : NP_EXIT_CANNOT_EXEC;
}

/* Release, unless CMD left tasks in its group (it daemonized): then the
 * placement stays and one line says so. */
static void np_run_release(struct np_run *run)
{
	struct np_err err = NP_ERR_INIT;
	unsigned left = 0;

	if (!run->req.name)
		return;
	if (np_engine_release_unless_busy(run->eng, run->req.name, &left, &err) < 0)
		np_cli_fail("run: release", &err);
	else if (left)
		np_run_note("guest %s stays placed: %s left %u task%s in its group; `numaplace "
			    "reconcile` releases it once they are gone", run->req.name, run->cmdv[0],
			    left, left == 1 ? "" : "s");
	np_err_clear(&err);
}

/* Fork the child, blocked on the go pipe. 0, or 125 after an error line. */
static int np_run_fork(struct np_run *run)
{
	int go[2], ex[2];
	sigset_t block, old;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0)
		return np_run_error("pipe: %s", strerror(errno));
	sigfillset(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	np_run_set_handlers();
	run->pid = fork();
	if (run->pid == 0) {
		close(go[1]);
		close(ex[0]);
		np_run_child(go[0], ex[1], run->cmdv, &old);
	}
	close(go[0]);
	close(ex[1]);
	run->go_fd = go[1];
	run->err_fd = ex[0];
	if (run->pid > 0)
		np_run_child_pid = run->pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (run->pid < 0)
		return np_run_error("fork: %s", strerror(errno));
	return 0;
}

/* Release only a placement this run made: when place failed, the name
 * may be another guest's (placed with its own live PID). */
static int np_run_supervise(struct np_run *run)
{
	int code = np_run_place(run);
	bool placed = code == 0;
	int status;

	close(run->go_fd);
	if (code == 0)
		code = np_run_exec_result(run);
	close(run->err_fd);
	status = np_run_wait(run->pid);
	if (placed)
		np_run_release(run);
	if (code != 0 || status < 0)
		return code ? code : NP_EXIT_RUN_FAILED;
	return np_run_exit_like(status);
}

enum { OPT_NAME = NP_CLI_OPT_REQUEST_END };

static int np_run_opt(int c, struct np_request_opts *req, struct np_err *err)
{
	if (c == OPT_NAME) {
		req->name = optarg;
		return 0;
	}
	return np_cli_request_opt(c, req, err);
}

/* Options and CMD. Returns -1 to go on, else the exit code. */
static int np_run_parse(int argc, char **argv, struct np_run *run)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		NP_CLI_REQUEST_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct np_err err = NP_ERR_INIT;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_run, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code == NP_EXIT_OK ? code : NP_EXIT_RUN_FAILED;
		if (np_run_opt(c, &run->req, &err) < 0) {
			np_cli_fail("run", &err);
			return NP_EXIT_RUN_FAILED;
		}
	}
	if (optind >= argc)
		return np_run_error("no command given: numaplace %s", np_cmd_run.synopsis);
	run->cmdv = argv + optind;
	return -1;
}

static int np_run_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_run run = { .cli = cli, .req = { .target = NP_TARGET_CREATE },
			      .go_fd = -1, .err_fd = -1 };
	int code = np_run_parse(argc, argv, &run);

	if (code >= 0)
		return code;
	if (np_cli_engine_open(cli, "run", &run.eng) != 0)
		return NP_EXIT_RUN_FAILED;
	code = NP_EXIT_RUN_FAILED;
	if (np_run_fork(&run) == 0)
		code = np_run_supervise(&run);
	np_engine_close(run.eng);
	free(run.name);
	return code;
}

const struct np_command np_cmd_run = {
	.name = "run",
	.live_only = true,
	.synopsis = "run [--name NAME] [--vcpus N] [--memory SIZE] -- CMD [ARG...]",
	.summary = "run CMD placed in its own cpuset from its first instruction",
	.help = "  --name NAME    guest name (default: run-<child pid>)\n"
		"  --vcpus N      vCPUs to place (default: the policy's, else 1)\n"
		"  --memory SIZE  memory to fit (default: the policy's, else not counted)\n"
		"Exits with CMD's status, or dies of its signal. Every catchable signal is\n"
		"forwarded, except Ctrl-C, Ctrl-\\ and Ctrl-Z from the terminal, which CMD\n"
		"gets itself; a kill() of the whole process group reaches CMD twice. When CMD leaves tasks in its group (it daemonized), the guest\n"
		"stays placed, one line says so, and `numaplace reconcile` releases it once\n"
		"the group is empty. numaplace's own failures exit 125; 126 when CMD cannot run,\n"
		"127 when it is not found. `numaplace -- CMD` is short for `numaplace run -- CMD`.\n",
	.command_operand = true,
	.run = np_run_run,
};
