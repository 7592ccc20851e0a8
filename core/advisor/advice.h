/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_ADVICE_H
#define NUMAPLACE_ADVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"
#include "policy.h"
#include "record.h"
#include "topology.h"

/*
 * What every advisor reads and writes: the request, its input and the
 * advice, and the two helpers on an advice. Below the advisors
 * (advisor.h) and their capacity model (capacity.h).
 */

/* What a guest asks for. vcpus 0 means 1; memory 0 means "not counted". */
struct np_request {
	const char *name;
	unsigned vcpus;
	uint64_t memory;   /* bytes */
};

/* An advisor's decision. Node sets hold OS node ids. */
struct np_advice {
	struct np_cpuset cpus;       /* the cpuset to write */
	struct np_cpuset mems;
	struct np_cpuset exclusive;  /* CPUs dedicated to the guest; empty when shared */
	struct np_cpuset nodes;      /* chosen nodes: CPU nodes and memory nodes */
	unsigned vcpus;              /* the request, vcpus 0 made 1 */
	uint64_t memory;
	enum np_advisor_kind advisor; /* the advisor that decided */
	bool fallback;               /* the configured advisor failed, or nothing fit
				      * and on-no-fit = spread gave all nodes */
	char *reason;                /* heap; why, in one line */
	unsigned nbookings;
	struct np_booking *bookings; /* heap; one per chosen node, ascending id */
};

/* Everything an advisor looks at. The records are the current reservations. */
struct np_advisor_input {
	const struct np_topology *topo;
	const struct np_settings *settings;
	const struct np_request *request;
	const struct np_record *records;
	size_t nrecords;
};

/*
 * Copy an advice into a record's decision fields: cpus, mems, exclusive,
 * nodes, vcpus, memory, advisor, fallback, reason and bookings (the
 * record's previous reason and bookings are freed). Name, pid, phase,
 * cgroup and time are left alone. The record is untouched on failure.
 */
int np_advice_to_record(const struct np_advice *adv, struct np_record *rec, struct np_err *err);

/* Free an advice's heap members and zero it. NULL is fine. */
void np_advice_clear(struct np_advice *adv);

#endif
