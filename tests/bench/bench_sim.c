/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_sim [--seed N] [--loads L,L,...] [--steps N] [--burst N]
 *           [--burst-every N] [--csv FILE] [--dat FILE] [--check] XML...
 *
 * Replays guest arrivals and departures on each hwloc capture XML and
 * places them with numaplace's built-in advisor (pack, spread), numad's
 * scoring (with the bookings up to date, and as sampled at the start of a
 * burst), xl's automatic placement and a naive first fit; prints one table
 * per capture, and writes a CSV (every figure) and a gnuplot data file
 * (local shares against load). The model is in sim.h and
 * docs/benchmarks.md. --check exits 1 unless the built-in advisor never
 * over-commits, never refuses a request the machine has room for, and
 * always keeps on one node a guest one node could hold.
 */
#include "sim.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define NP_SIM_ALGOS 6u
#define NP_SIM_MAX_LOADS 16u

struct np_sim_opts {
	uint64_t seed;
	double loads[NP_SIM_MAX_LOADS];
	unsigned nloads;
	unsigned steps, burst, burst_every;
	FILE *csv, *dat;
	bool check;
};

/* Everything about one capture. */
struct np_sim_capture {
	const char *path;
	const char *name;            /* the file name */
	struct np_topology *topo;
	struct np_sim_machine m;
	struct np_sim_workload w;
	struct np_sim_stats st[NP_SIM_MAX_LOADS][NP_SIM_ALGOS];
};

static double np_sim_pct(unsigned part, unsigned whole)
{
	return whole ? 100.0 * part / whole : 100.0;
}

/* The fully-local share when one node could hold the guest. */
static double np_sim_local_could(const struct np_sim_stats *st)
{
	return np_sim_pct(st->local_could, st->could_one);
}

static void np_sim_usage(void)
{
	fprintf(stderr, "usage: bench_sim [--seed N] [--loads L,L,...] [--steps N] [--burst N] "
		"[--burst-every N] [--csv FILE] [--dat FILE] [--check] XML...\n");
	exit(2);
}

static void np_sim_parse_loads(struct np_sim_opts *o, char *list)
{
	o->nloads = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		char *end;
		double v = strtod(tok, &end);

		if (*end || v <= 0 || v > 1 || o->nloads == NP_SIM_MAX_LOADS)
			np_sim_usage();
		o->loads[o->nloads++] = v;
	}
	if (o->nloads == 0)
		np_sim_usage();
}

static unsigned np_sim_count(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end || v > 1000000)
		np_sim_usage();
	return (unsigned)v;
}

static FILE *np_sim_open(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench_sim: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void np_sim_args(struct np_sim_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "loads", required_argument, NULL, 'l' },
		{ "steps", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' },
		{ "burst-every", required_argument, NULL, 'e' },
		{ "csv", required_argument, NULL, 'c' },
		{ "dat", required_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = strtoull(optarg, NULL, 10); break;
		case 'l': np_sim_parse_loads(o, optarg); break;
		case 'n': o->steps = np_sim_count(optarg); break;
		case 'b': o->burst = np_sim_count(optarg); break;
		case 'e': o->burst_every = np_sim_count(optarg); break;
		case 'c': o->csv = np_sim_open(optarg); break;
		case 'd': o->dat = np_sim_open(optarg); break;
		case 'k': o->check = true; break;
		default: np_sim_usage();
		}
	}
	if (optind == argc)
		np_sim_usage();
}

/* Guest sizes up to half of a mean CPU node (at least 1 vCPU, 512 MiB). */
static void np_sim_sizes(const struct np_sim_machine *m, struct np_sim_workload *w)
{
	uint64_t cpus = 0, mem = 0, n = 0;

	for (unsigned i = 0; i < m->n; i++) {
		if (!m->cpus[i])
			continue;
		cpus += m->cpus[i];
		mem += m->memory[i];
		n++;
	}
	w->max_vcpus = n && cpus / n / 2 ? (unsigned)(cpus / n / 2) : 1;
	w->max_memory = n && mem / n / 2 > 512 * NP_SIM_MIB ? mem / n / 2 : 512 * NP_SIM_MIB;
}

static int np_sim_algos(struct np_sim_algo *a)
{
	int r = np_sim_builtin_init(&a[0], false);

	if (r == 0 && (r = np_sim_builtin_init(&a[1], true)) < 0)
		np_sim_builtin_clear(&a[0]);
	np_sim_numad_init(&a[2], false);
	np_sim_numad_init(&a[3], true);
	np_sim_xl_init(&a[4]);
	np_sim_firstfit_init(&a[5]);
	return r;
}

