/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CLI_TOPOLOGY_H
#define NUMAPLACE_CLI_TOPOLOGY_H

#include "cli.h"
#include "topology.h"

/*
 * Prepare hwloc's environment for the topology the command line names:
 * the only place numaplace sets hwloc's variables (HWLOC_HIDE_ERRORS,
 * unless the user set it; HWLOC_PLUGINS_BLACKLIST and HWLOC_FSROOT, see
 * np_cli_topology_load). Every hwloc load of the CLI comes after it.
 */
int np_cli_topology_env(const struct np_cli *cli, struct np_err *err);

/*
 * Load the topology the command line names (--topology / NUMAPLACE_TOPOLOGY,
 * else the live machine). For a directory it first sets HWLOC_FSROOT to it,
 * since hwloc reads a sysfs root only from there; otherwise it unsets
 * HWLOC_FSROOT so that "live" is this machine. Unless the user set
 * HWLOC_PLUGINS_BLACKLIST, it keeps hwloc from loading its plugins (I/O
 * discovery and libxml2), which numaplace does not use and which would
 * make up most of the load time. Errors as np_topology_load.
 */
int np_cli_topology_load(const struct np_cli *cli, struct np_topology **out,
			 struct np_err *err);

#endif
