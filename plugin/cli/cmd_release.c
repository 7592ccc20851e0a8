/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace release: remove the guest's cgroup and its reservation. */
#include <getopt.h>
#include <stddef.h>

#include "cli_engine.h"

static int np_release_run(struct np_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_release, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code;
		force = true;
	}
	if (argc - optind != 1)
		return np_cli_usage("release", "usage: numaplace %s", np_cmd_release.synopsis);
	return np_cli_release(cli, "release", argv[optind], force);
}

const struct np_command np_cmd_release = {
	.name = "release",
	.synopsis = "release NAME [--force]",
	.summary = "remove the guest's cgroup (one numaplace made) and its reservation",
	.help = "  --force  move tasks still in the group back to the group the process came\n"
		"           from (else to its parent), then remove it\n"
		"Releasing a guest that is not placed is not an error; it also forgets the\n"
		"guest's last refusal (status REFUSED).\n",
	.run = np_release_run,
};