static void np_sim_header(const struct np_sim_capture *c)
{
	printf("\n== %s: %u nodes, %llu CPUs, %.1f GiB; guests 1-%u vCPUs, 512 MiB-%.1f GiB\n",
	       c->name, c->m.n, (unsigned long long)c->m.total_cpus,
	       (double)c->m.total_memory / (1024.0 * NP_SIM_MIB), c->w.max_vcpus,
	       (double)c->w.max_memory / (1024.0 * NP_SIM_MIB));
	printf("%-5s %-14s %7s %11s %10s %7s %8s %5s %9s %9s %9s\n", "load", "algorithm",
	       "placed", "local|1fits", "local|all", "nodes", "maxdist", "max", "refused", "no-fit",
	       "overcommit");
}

static void np_sim_row(const struct np_sim_capture *c, double load, const char *algo,
		       const struct np_sim_stats *st, FILE *csv)
{
	double nodes = st->placed ? (double)st->nodes / st->placed : 0;
	double dist = st->placed ? (double)st->maxdist / st->placed : 0;

	printf("%-5.2f %-14s %7u %10.1f%% %9.1f%% %7.3f %8.2f %5u %9u %9u %9u\n", load, algo,
	       st->placed, np_sim_local_could(st), np_sim_pct(st->local, st->placed), nodes, dist,
	       st->maxdist_max, st->refused_fit, st->refused_nofit, st->overcommit);
	if (csv)
		fprintf(csv, "%s,%.2f,%s,%u,%u,%.2f,%.2f,%.4f,%.3f,%u,%u,%u,%u\n", c->name, load,
			algo, st->placed, st->could_one, np_sim_local_could(st),
			np_sim_pct(st->local, st->placed), nodes, dist, st->maxdist_max,
			st->refused_fit, st->refused_nofit, st->overcommit);
}

/* --check: the built-in advisor's invariants. */
static int np_sim_check(const struct np_sim_capture *c, double load, const struct np_sim_algo *a,
			const struct np_sim_stats *st)
{
	if (strncmp(a->name, "builtin", 7) != 0)
		return st->placed > 0 ? 0 : -1;
	if (st->placed && st->overcommit == 0 && st->refused_fit == 0 &&
	    st->local_could == st->could_one)
		return 0;
	fprintf(stderr, "bench_sim: %s load %.2f %s: placed %u, over-commit %u, refused with a "
		"fit %u, split %u of %u guests one node could hold\n", c->name, load, a->name,
		st->placed, st->overcommit, st->refused_fit, st->could_one - st->local_could,
		st->could_one);
	return -1;
}

static int np_sim_capture_runs(struct np_sim_capture *c, const struct np_sim_opts *o,
			       struct np_sim_algo *algos)
{
	int bad = 0;

	np_sim_header(c);
	for (unsigned l = 0; l < o->nloads; l++) {
		c->w.load = o->loads[l];
		c->w.seed = o->seed + 1000u * l;
		for (unsigned a = 0; a < NP_SIM_ALGOS; a++) {
			int r = np_sim_run(&c->m, &algos[a], &c->w, &c->st[l][a]);

			if (r < 0) {
				fprintf(stderr, "bench_sim: %s: %s: %s\n", c->name, algos[a].name,
					strerror(-r));
				return r;
			}
			np_sim_row(c, o->loads[l], algos[a].name, &c->st[l][a], o->csv);
			if (o->check && np_sim_check(c, o->loads[l], &algos[a], &c->st[l][a]) < 0)
				bad = -1;
		}
	}
	return bad;
}

/* The target on this capture: builtin's fully-local share at least
 * every other algorithm's at every load, with zero over-commit. */
static unsigned np_sim_verdict(const struct np_sim_capture *c, const struct np_sim_opts *o,
			       const struct np_sim_algo *algos)
{
	unsigned misses = 0;

	for (unsigned l = 0; l < o->nloads; l++)
		for (unsigned b = 0; b < 2; b++)
			for (unsigned a = 2; a < NP_SIM_ALGOS; a++) {
				const struct np_sim_stats *mine = &c->st[l][b], *peer = &c->st[l][a];

				if (np_sim_local_could(mine) >= np_sim_local_could(peer) &&
				    mine->overcommit == 0)
					continue;
				printf("  NOT met: load %.2f: %s %.1f%% local, %u over-commit; %s %.1f%%\n",
				       o->loads[l], algos[b].name, np_sim_local_could(mine),
				       mine->overcommit, algos[a].name, np_sim_local_could(peer));
				misses++;
			}
	if (!misses)
		printf("  target met: builtin (pack and spread) keeps a guest on one node whenever "
		       "one node could hold it, at least as often as every peer, no over-commit\n");
	return misses;
}

