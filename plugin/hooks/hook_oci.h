/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_HOOK_OCI_H
#define NUMAPLACE_HOOK_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpuset.h"
#include "err.h"
#include "name.h"

struct np_cli;

/* `numaplace hook oci create|delete`; argv[0] is "oci". Reads the
 * container state on stdin. Returns the exit code. */
int np_hook_oci_run(struct np_cli *cli, int argc, char **argv);

/* What an OCI runtime told the hook: its state on stdin and the bundle's
 * config.json, checked. */
struct np_oci_state {
	char name[NP_NAME_MAX + 1]; /* org.numaplace.name, else the container id */
	pid_t pid;                  /* the container's init; 0 (at poststop) when unknown */
	unsigned vcpus;             /* org.numaplace.vcpus; 0: not set */
	uint64_t memory;            /* org.numaplace.memory; 0: not set */
	bool exclusive;             /* org.numaplace.exclusive = yes */
	bool has_cpus;              /* config.json sets linux.resources.cpu.cpus */
	struct np_cpuset cpus;
};

/* Parse the state JSON `text` ({"ociVersion","id","status","pid","bundle",
 * "annotations"}) and read BUNDLE/config.json. For `create` the status must
 * be `creating` or `created` and the pid set; at delete the pid may be 0 or
 * missing. Annotations come from the state, else from config.json. An input
 * error (quoting the field) for anything missing or malformed; `*out` is
 * untouched on failure. */
int np_oci_state_parse(const char *text, bool create, struct np_oci_state *out,
		       struct np_err *err);

#endif
