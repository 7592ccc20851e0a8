/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CLI_H
#define NUMAPLACE_CLI_H

#include <stdarg.h>
#include <stdbool.h>

#include "err.h"
#include "paths.h"

/*
 * The command line front end. main.c takes the global options (anywhere
 * before `--`) and hands each subcommand its own words: argv[0] is the
 * subcommand's name, the rest are its options and operands.
 */
struct np_cli {
	const char *config;     /* --config / NUMAPLACE_CONFIG (named by the user:
				 * missing is an error); NULL: the default file */
	const char *topology;   /* --topology / NUMAPLACE_TOPOLOGY; NULL: live */
	const char *state_dir;  /* --state-dir / NUMAPLACE_STATE_DIR */
	bool json;              /* --json */
};

struct np_command {
	const char *name;
	const char *synopsis;   /* "cpulist [--dialect kernel|libvirt] [--mask] LIST" */
	const char *summary;    /* one line for `numaplace --help` */
	const char *help;       /* the subcommand's options, for `CMD --help` */
	bool command_operand;   /* options end at the first operand (run's CMD) */
	bool live_only;         /* refused with a captured topology (it acts on the machine) */
	int (*run)(struct np_cli *cli, int argc, char **argv);
};

/* Exit codes of docs/contract.md. */
enum { NP_EXIT_OK = 0, NP_EXIT_FAILURE = 1, NP_EXIT_USAGE = 2 };

/* `s` with every control byte escaped (\n, \t, \xNN), so that it prints
 * on one line; other bytes are kept. Heap string, NULL when out of memory. */
char *np_cli_escape(const char *s);

/* Print "numaplace: CONTEXT: MESSAGE" for `err` on stderr, one line with
 * control bytes escaped, clear `err`, and return the exit code it called
 * for (1 runtime, 2 input). */
int np_cli_fail(const char *context, struct np_err *err);

/* Print "numaplace: CONTEXT: MESSAGE" on stderr, MESSAGE formatted from
 * `fmt` and `ap`: one line in one write, control bytes escaped. */
void np_cli_verror(const char *context, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* np_cli_verror with the arguments inline, then return 2. */
int np_cli_usage(const char *context, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the subcommand's help on stdout and return 0. */
int np_cli_help(const struct np_command *cmd);

struct option;

/* The result of np_cli_getopt() when the subcommand must stop: `--help`
 * was printed (*exit_code = 0) or an option was wrong (*exit_code = 2). */
#define NP_CLI_STOP (-2)

/*
 * getopt_long over a subcommand's words, with `--help` handled here.
 * Returns the option's value, -1 when the options end (operands start at
 * optind), or NP_CLI_STOP with *exit_code set. An option's `val` must not
 * be 'h', which is kept for --help.
 */
int np_cli_getopt(const struct np_command *cmd, int argc, char **argv,
		  const struct option *opts, int *exit_code);

/* Every subcommand, defined in its own cmd_*.c file. */
extern const struct np_command np_cmd_cpulist;
extern const struct np_command np_cmd_advise;
extern const struct np_command np_cmd_reserve;
extern const struct np_command np_cmd_place;
extern const struct np_command np_cmd_release;
extern const struct np_command np_cmd_run;
extern const struct np_command np_cmd_status;
extern const struct np_command np_cmd_reconcile;
extern const struct np_command np_cmd_check_config;
extern const struct np_command np_cmd_topology;
extern const struct np_command np_cmd_hook;
extern const struct np_command np_cmd_numad;

#endif
