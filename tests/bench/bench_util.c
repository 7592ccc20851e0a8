/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clock, order statistics, running commands and printing figures. */
#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t np_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int np_bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void np_bench_stats(uint64_t *ns, unsigned n, struct np_bench_stats *out)
{
	unsigned p99 = (unsigned)(((uint64_t)n * 99 + 99) / 100);

	qsort(ns, n, sizeof(*ns), np_bench_cmp_u64);
	out->n = n;
	out->median_us = (double)ns[(n - 1) / 2] / 1e3;
	out->p99_us = (double)ns[p99 - 1] / 1e3;
	out->min_us = (double)ns[0] / 1e3;
	out->max_us = (double)ns[n - 1] / 1e3;
}

/* In the child: stdin and stdout (unless `out_fd` >= 0) and stderr (unless
 * `keep_stderr`) on /dev/null, then exec. */
static void np_bench_child(char *const argv[], int out_fd, bool keep_stderr)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		_exit(127);
	dup2(null, STDIN_FILENO);
	dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
	if (!keep_stderr)
		dup2(null, STDERR_FILENO);
	execv(argv[0], argv);
	_exit(127);
}

/* Wait for `pid`; add the CPU time it used (user + system) to `*cpu_ns`
 * when not NULL. */
static int np_bench_wait(pid_t pid, uint64_t *cpu_ns)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -errno;
	if (cpu_ns)
		*cpu_ns += (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
			   (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int np_bench_run(char *const argv[], bool keep_stderr, uint64_t *cpu_ns)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		np_bench_child(argv, -1, keep_stderr);
	return np_bench_wait(pid, cpu_ns);
}

/* Read all of `fd` into a heap string. */
static int np_bench_slurp(int fd, char **out)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	ssize_t r;

	while (buf && (r = read(fd, buf + len, cap - len - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
		if (cap - len < 2) {
			char *grown = realloc(buf, cap * 2);

			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf)
		return -ENOMEM;
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int np_bench_run_output(char *const argv[], char **out, uint64_t *cpu_ns)
{
	int fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0)
		np_bench_child(argv, fds[1], true);
	close(fds[1]);
	r = np_bench_slurp(fds[0], out);
	close(fds[0]);
	return r < 0 ? r : np_bench_wait(pid, cpu_ns);
}

void np_bench_row(const struct np_bench_report *rep, const char *what, const char *mode,
		  const struct np_bench_stats *st, double cpu_us)
{
	printf("  %-36s %-11s %5u runs  median %10.1f us  p99 %10.1f us", what, mode, st->n,
	       st->median_us, st->p99_us);
	if (cpu_us >= 0)
		printf("  cpu %9.1f us", cpu_us);
	printf("\n");
	fflush(stdout);
	if (rep->csv)
		fprintf(rep->csv, "%s,%s,%s,%u,%.1f,%.1f,%.1f,%.1f,%.1f\n", rep->section, what,
			mode, st->n, st->median_us, st->p99_us, st->min_us, st->max_us,
			cpu_us >= 0 ? cpu_us : 0);
}

void np_bench_csv_header(FILE *csv)
{
	fprintf(csv, "section,operation,mode,runs,median_us,p99_us,min_us,max_us,cpu_median_us\n");
}
