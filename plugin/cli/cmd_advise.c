/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace advise: what `place` would choose, with no side effect. */
#include "cli_engine.h"

static int np_advise_run(struct np_cli *cli, int argc, char **argv)
{
	return np_cli_decide(cli, &np_cmd_advise, argc, argv, false, np_engine_advise);
}

const struct np_command np_cmd_advise = {
	.name = "advise",
	.synopsis = "advise NAME [--vcpus N] [--memory SIZE]",
	.summary = "print what place would choose, changing nothing",
	.help = "  --vcpus N      vCPUs to place (default: the policy's, else 1)\n"
		"  --memory SIZE  memory to fit, e.g. 512M, 8G (default: the policy's, else not counted)\n"
		"Text: cpus=LIST mems=LIST advisor=NAME. Exit 1 when nothing fits.\n",
	.run = np_advise_run,
};
