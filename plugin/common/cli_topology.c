/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli_topology.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every plugin hwloc 2.9 ships. numaplace needs none: they discover I/O
 * devices, which it filters out, or parse XML with libxml2, where hwloc's
 * built-in parser serves. Loading them (libxml2 brings ICU, the GL one X11)
 * costs more than the rest of a load: on a 2-core VM a 64-node XML loads
 * in a fresh process in 5-20 ms without them, 33-76 ms with them
 * (tests/bench/bench_topology). */
#define NP_HWLOC_PLUGINS_UNUSED "hwloc_pci,hwloc_opencl,hwloc_cuda,hwloc_nvml,hwloc_rsmi," \
	"hwloc_levelzero,hwloc_gl,hwloc_xml_libxml"

int np_cli_topology_env(const struct np_cli *cli, struct np_err *err)
{
	struct stat st;
	int r;

	/* hwloc prints some failures itself ("Topology does not contain any
	 * NUMA node, aborting!"): numaplace reports them on its one line. */
	if (setenv("HWLOC_HIDE_ERRORS", "2", 0) < 0)
		return np_err_set(err, -errno, "HWLOC_HIDE_ERRORS: %s", strerror(errno));
	if (setenv("HWLOC_PLUGINS_BLACKLIST", NP_HWLOC_PLUGINS_UNUSED, 0) < 0)
		return np_err_set(err, -errno, "HWLOC_PLUGINS_BLACKLIST: %s", strerror(errno));
	if (cli->topology && stat(cli->topology, &st) == 0 && S_ISDIR(st.st_mode))
		r = setenv("HWLOC_FSROOT", cli->topology, 1);
	else
		r = unsetenv("HWLOC_FSROOT");
	if (r < 0)
		return np_err_set(err, -errno, "HWLOC_FSROOT: %s", strerror(errno));
	return 0;
}

int np_cli_topology_load(const struct np_cli *cli, struct np_topology **out,
			 struct np_err *err)
{
	int r = np_cli_topology_env(cli, err);

	return r < 0 ? r : np_topology_load(cli->topology, out, err);
}
