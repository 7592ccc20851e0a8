/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numad -w for the request bench_latency times on this machine, without
 * and with numad's daemon. Without a daemon, `numad -w` samples the CPUs,
 * sleeps two seconds and samples again (numad.c, main); with one it asks
 * the daemon over a System V message queue. The daemon is started here as
 * `numad -H 0 -i 1:2` (-H 0 leaves the THP tunable alone) and stopped with
 * `numad -i 0`; when a numad daemon this program did not start is running,
 * `numad -w` would ask it, so both halves are skipped.
 */
#include "latency.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

/* The PID of a running process named numad, or 0. */
static pid_t np_lat_numad_running(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		char comm[32] = "";
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]) ||
		    asprintf(&path, "/proc/%s/comm", e->d_name) < 0 || !(f = fopen(path, "r")))
			continue;
		if (fgets(comm, sizeof(comm), f) && strcmp(comm, "numad\n") == 0)
			found = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

struct np_lat_numad {
	char *argv[4];
	char *answer;            /* the last answer, heap */
	struct np_lat_cpu *cpu;
};

static int np_lat_numad_op(void *ctx)
{
	struct np_lat_numad *n = ctx;
	char *out = NULL;
	int r = np_bench_run_output(n->argv, &out, &n->cpu->ns);

	if (r != 0 || !out || !isdigit((unsigned char)out[0])) {
		fprintf(stderr, "bench_latency: numad -w: exit %d, answer [%s]\n", r, out ? out : "");
		free(out);
		return -1;
	}
	n->cpu->seen = true;
	out[strcspn(out, "\n")] = '\0';
	free(n->answer);
	n->answer = out;
	return 0;
}

/* 20 timed `numad -w 1:64`; the median in `*median`. */
static int np_lat_numad_half(struct np_lat *lat, const char *mode, double *median)
{
	struct np_lat_numad n = { { (char *)lat->numad, (char *)"-w", (char *)"1:64", NULL }, NULL,
				  &lat->cpu };
	struct np_bench_stats st;
	int r = np_lat_series(lat, "numad -w 1:64", mode, lat->numad_calls, 0, np_lat_numad_op,
			      &n, &st);

	if (r == 0) {
		printf("    numad answered nodes %s\n", n.answer);
		*median = st.median_us;
	}
	free(n.answer);
	return r;
}

/* Wait up to `ms` for `alive(pid)` to become `want`; returns the PID seen. */
static pid_t np_lat_numad_wait(bool want, unsigned ms)
{
	pid_t pid = 0;

	for (unsigned waited = 0; waited <= ms; waited += 50) {
		pid = np_lat_numad_running();
		if ((pid != 0) == want)
			return pid;
		usleep(50 * 1000);
	}
	return pid;
}

/* Start the daemon and note its PID in WORK/numad-daemon.pid, for
 * run.sh's cleanup should this program die. */
static pid_t np_lat_numad_start(const struct np_lat *lat)
{
	char *argv[] = { (char *)lat->numad, (char *)"-H", (char *)"0", (char *)"-i",
			 (char *)"1:2", NULL };
	_cleanup_free_ char *note = np_lat_path(lat->work, "numad-daemon.pid");
	char text[24];
	pid_t pid;

	if (np_bench_run(argv, true, NULL) != 0 || (pid = np_lat_numad_wait(true, 5000)) == 0) {
		fprintf(stderr, "bench_latency: numad -i 1:2 did not start a daemon\n");
		return 0;
	}
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	if (note)
		np_lat_write_file(note, text);
	return pid;
}

/* Ask our daemon to stop (numad -i 0), then TERM and KILL it if needed. */
static void np_lat_numad_stop(const struct np_lat *lat, pid_t pid)
{
	char *argv[] = { (char *)lat->numad, (char *)"-i", (char *)"0", NULL };
	_cleanup_free_ char *note = np_lat_path(lat->work, "numad-daemon.pid");
	static const int sigs[] = { 0, SIGTERM, SIGKILL };

	np_bench_run(argv, true, NULL);
	for (size_t i = 0; i < NP_ARRAY_SIZE(sigs); i++) {
		if (sigs[i])
			kill(pid, sigs[i]);
		for (unsigned ms = 0; ms < 5000 && kill(pid, 0) == 0; ms += 50)
			usleep(50 * 1000);
		if (kill(pid, 0) < 0 && errno == ESRCH)
			break;
	}
	if (note)
		unlink(note);
	printf("    numad daemon %d stopped\n", (int)pid);
}

/* The half with the daemon, when /var/run and /var/log are writable. */
static int np_lat_numad_daemon(struct np_lat *lat, double *median)
{
	pid_t pid;
	int r;

	if (access("/var/run", W_OK) < 0 || access("/var/log", W_OK) < 0) {
		printf("  numad with its daemon: skipped: /var/run or /var/log is not writable\n");
		return 0;
	}
	if ((pid = np_lat_numad_start(lat)) == 0)
		return -1;
	printf("    numad daemon %d started (numad -H 0 -i 1:2)\n", (int)pid);
	r = np_lat_numad_half(lat, "with daemon", median);
	np_lat_numad_stop(lat, pid);
	return r;
}

/* Print peer / ours against the target: at least `target`, or more than
 * it when `strict`. */
static void np_lat_ratio(const char *what, double peer, double ours, double target, bool strict)
{
	double ratio = peer / ours;
	bool met = strict ? ratio > target : ratio >= target;

	printf("  %-40s %10.1f x  (target %s %g x: %s)\n", what, ratio, strict ? ">" : ">=",
	       target, met ? "met" : "NOT met");
}

int np_lat_numad(struct np_lat *lat)
{
	double without = 0, with = 0;
	pid_t foreign = np_lat_numad_running();
	int r;

	printf("\nnumad %s, the same request (1 CPU, 64 MB), this machine:\n", lat->numad);
	lat->rep.section = "numad";
	if (foreign) {
		printf("  skipped: a numad daemon this benchmark did not start is running (pid %d);\n"
		       "  numad -w would ask it, so neither half can be measured\n", (int)foreign);
		return 0;
	}
	r = np_lat_numad_half(lat, "no daemon", &without);
	if (r == 0 && (foreign = np_lat_numad_running()) != 0) {
		printf("  a numad daemon (pid %d) appeared meanwhile: with-daemon half skipped\n",
		       (int)foreign);
		return 0;
	}
	if (r == 0)
		r = np_lat_numad_daemon(lat, &with);
	if (r != 0 || lat->advise_cmd_us <= 0)
		return r;
	printf("\nratio peer / numaplace (medians, whole commands, same run):\n");
	np_lat_ratio("numad -w (no daemon) / numaplace advise", without, lat->advise_cmd_us, 100, false);
	if (with > 0)
		np_lat_ratio("numad -w (daemon) / numaplace advise", with, lat->advise_cmd_us, 1, true);
	return 0;
}
