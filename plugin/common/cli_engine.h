/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CLI_ENGINE_H
#define NUMAPLACE_CLI_ENGINE_H

#include "cli.h"
#include "engine.h"

/*
 * The CLI's side of the engine: open it from the global options (the
 * topology directory is handed to hwloc through HWLOC_FSROOT here, the only
 * place that may set it), log decisions to syslog, and print results.
 */

/* Open the engine for `cli`. On failure prints the one error line (or the
 * config's FILE:LINE problems) and returns the exit code; 0 on success. */
int np_cli_engine_open(const struct np_cli *cli, const char *command, struct np_engine **out);

/* The options of a request, --vcpus N and --memory SIZE: their ids (a
 * subcommand numbers its own options from NP_CLI_OPT_REQUEST_END) and their
 * two rows of a struct option table (from <getopt.h>). */
enum { NP_CLI_OPT_VCPUS = 1, NP_CLI_OPT_MEMORY, NP_CLI_OPT_REQUEST_END };
#define NP_CLI_REQUEST_OPTIONS \
	{ "vcpus", required_argument, NULL, NP_CLI_OPT_VCPUS }, \
	{ "memory", required_argument, NULL, NP_CLI_OPT_MEMORY }

/* Store the value (optarg) of the request option `c`, NP_CLI_OPT_VCPUS or
 * NP_CLI_OPT_MEMORY, in `out`; an input error when it does not parse. */
int np_cli_request_opt(int c, struct np_request_opts *out, struct np_err *err);

/* Open the engine and release the guest `name` (np_engine_release), the
 * one error line under `context` on failure. Returns the exit code. */
int np_cli_release(struct np_cli *cli, const char *context, const char *name, bool force);

/* The same as a hook's stop stage (np_engine_release_stage): a guest with
 * no record keeps its refusal. */
int np_cli_release_stage(struct np_cli *cli, const char *context, const char *name);

/* Parse a PID operand (1 .. INT32_MAX). */
int np_cli_pid_parse(const char *text, pid_t *out, struct np_err *err);

struct json_object;

/* The JSON shape (docs/contract.md) of a decision: name, cpus, mems, nodes, advisor,
 * fallback, reason (advise, reserve and place print it; status adds to it).
 * NULL when out of memory. */
struct json_object *np_cli_result_json(const struct np_record *rec);

/* Print a decision's result on stdout, as text or (--json) as
 * np_cli_result_json(). */
void np_cli_print_result(const struct np_cli *cli, const struct np_result *res);

/* Open the engine, call `fn` with `req`, print the result or the one
 * error line under `context`. Returns the exit code. */
int np_cli_decide_request(struct np_cli *cli, const char *context,
			  const struct np_request_opts *req, np_engine_decide_fn fn);

/* The whole of advise, reserve and place: parse the request (with a PID
 * operand when `want_pid`), open the engine, call `fn`, print the result.
 * Returns the exit code. */
int np_cli_decide(struct np_cli *cli, const struct np_command *cmd, int argc, char **argv,
		  bool want_pid, np_engine_decide_fn fn);

#endif
