/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_BENCH_UTIL_H
#define NUMAPLACE_BENCH_UTIL_H

/*
 * What the benchmark programs share: a clock, order statistics, running a
 * command, and one line of figures in the printed table and in the CSV.
 * Benchmarks print figures; they decide nothing from them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t np_bench_now_ns(void);

/* The figures of one series of timings. */
struct np_bench_stats {
	unsigned n;
	double median_us;   /* nearest rank: sorted[(n - 1) / 2] */
	double p99_us;      /* nearest rank: sorted[ceil(0.99 n) - 1] */
	double min_us;
	double max_us;
};

/* Sort `ns[0..n)` (n >= 1) in place and compute its figures. */
void np_bench_stats(uint64_t *ns, unsigned n, struct np_bench_stats *out);

/* Run `argv` (argv[0] a path) with fork and execv, stdin and stdout on
 * /dev/null and stderr on /dev/null unless `keep_stderr`; wait for it and
 * add the CPU time it used to `*cpu_ns` (NULL: not counted). Returns the
 * exit status (0..255), 128 + N when killed by signal N, or a negative
 * errno when it could not be started. */
int np_bench_run(char *const argv[], bool keep_stderr, uint64_t *cpu_ns);

/* The same, with the child's stdout read into `out` (heap, NUL-ended, the
 * caller frees). */
int np_bench_run_output(char *const argv[], char **out, uint64_t *cpu_ns);

/* Where one series is reported: the table on stdout and a CSV line. */
struct np_bench_report {
	FILE *csv;           /* NULL: no CSV */
	const char *section; /* "live", "64n-1000", "numad", ... */
};

/* Print `what` with its figures as one table row, and as the CSV line
 * section,what,mode,n,median_us,p99_us,min_us,max_us,cpu_median_us;
 * `cpu_us` is the median CPU time of one run, negative when unknown. */
void np_bench_row(const struct np_bench_report *rep, const char *what, const char *mode,
		  const struct np_bench_stats *st, double cpu_us);

/* Print the CSV header line. */
void np_bench_csv_header(FILE *csv);

#endif
