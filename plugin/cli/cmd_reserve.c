/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace reserve: advise and record the reservation, touching no cgroup. */
#include "cli_engine.h"

static int np_reserve_run(struct np_cli *cli, int argc, char **argv)
{
	return np_cli_decide(cli, &np_cmd_reserve, argc, argv, false, np_engine_reserve);
}

const struct np_command np_cmd_reserve = {
	.name = "reserve",
	.synopsis = "reserve NAME [--vcpus N] [--memory SIZE]",
	.summary = "advise and record a reservation, touching no cgroup",
	.help = "  --vcpus N      vCPUs to place (default: the policy's, else 1)\n"
		"  --memory SIZE  memory to fit (default: the policy's, else not counted)\n"
		"For managers that apply cpusets themselves; `numaplace release NAME` frees it.\n"
		"The same NAME with another --vcpus/--memory is decided again under the lock\n"
		"(a placed guest's group is rewritten in place); when that does not fit,\n"
		"exit 1 and the old reservation stays. Exit 1 when nothing fits.\n",
	.run = np_reserve_run,
};
