/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace place: reserve, create the cgroup, write cpus then mems, move PID. */
#include "cli_engine.h"

static int np_place_run(struct np_cli *cli, int argc, char **argv)
{
	return np_cli_decide(cli, &np_cmd_place, argc, argv, true, np_engine_place);
}

const struct np_command np_cmd_place = {
	.name = "place",
	.live_only = true,
	.synopsis = "place NAME PID [--vcpus N] [--memory SIZE]",
	.summary = "reserve, create <cgroup-parent>/NAME and move PID (all threads) into it",
	.help = "  --vcpus N      vCPUs to place (default: the policy's, else 1)\n"
		"  --memory SIZE  memory to fit (default: the policy's, else not counted)\n"
		"A thread id stands for its process. The same NAME and PID again is a no-op,\n"
		"unless the size differs: then it is decided again and the group rewritten\n"
		"in place (no fit: exit 1, nothing changes). Another live PID under the same\n"
		"NAME exits 1. Any failure rolls back: no group, no reservation left.\n",
	.run = np_place_run,
};
