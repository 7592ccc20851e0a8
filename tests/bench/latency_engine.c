/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine calls timed by bench_latency. */
#include "latency_engine.h"

#include <stdio.h>

static int np_lat_eng_fail(const char *what, struct np_err *err)
{
	fprintf(stderr, "bench_latency: %s: %s\n", what, err->msg ? err->msg : "failed");
	np_err_clear(err);
	return -1;
}

int np_lat_engine_open(const char *conf, const char *state, const char *topo,
		       struct np_engine **out)
{
	struct np_engine_opts opts = {
		.config = conf,
		.config_required = true,
		.topology = topo,
		.state_dir = state,
	};
	struct np_err err = NP_ERR_INIT;

	if (np_engine_open(&opts, out, NULL, &err) < 0)
		return np_lat_eng_fail("engine", &err);
	return 0;
}

int np_lat_eng_advise(void *ctx)
{
	struct np_lat_eng *c = ctx;
	struct np_err err = NP_ERR_INIT;
	struct np_result res;

	if (np_engine_advise(c->eng, &c->req, &res, &err) < 0)
		return np_lat_eng_fail("advise", &err);
	np_result_clear(&res);
	return 0;
}

int np_lat_eng_reserve(void *ctx)
{
	struct np_lat_eng *c = ctx;
	struct np_err err = NP_ERR_INIT;
	struct np_result res;

	if (np_engine_reserve(c->eng, &c->req, &res, &err) < 0)
		return np_lat_eng_fail("reserve", &err);
	np_result_clear(&res);
	if (np_engine_release(c->eng, c->req.name, false, &err) < 0)
		return np_lat_eng_fail("release", &err);
	return 0;
}

int np_lat_eng_place(void *ctx)
{
	struct np_lat_eng *c = ctx;
	struct np_err err = NP_ERR_INIT;
	struct np_result res;

	if (np_engine_place(c->eng, &c->req, &res, &err) < 0)
		return np_lat_eng_fail("place", &err);
	np_result_clear(&res);
	if (np_engine_release(c->eng, c->req.name, true, &err) < 0)
		return np_lat_eng_fail("release", &err);
	return 0;
}
