/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_HOOK_LIBVIRT_H
#define NUMAPLACE_HOOK_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"

struct np_cli;

/* `numaplace hook libvirt NAME OP SUBOP EXTRA`; argv[0] is "libvirt".
 * Reads the domain XML on stdin; never writes stdout. Returns the exit
 * code. */
int np_hook_libvirt_run(struct np_cli *cli, int argc, char **argv);

/* What the hook reads of a domain's XML. */
struct np_domain {
	char *name;               /* <name>, heap */
	char *uuid;               /* <uuid>, heap; NULL when absent */
	unsigned vcpus;           /* <vcpu> count; 0: no <vcpu> */
	uint64_t memory_kib;      /* <memory> in KiB, rounded up; 0: none */
	bool pinned;              /* <vcpu cpuset=…>, <cputune> vcpupin or emulatorpin */
	struct np_cpuset cpus;    /* the union of those pins */
};

void np_domain_clear(struct np_domain *dom);

/* Parse the domain XML `text` (len bytes): <domain> with <name>, and
 * optionally <uuid>, <vcpu> (count, cpuset=), <memory unit=…> (default
 * KiB) and <cputune>'s vcpupin/emulatorpin cpuset= (libvirt's cpulist
 * dialect). No network, no entity expansion, no DTD. An input error
 * naming the element for anything malformed; `*out` untouched on failure. */
int np_domain_parse(const char *text, size_t len, struct np_domain *out, struct np_err *err);

#endif
