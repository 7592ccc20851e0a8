/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

char *np_cli_escape(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			n += (size_t)sprintf(out + n, "\\n");
		else if (*p == '\t')
			n += (size_t)sprintf(out + n, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			n += (size_t)sprintf(out + n, "\\x%02x", *p);
		else
			out[n++] = (char)*p;
	}
	out[n] = '\0';
	return out;
}

/* One write for the whole line: LXC logs a hook's output read by read, and
 * a line written in pieces shows up cut into several log entries. Control
 * bytes (from a path, say) are escaped so that the line stays one line. */
static void np_cli_error_line(const char *context, const char *msg)
{
	_cleanup_free_ char *esc_context = np_cli_escape(context);
	_cleanup_free_ char *esc_msg = np_cli_escape(msg);

	fprintf(stderr, "numaplace: %s: %s\n", esc_context ? esc_context : "?",
		esc_msg ? esc_msg : "out of memory");
}

int np_cli_fail(const char *context, struct np_err *err)
{
	int code = np_err_exit_code(err);

	np_cli_error_line(context, err && err->msg ? err->msg : "unknown error");
	np_err_clear(err);
	return code;
}

void np_cli_verror(const char *context, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	np_cli_error_line(context, msg ? msg : "out of memory");
}

int np_cli_usage(const char *context, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	np_cli_verror(context, fmt, ap);
	va_end(ap);
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
