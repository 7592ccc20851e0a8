/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Latency on the 64-node capture with many guests already reserved. */
#include "latency.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "advisor.h"
#include "cleanup.h"
#include "latency_engine.h"
#include "ledger.h"

#define NP_LAT_WARMUP 10u
#define NP_MIB (UINT64_C(1) << 20)

/* The decision alone: the built-in advisor over records held in memory. */
struct np_lat_decide {
	struct np_advisor_input in;
	struct np_settings settings;
	struct np_request request;
};

static int np_lat_decide_op(void *ctx)
{
	struct np_lat_decide *d = ctx;
	struct np_err err = NP_ERR_INIT;
	struct np_advice adv;

	if (np_advisor_builtin(&d->in, &adv, &err) < 0) {
		fprintf(stderr, "bench_latency: advisor: %s\n", err.msg);
		np_err_clear(&err);
		return -1;
	}
	np_advice_clear(&adv);
	return 0;
}

/* Decide guest i (1 or 2 vcpus, 32 to 64 MiB) over guests 0 .. i-1, as
 * `reserve` would, into recs[i]. */
static int np_lat_guest(struct np_engine *eng, const struct np_topology *topo,
			struct np_record *recs, unsigned i, struct np_err *err)
{
	struct np_request req = { .vcpus = 1 + i % 2, .memory = (32 + 16 * (i % 3)) * NP_MIB };
	struct np_advisor_input in = { topo, NULL, &req, recs, i };
	struct np_advice adv;
	struct np_settings s;
	int r;

	snprintf(recs[i].name, sizeof(recs[i].name), "g%04u", i);
	req.name = recs[i].name;
	in.settings = &s;
	if ((r = np_engine_settings(eng, req.name, &s, err)) < 0 ||
	    (r = np_advisor_builtin(&in, &adv, err)) < 0)
		return r;
	r = np_advice_to_record(&adv, &recs[i], err);
	np_advice_clear(&adv);
	recs[i].phase = NP_PHASE_RESERVED;
	recs[i].time = (int64_t)time(NULL);
	return r;
}

/* Reserve `n` guests through the ledger API, each decided by the built-in
 * advisor over those before it: what n `numaplace reserve` calls leave. */
static int np_lat_fill(struct np_engine *eng, const struct np_topology *topo,
		       const char *state, struct np_record *recs, unsigned n)
{
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *ledger = NULL;
	int r = np_ledger_open(state, NULL, &ledger, &err);

	if (r == 0)
		r = np_ledger_lock(ledger, &err);
	for (unsigned i = 0; r == 0 && i < n; i++) {
		r = np_lat_guest(eng, topo, recs, i, &err);
		if (r == 0)
			r = np_ledger_write(ledger, &recs[i], &err);
	}
	np_ledger_close(ledger);
	if (r < 0)
		fprintf(stderr, "bench_latency: filling %s: %s\n", state, err.msg);
	np_err_clear(&err);
	return r;
}

static int np_lat_fixture_inprocess(struct np_lat *lat, struct np_engine *eng,
				    struct np_lat_decide *d)
{
	struct np_lat_eng ctx = { .eng = eng };
	struct np_bench_stats st;
	int r;

	r = np_lat_series(lat, "advise (decision alone)", "in-process", lat->runs, NP_LAT_WARMUP,
			  np_lat_decide_op, d, &st);
	ctx.req = (struct np_request_opts){ .name = "bench-advise", .vcpus = 2,
					    .memory = 256 * NP_MIB };
	if (r == 0)
		r = np_lat_series(lat, "advise", "in-process", lat->runs, NP_LAT_WARMUP,
				  np_lat_eng_advise, &ctx, &st);
	lat->advise_64n_p99 = r == 0 ? st.p99_us : 0;
	ctx.req.name = "bench-reserve";
	if (r == 0)
		r = np_lat_series(lat, "reserve + release", "in-process", lat->runs,
				  NP_LAT_WARMUP, np_lat_eng_reserve, &ctx, &st);
	return r;
}

static int np_lat_fixture_command(struct np_lat *lat, const char *conf, const char *state)
{
	const char *const advise[] = { "advise", "bench-advise", "--vcpus", "2", "--memory", "256M", NULL };
	const char *const reserve[] = { "reserve", "bench-reserve", "--vcpus", "2", "--memory", "256M", NULL };
	const char *const release[] = { "release", "bench-reserve", NULL };
	struct np_lat_cmd one, two[2];
	struct np_bench_stats st;
	int r;

	np_lat_cmd_init(&one, lat, conf, state, lat->fixture, advise);
	r = np_lat_series(lat, "advise", "command", lat->runs, NP_LAT_WARMUP, np_lat_cmd_op,
			  &one, &st);
	np_lat_cmd_init(&two[0], lat, conf, state, lat->fixture, reserve);
	np_lat_cmd_init(&two[1], lat, conf, state, lat->fixture, release);
	if (r == 0)
		r = np_lat_series(lat, "reserve + release", "command", lat->runs, NP_LAT_WARMUP,
				  np_lat_cmd_pair_op, two, &st);
	return r;
}

/* Everything after the engine is open and the topology loaded. */
static int np_lat_fixture_run(struct np_lat *lat, struct np_engine *eng,
			      const struct np_topology *topo, const char *conf, const char *state)
{
	struct np_record *recs = calloc(lat->guests, sizeof(*recs));
	struct np_lat_decide d = { .request = { "bench-advise", 2, 256 * NP_MIB } };
	struct np_err err = NP_ERR_INIT;
	int r = recs ? 0 : -1;

	if (r == 0)
		r = np_lat_fill(eng, topo, state, recs, lat->guests);
	if (r == 0 && np_engine_settings(eng, "bench-advise", &d.settings, &err) < 0)
		r = -1;
	d.in = (struct np_advisor_input){ topo, &d.settings, &d.request, recs, lat->guests };
	if (r == 0)
		r = np_lat_fixture_inprocess(lat, eng, &d);
	if (r == 0)
		r = np_lat_fixture_command(lat, conf, state);
	for (unsigned i = 0; recs && i < lat->guests; i++)
		np_record_clear(&recs[i]);
	free(recs);
	np_err_clear(&err);
	return r;
}

int np_lat_fixture(struct np_lat *lat)
{
	_cleanup_free_ char *conf = np_lat_path(lat->work, "64n.conf");
	_cleanup_free_ char *state = np_lat_path(lat->work, "state-64n");
	const struct np_topology *topo = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_engine *eng = NULL;
	int r;

	printf("\n64-node capture %s, %u guests reserved, cpu-overcommit 8, "
	       "request 2 vcpus, 256M:\n", lat->fixture, lat->guests);
	lat->rep.section = "64n";
	if (!conf || !state || np_lat_write_file(conf, "[placement]\ncpu-overcommit = 8\n") < 0)
		return -1;
	r = np_lat_engine_open(conf, state, lat->fixture, &eng);
	if (r == 0 && np_engine_topology(eng, &topo, &err) < 0) {
		fprintf(stderr, "bench_latency: %s\n", err.msg);
		r = -1;
	}
	if (r == 0)
		r = np_lat_fixture_run(lat, eng, topo, conf, state);
	np_engine_close(eng);
	np_err_clear(&err);
	return r;
}
