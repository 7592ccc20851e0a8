/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli_topology.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int np_cli_topology_load(const struct np_cli *cli, struct np_topology **out,
			 struct np_err *err)
{
	struct stat st;
	int r;

	if (cli->topology && stat(cli->topology, &st) == 0 && S_ISDIR(st.st_mode))
		r = setenv("HWLOC_FSROOT", cli->topology, 1);
	else
		r = unsetenv("HWLOC_FSROOT");
	if (r < 0)
		return np_err_set(err, -errno, "HWLOC_FSROOT: %s", strerror(errno));
	return np_topology_load(cli->topology, out, err);
}
