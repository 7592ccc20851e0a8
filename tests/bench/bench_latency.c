/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_latency --numaplace BIN --fixture XML --work DIR --parent GROUP
 *               [--numad BIN] [--runs N] [--guests N] [--numad-calls N] [--csv FILE]
 *
 * Prints median and p99 of numaplace's advise, reserve + release and
 * place + release, in process and as whole commands, on this machine and on
 * a 64-node capture holding many guests, and numad -w beside them.
 * DIR must be empty; GROUP must not exist below the cpuset mount. What this
 * program creates (cpuset groups, a child process, a numad daemon) it
 * removes before it returns; tests/bench/run.sh removes DIR.
 */
#include "latency.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

/* CPU time this process used so far (user + system, all threads). */
static uint64_t np_lat_own_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The median CPU time of the last series, in microseconds. */
static double np_lat_cpu_median(struct np_lat *lat, unsigned runs)
{
	struct np_bench_stats st;

	np_bench_stats(lat->cpu_ns, runs, &st);
	return st.median_us;
}

int np_lat_series(struct np_lat *lat, const char *what, const char *mode, unsigned runs,
		  unsigned warmup, np_lat_op op, void *ctx, struct np_bench_stats *st)
{
	int r;

	for (unsigned i = 0; i < warmup; i++)
		if ((r = op(ctx)) != 0)
			return r;
	lat->cpu.seen = false;
	for (unsigned i = 0; i < runs; i++) {
		uint64_t start = np_bench_now_ns(), own = np_lat_own_cpu_ns();

		lat->cpu.ns = 0;
		if ((r = op(ctx)) != 0)
			return r;
		lat->ns[i] = np_bench_now_ns() - start;
		lat->cpu_ns[i] = lat->cpu.seen ? lat->cpu.ns : np_lat_own_cpu_ns() - own;
	}
	np_bench_stats(lat->ns, runs, st);
	np_bench_row(&lat->rep, what, mode, st, np_lat_cpu_median(lat, runs));
	return 0;
}

char *np_lat_path(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

int np_lat_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");
	int bad;

	if (!f) {
		fprintf(stderr, "bench_latency: %s: %s\n", path, strerror(errno));
		return -1;
	}
	bad = fputs(text, f) < 0;
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}

void np_lat_cmd_init(struct np_lat_cmd *cmd, struct np_lat *lat, const char *conf,
		     const char *state, const char *topo, const char *const *words)
{
	unsigned n = 0;

	memset(cmd, 0, sizeof(*cmd));
	cmd->cpu = &lat->cpu;
	cmd->argv[n++] = (char *)lat->numaplace;
	cmd->argv[n++] = (char *)"--config";
	cmd->argv[n++] = (char *)conf;
	cmd->argv[n++] = (char *)"--state-dir";
	cmd->argv[n++] = (char *)state;
	if (topo) {
		cmd->argv[n++] = (char *)"--topology";
		cmd->argv[n++] = (char *)topo;
	}
	for (unsigned i = 0; words[i] && n < NP_ARRAY_SIZE(cmd->argv) - 1; i++)
		cmd->argv[n++] = (char *)words[i];
}

int np_lat_cmd_op(void *ctx)
{
	struct np_lat_cmd *cmd = ctx;
	int r = np_bench_run(cmd->argv, true, &cmd->cpu->ns);

	cmd->cpu->seen = true;
	if (r != 0) {
		fprintf(stderr, "bench_latency: exit %d:", r);
		for (unsigned i = 0; cmd->argv[i]; i++)
			fprintf(stderr, " %s", cmd->argv[i]);
		fprintf(stderr, "\n");
	}
	return r;
}

int np_lat_cmd_pair_op(void *ctx)
{
	struct np_lat_cmd *cmd = ctx;
	int r = np_lat_cmd_op(&cmd[0]);

	return r ? r : np_lat_cmd_op(&cmd[1]);
}

static void np_lat_usage(void)
{
	fprintf(stderr, "usage: bench_latency --numaplace BIN --fixture XML --work DIR "
		"--parent GROUP [--numad BIN] [--runs N] [--guests N] [--numad-calls N] "
		"[--csv FILE]\n");
	exit(2);
}

static unsigned np_lat_count(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 1000000)
		np_lat_usage();
	return (unsigned)v;
}

static void np_lat_args(struct np_lat *lat, int argc, char **argv, const char **csv)
{
	static const struct option opts[] = {
		{ "numaplace", required_argument, NULL, 'b' },
		{ "fixture", required_argument, NULL, 'f' },
		{ "work", required_argument, NULL, 'w' },
		{ "parent", required_argument, NULL, 'p' },
		{ "numad", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "guests", required_argument, NULL, 'g' },
		{ "numad-calls", required_argument, NULL, 'c' },
		{ "csv", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': lat->numaplace = optarg; break;
		case 'f': lat->fixture = optarg; break;
		case 'w': lat->work = optarg; break;
		case 'p': lat->parent = optarg; break;
		case 'n': lat->numad = optarg; break;
		case 'r': lat->runs = np_lat_count(optarg); break;
		case 'g': lat->guests = np_lat_count(optarg); break;
		case 'c': lat->numad_calls = np_lat_count(optarg); break;
		case 'o': *csv = optarg; break;
		default: np_lat_usage();
		}
	}
	if (optind != argc || !lat->numaplace || !lat->fixture || !lat->work || !lat->parent)
		np_lat_usage();
}

static void np_lat_header(const struct np_lat *lat)
{
	struct utsname u;
	double load[3] = { 0, 0, 0 };

	uname(&u);
	getloadavg(load, 3);
	printf("bench_latency: %s %s, %ld CPUs online, load average %.2f %.2f %.2f\n",
	       u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	printf("  %u runs per numaplace series, %u numad calls per half, %u guests on the "
	       "fixture\n", lat->runs, lat->numad_calls, lat->guests);
}

/* The targets, with the figures of this run. */
static void np_lat_verdict(const struct np_lat *lat)
{
	printf("\ntargets (issue 9):\n");
	if (lat->advise_64n_p99 > 0)
		printf("  in-process advise, 64 nodes, %u guests: p99 %.1f us (target < 100 us): %s\n",
		       lat->guests, lat->advise_64n_p99,
		       lat->advise_64n_p99 < 100 ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
	struct np_lat lat = { .runs = 1000, .guests = 1000, .numad_calls = 20 };
	const char *csv = NULL;
	int rc = 0;

	np_lat_args(&lat, argc, argv, &csv);
	lat.rep.csv = csv ? fopen(csv, "w") : NULL;
	if (csv && !lat.rep.csv) {
		fprintf(stderr, "bench_latency: %s: %s\n", csv, strerror(errno));
		return 1;
	}
	if (lat.rep.csv)
		np_bench_csv_header(lat.rep.csv);
	lat.ns = calloc(lat.runs > lat.numad_calls ? lat.runs : lat.numad_calls, sizeof(*lat.ns));
	lat.cpu_ns = calloc(lat.runs > lat.numad_calls ? lat.runs : lat.numad_calls,
			    sizeof(*lat.cpu_ns));
	if (!lat.ns || !lat.cpu_ns)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	np_lat_header(&lat);
	rc |= np_lat_live(&lat) != 0;
	rc |= np_lat_fixture(&lat) != 0;
	if (lat.numad)
		rc |= np_lat_numad(&lat) != 0;
	else
		printf("\nnumad: skipped (no numad binary given)\n");
	np_lat_verdict(&lat);
	if (lat.rep.csv)
		fclose(lat.rep.csv);
	free(lat.ns);
	free(lat.cpu_ns);
	return rc;
}