/* One block of the gnuplot data file: load, then the local share when one
 * node could hold the guest for each algorithm, then the share of all
 * guests on one node for each algorithm. */
static void np_sim_dat(const struct np_sim_capture *c, const struct np_sim_opts *o,
		       const struct np_sim_algo *algos)
{
	fprintf(o->dat, "# %s\n# load", c->name);
	for (unsigned a = 0; a < NP_SIM_ALGOS; a++)
		fprintf(o->dat, " %s|1fits", algos[a].name);
	for (unsigned a = 0; a < NP_SIM_ALGOS; a++)
		fprintf(o->dat, " %s|all", algos[a].name);
	fprintf(o->dat, "\n");
	for (unsigned l = 0; l < o->nloads; l++) {
		fprintf(o->dat, "%.2f", o->loads[l]);
		for (unsigned a = 0; a < NP_SIM_ALGOS; a++)
			fprintf(o->dat, " %.2f", np_sim_local_could(&c->st[l][a]));
		for (unsigned a = 0; a < NP_SIM_ALGOS; a++)
			fprintf(o->dat, " %.2f", np_sim_pct(c->st[l][a].local, c->st[l][a].placed));
		fprintf(o->dat, "\n");
	}
	fprintf(o->dat, "\n\n");
}

static int np_sim_capture(const char *path, const struct np_sim_opts *o,
			  struct np_sim_algo *algos, unsigned *misses)
{
	struct np_sim_capture *c = calloc(1, sizeof(*c));
	struct np_err err = NP_ERR_INIT;
	int r = c ? 0 : -ENOMEM;

	if (r == 0 && (r = np_topology_load(path, &c->topo, &err)) < 0)
		fprintf(stderr, "bench_sim: %s\n", err.msg);
	if (r == 0 && (r = np_sim_machine_init(&c->m, c->topo)) < 0)
		fprintf(stderr, "bench_sim: %s: more than %u nodes\n", path, NP_SIM_MAX_NODES);
	if (r == 0) {
		c->path = path;
		c->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		c->w = (struct np_sim_workload){ .steps = o->steps, .burst = o->burst,
						 .burst_every = o->burst_every };
		np_sim_sizes(&c->m, &c->w);
		r = np_sim_capture_runs(c, o, algos);
	}
	if (r == 0 || (o->check && r == -1)) {
		*misses += np_sim_verdict(c, o, algos);
		if (o->dat)
			np_sim_dat(c, o, algos);
	}
	if (c)
		np_sim_machine_clear(&c->m);
	np_topology_free(c ? c->topo : NULL);
	free(c);
	np_err_clear(&err);
	return r;
}

int main(int argc, char **argv)
{
	struct np_sim_opts o = { .seed = 9, .loads = { 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0 },
				 .nloads = 7, .steps = 400, .burst = 32, .burst_every = 25 };
	struct np_sim_algo algos[NP_SIM_ALGOS];
	unsigned misses = 0;
	int rc = 0;

	np_sim_args(&o, argc, argv);
	if (np_sim_algos(algos) < 0)
		return 1;
	if (o.csv)
		fprintf(o.csv, "topology,load,algorithm,placed,could_one,local_when_one_fits_pct,"
			"local_all_pct,mean_nodes,mean_maxdist,max_maxdist,refused_with_fit,"
			"refused_no_fit,overcommit\n");
	printf("bench_sim: seed %llu, %u churn steps, bursts of %u every %u steps\n",
	       (unsigned long long)o.seed, o.steps, o.burst, o.burst_every);
	for (int i = optind; i < argc; i++)
		if (np_sim_capture(argv[i], &o, algos, &misses) < 0)
			rc = 1;
	printf("\nbuilt-in advisor target (fully-local share >= every peer, no over-commit): %s\n",
	       misses ? "NOT met everywhere (see above)" : "met on every capture and load");
	np_sim_builtin_clear(&algos[0]);
	np_sim_builtin_clear(&algos[1]);
	if (o.csv)
		fclose(o.csv);
	if (o.dat)
		fclose(o.dat);
	return rc;
}
