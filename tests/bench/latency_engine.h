/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_BENCH_LATENCY_ENGINE_H
#define NUMAPLACE_BENCH_LATENCY_ENGINE_H

/* The in-process operations of bench_latency: engine calls as np_lat_op. */
#include "engine.h"

struct np_lat_eng {
	struct np_engine *eng;
	struct np_request_opts req;
};

/* Open an engine on `conf` (required), `state` and `topo` (NULL: live);
 * prints the error and returns -1 on failure. */
int np_lat_engine_open(const char *conf, const char *state, const char *topo,
		       struct np_engine **out);

/* np_engine_advise() of ctx->req. */
int np_lat_eng_advise(void *ctx);

/* np_engine_reserve() of ctx->req, then np_engine_release(). */
int np_lat_eng_reserve(void *ctx);

/* np_engine_place() of ctx->req, then np_engine_release() with force. */
int np_lat_eng_place(void *ctx);

#endif
