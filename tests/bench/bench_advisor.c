/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_advisor [CALLS [TOPOLOGY.xml]]: time np_advisor_builtin() on the
 * hand-made 64-node machine (16 packages x 4 nodes, asymmetric distances,
 * nearest pair 5,6) holding 1,000 guests, and print the median and the
 * 99th percentile of CALLS calls (10,000 by default) for a few requests.
 * With an hwloc XML capture, also time a 1-node and a 2-node request on it
 * (no reservations).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "np_test_topology.h"

#define GUESTS 1000u

struct bench {
	const char *what;
	unsigned vcpus;
	uint64_t memory;
	bool exclusive;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Time `calls` calls; print the figures and the nodes chosen. */
static int bench_one(const struct bench *b, struct np_advisor_input *in, struct np_settings *s,
		     uint64_t *ns, unsigned calls)
{
	struct np_request req = { "bench", b->vcpus, b->memory };
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	char *nodes;

	s->exclusive = b->exclusive;
	in->request = &req;
	for (unsigned i = 0; i < calls; i++) {
		uint64_t start = now_ns();
		int r = np_advisor_builtin(in, &adv, &err);

		ns[i] = now_ns() - start;
		if (r < 0) {
			fprintf(stderr, "bench_advisor: %s: %s\n", b->what, err.msg);
			np_err_clear(&err);
			return 1;
		}
		if (i + 1 < calls)
			np_advice_clear(&adv);
	}
	qsort(ns, calls, sizeof(*ns), cmp_u64);
	nodes = np_cpulist_format(&adv.nodes);
	printf("%-38s median %7.1f us   p99 %7.1f us   nodes %s\n", b->what, ns[calls / 2] / 1e3,
	       ns[calls - 1 - calls / 100] / 1e3, nodes ? nodes : "?");
	free(nodes);
	np_advice_clear(&adv);
	return 0;
}

/* The 1-node and 2-node requests on a loaded capture. */
static int bench_capture(const char *path, uint64_t *ns, unsigned calls)
{
	struct np_topology *t = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_settings s;
	struct np_advisor_input in = { NULL, &s, NULL, NULL, 0 };
	unsigned cpus;
	int rc;

	if (np_topology_load(path, &t, &err) < 0) {
		fprintf(stderr, "bench_advisor: %s\n", err.msg);
		np_err_clear(&err);
		return 1;
	}
	cpus = np_cpuset_count(&t->nodes[0].cpus);
	in.topo = t;
	np_test_settings(&s);
	printf("%s: %u nodes, %u CPUs, no guests, %u calls each\n", path, t->nnodes,
	       np_cpuset_count(&t->cpus), calls);
	rc = bench_one(&(struct bench){ "1-node request", cpus, 0, false }, &in, &s, ns, calls);
	if (rc == 0)
		rc = bench_one(&(struct bench){ "2-node request", cpus + 1, 0, false }, &in, &s, ns, calls);
	np_topology_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct bench benches[] = {
		{ "1-node request (4 vcpus, 8 GiB)", 4, 8 * NP_GIB, false },
		{ "2-node request (40 vcpus, 64 GiB)", 40, 64 * NP_GIB, false },
		{ "1-node exclusive (4 CPUs)", 4, 0, true },
		{ "grown set (100 vcpus)", 100, 0, false },
	};
	unsigned calls = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
	struct np_topology *t = np_test_machine64();
	struct np_record *recs = calloc(GUESTS, sizeof(*recs));
	uint64_t *ns = calloc(calls ? calls : 1, sizeof(*ns));
	struct np_settings s;
	struct np_advisor_input in = { t, &s, NULL, recs, GUESTS };
	int rc = 0;

	if (!recs || !ns || calls == 0)
		return 2;
	np_test_settings(&s);
	np_test_guests64(t, recs, GUESTS);
	printf("64 nodes, %u CPUs, %u guests, %u calls each\n", np_cpuset_count(&t->cpus), GUESTS, calls);
	for (size_t i = 0; i < NP_ARRAY_SIZE(benches) && rc == 0; i++)
		rc = bench_one(&benches[i], &in, &s, ns, calls);
	if (rc == 0 && argc > 2)
		rc = bench_capture(argv[2], ns, calls);
	np_test_records_free(recs, GUESTS);
	free(recs);
	free(ns);
	np_test_topology_free(t);
	return rc;
}
