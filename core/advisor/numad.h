/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_NUMAD_H
#define NUMAPLACE_NUMAD_H

#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"
#include "policy.h"
#include "topology.h"

/*
 * Asking numad for pre-placement advice: `numad -w NCPUS:MB`, run without a
 * shell, outside the ledger lock. numad -w sleeps 2 s to sample the
 * machine, and concurrent `numad -w` calls are known to hang, so every call
 * holds an flock on a lock file shared machine-wide and the whole call
 * (waiting for that lock included) is bounded by one timeout.
 */

/* What numad said: its nodes, or why it gave no usable answer. */
struct np_numad_answer {
	struct np_cpuset nodes;  /* OS node ids; valid when err.code == 0 */
	struct np_err err;       /* code 0: numad answered */
};

/* Largest output numad may print (each of stdout and stderr) before the
 * answer is refused as garbage. */
#define NP_NUMAD_OUTPUT_MAX 65536u

/* The argument of -w: "VCPUS:MB" with memory rounded up to MiB (":0" when
 * memory is not counted; numad accepts it). vcpus 0 means 1. Input error
 * when a figure exceeds what numad parses (an int, vcpus scaled by 100).
 * Heap string in `*out`. */
int np_numad_arg(unsigned vcpus, uint64_t memory, char **out, struct np_err *err);

/* Parse numad's stdout `text` (`len` bytes, then a NUL) strictly: one
 * node list ("0", "0-1", "0,2-3") and an optional final newline, nothing
 * else; every node must exist in `topo` and have CPUs. Errors quote the
 * output, escaped and shortened. `*nodes` untouched on failure. */
int np_numad_parse(const char *text, size_t len, const struct np_topology *topo,
		   struct np_cpuset *nodes, struct np_err *err);

/* Where dpkg-divert puts the real numad when numaplace answers at
 * /usr/bin/numad (contrib/libvirt/README.md). */
#define NP_NUMAD_DISTRIB "/usr/bin/numad.distrib"

/* The numad binary to run for `numad` (a path, or a name looked up in
 * $PATH): itself, unless it is the running program (numaplace diverted in
 * as numad, compared with /proc/self/exe), then NP_NUMAD_DISTRIB; -ELOOP
 * when that is missing too. Heap string in `*out`. */
int np_numad_resolve(const char *numad, char **out, struct np_err *err);

/*
 * Run `numad -w ARG` (`numad` is a path, or a name looked up in PATH) in
 * its own process group, stdin /dev/null, stdout and stderr captured.
 * Before that, take an exclusive flock on `lock_path` (created 0600 when
 * missing; NULL: no lock). The lock wait and the run together end after
 * `timeout_ms` (> 0): then the whole process group is killed with SIGKILL
 * and reaped, and the call fails with -ETIMEDOUT. A failure to start, a
 * signal, a non-zero exit or output np_numad_parse() refuses is an error
 * quoting what numad printed. Never blocks past the timeout (save for
 * reaping a child already sent SIGKILL).
 */
int np_numad_run(const char *numad, const char *lock_path, uint64_t timeout_ms,
		 const struct np_topology *topo, unsigned vcpus, uint64_t memory,
		 struct np_cpuset *nodes, struct np_err *err);

/* np_numad_run() with settings->numad and settings->numad_timeout_ms, its
 * outcome stored in `*out` (which must start zeroed or cleared). */
void np_numad_ask(const struct np_settings *settings, const char *lock_path,
		  const struct np_topology *topo, unsigned vcpus, uint64_t memory,
		  struct np_numad_answer *out);

/* Free the answer's message and zero it. */
void np_numad_answer_clear(struct np_numad_answer *answer);

#endif
