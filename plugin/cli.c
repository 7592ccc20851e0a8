/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int np_cli_fail(const char *context, const struct np_err *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";

	fprintf(stderr, "numaplace: %s: %s\n", context, msg);
	return np_err_exit_code(err);
}

/* One write for the whole line: LXC logs a hook's output read by read, and
 * a line written in pieces shows up cut into several log entries. */
int np_cli_usage(const char *context, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "numaplace: %s: %s\n", context, r >= 0 ? msg : fmt);
	free(msg);
	return NP_EXIT_USAGE;
}

int np_cli_help(const struct np_command *cmd)
{
	printf("Usage: numaplace [GLOBAL OPTIONS] %s\n\n%s\n", cmd->synopsis, cmd->summary);
	if (cmd->help && *cmd->help)
		printf("\n%s", cmd->help);
	printf("\nGlobal options: --config FILE, --topology SRC, --state-dir DIR, --json"
	       " (see numaplace --help).\n");
	return NP_EXIT_OK;
}

/* The long options plus --help, in a table getopt_long can take. */
static size_t np_cli_count_opts(const struct option *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

int np_cli_getopt(const struct np_command *cmd, int argc, char **argv,
		  const struct option *opts, int *exit_code)
{
	size_t n = np_cli_count_opts(opts);
	struct option all[n + 2];
	int c;

	if (n)
		memcpy(all, opts, n * sizeof(*opts));
	all[n] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n + 1] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	c = getopt_long(argc, argv, cmd->command_operand ? "+:h" : ":h", all, NULL);
	if (c == 'h') {
		*exit_code = np_cli_help(cmd);
		return NP_CLI_STOP;
	}
	if (c == '?' || c == ':') {
		const char *word = argv[optind - 1];

		*exit_code = np_cli_usage(cmd->name, "%s: %s", c == ':' ?
					  "option needs a value" : "unknown option", word);
		return NP_CLI_STOP;
	}
	return c;
}
