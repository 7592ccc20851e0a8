/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace reconcile: make reservations and cgroups agree again. */
#include <getopt.h>
#include <stdio.h>

#include "cli_engine.h"

static int np_reconcile_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_engine *eng = NULL;
	struct np_report rep = { 0 };
	struct np_err err = NP_ERR_INIT;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_reconcile, argc, argv, NULL, &code)) != -1)
		if (c == NP_CLI_STOP)
			return code;
	if (argc - optind != 0)
		return np_cli_usage("reconcile", "takes no operands");
	if ((code = np_cli_engine_open(cli, "reconcile", &eng)) != 0)
		return code;
	code = NP_EXIT_OK;
	if (np_engine_reconcile(eng, &rep, &err) < 0)
		code = np_cli_fail("reconcile", &err);
	for (unsigned i = 0; i < rep.n; i++)
		printf("%s\n", rep.lines[i]);
	if (code == NP_EXIT_OK && rep.failed) {
		fflush(stdout);
		fprintf(stderr, "numaplace: reconcile: %u guest%s could not be reconciled\n",
			rep.failed, rep.failed == 1 ? "" : "s");
		code = NP_EXIT_FAILURE;
	}
	np_report_clear(&rep);
	np_err_clear(&err);
	np_engine_close(eng);
	return code;
}

const struct np_command np_cmd_reconcile = {
	.name = "reconcile",
	.live_only = true,
	.synopsis = "reconcile",
	.summary = "forget dead guests, undo half-done placements, re-apply shrunk cpusets",
	.help = "Prints one line per change made. Corrupt records are moved aside as\n"
		".corrupt.NAME.json in the state directory. Exits 1 when a guest could\n"
		"not be reconciled (a CPU of its cpuset still offline, say).\n",
	.run = np_reconcile_run,
};
