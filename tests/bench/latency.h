/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_BENCH_LATENCY_H
#define NUMAPLACE_BENCH_LATENCY_H

/*
 * bench_latency: how long numaplace takes to decide and to place, in
 * process (the engine kept open, as a manager holding the module does) and
 * as a whole command (fork + exec of the built `numaplace`), next to
 * `numad -w` for the same request. See docs/benchmarks.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench_util.h"
#include "engine.h"

/* CPU time of the child commands of one timed operation. */
struct np_lat_cpu {
	uint64_t ns;
	bool seen;
};

struct np_lat {
	const char *numaplace;   /* the built numaplace binary */
	const char *numad;       /* the numad binary; NULL: skip numad */
	const char *fixture;     /* the 64-node hwloc XML */
	const char *work;        /* an empty directory for configs and state */
	const char *parent;      /* a cpuset group name unique to this run */
	unsigned runs;           /* timings per series */
	unsigned guests;         /* guests in the ledger on the fixture */
	unsigned numad_calls;    /* numad -w calls with and without its daemon */
	struct np_bench_report rep;
	uint64_t *ns;            /* runs (or numad_calls) slots */
	uint64_t *cpu_ns;        /* the same, CPU time */
	struct np_lat_cpu cpu;   /* what the operation being timed used */
	double advise_cmd_us;    /* median of the whole `numaplace advise` command, live */
	double advise_64n_p99;   /* p99 of the in-process advise on the fixture */
};

/* One operation timed as a unit; returns 0 on success, else prints why. */
typedef int (*np_lat_op)(void *ctx);

/* Time `runs` calls of `op` after `warmup` untimed ones into `lat->ns`,
 * and the CPU time each used into `lat->cpu_ns` (the commands' when it ran
 * commands, else this process's), print the row and fill `st`. Returns
 * the first failure of `op`. */
int np_lat_series(struct np_lat *lat, const char *what, const char *mode, unsigned runs,
		  unsigned warmup, np_lat_op op, void *ctx, struct np_bench_stats *st);

/* "DIR/NAME" on the heap, NULL when out of memory. */
char *np_lat_path(const char *dir, const char *name);

/* Write `text` into the new file `path`. */
int np_lat_write_file(const char *path, const char *text);

/* The whole command: numaplace --config CONF --state-dir STATE
 * [--topology TOPO] followed by up to 8 words. */
struct np_lat_cmd {
	char *argv[16];
	struct np_lat_cpu *cpu;
};

void np_lat_cmd_init(struct np_lat_cmd *cmd, struct np_lat *lat, const char *conf,
		     const char *state, const char *topo, const char *const *words);

/* Run one command (the ctx is a struct np_lat_cmd); exit 0 expected. */
int np_lat_cmd_op(void *ctx);

/* Run two commands in a row (ctx: struct np_lat_cmd[2]). */
int np_lat_cmd_pair_op(void *ctx);

/* The live machine: the engine and the whole command for advise,
 * reserve + release and place + release under lat->parent. */
int np_lat_live(struct np_lat *lat);

/* The 64-node fixture with lat->guests guests reserved: the decision
 * alone, the engine and the whole command for advise and reserve + release. */
int np_lat_fixture(struct np_lat *lat);

/* numad -w for the live request, without and with its daemon (started
 * and stopped here). */
int np_lat_numad(struct np_lat *lat);

#endif
