/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_topology [-n LOADS] [SOURCE...]: how long np_topology_load takes.
 * Loads each SOURCE (an hwloc XML file; "live" for this machine; default:
 * the 64-node fixture) LOADS times (default 200) and prints the minimum,
 * median, 90th percentile and maximum in milliseconds. A benchmark: it
 * prints figures and judges nothing.
 *
 * It loads in whatever hwloc environment it is given. The CLI keeps hwloc's
 * plugins out (plugin/common/cli_topology.c); to measure what the CLI sees, run it
 * with HWLOC_PLUGINS_BLACKLIST=hwloc_pci,hwloc_opencl,hwloc_cuda,hwloc_nvml,
 * hwloc_rsmi,hwloc_levelzero,hwloc_gl,hwloc_xml_libxml. Without that,
 * hwloc loads and unloads every plugin (libxml2 among them) on each load.
 * `-n 1` in a fresh process gives the cold, first-load figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "topology.h"

#define DEFAULT_SOURCE NP_FIXTURES "/topologies/64n-synthetic-asym.xml"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Time one load of `source`; -1 when it fails (message printed). */
static double time_load(const char *source, unsigned *nnodes)
{
	struct np_err err = NP_ERR_INIT;
	struct np_topology *topo = NULL;
	double start = now_ms(), end;

	if (np_topology_load(source, &topo, &err) < 0) {
		fprintf(stderr, "bench_topology: %s\n", err.msg);
		np_err_clear(&err);
		return -1;
	}
	end = now_ms();
	*nnodes = topo->nnodes;
	np_topology_free(topo);
	return end - start;
}

static int bench(const char *label, const char *source, unsigned loads)
{
	_cleanup_free_ double *ms = calloc(loads, sizeof(*ms));
	unsigned nnodes = 0;

	if (!ms)
		return -1;
	for (unsigned i = 0; i < loads; i++)
		if ((ms[i] = time_load(source, &nnodes)) < 0)
			return -1;
	qsort(ms, loads, sizeof(*ms), cmp_double);
	printf("%s: %u nodes, %u loads: min %.2f ms, median %.2f ms, p90 %.2f ms, max %.2f ms\n",
	       label, nnodes, loads, ms[0], ms[loads / 2], ms[loads * 9 / 10], ms[loads - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned loads = 200;
	int c, r = 0;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (loads = (unsigned)strtoul(optarg, NULL, 10)) == 0) {
			fprintf(stderr, "usage: bench_topology [-n LOADS] [SOURCE|live ...]\n");
			return 2;
		}
	}
	if (optind == argc)
		return bench(DEFAULT_SOURCE, DEFAULT_SOURCE, loads) < 0;
	for (int i = optind; i < argc; i++) {
		bool live = strcmp(argv[i], "live") == 0;

		r |= bench(argv[i], live ? NULL : argv[i], loads) < 0;
	}
	return r;
}
