/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_ADVISOR_H
#define NUMAPLACE_ADVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advice.h"
#include "numad.h"

/*
 * The advisors: pure decisions over a topology, a guest's settings and the
 * current reservations. Nothing here touches the machine except numad.h.
 *
 * Capacity model (docs/placement.md tells the same story):
 * - A CPU "held exclusively" is a member of some other record's `exclusive`.
 * - CPU room of a node for a shared guest, in vcpus:
 *     floor(usable * cpu_overcommit_pct / 100) - shared vcpus booked there,
 *   where usable = the node's CPUs within the guest's pool (settings.cpus,
 *   all CPUs without one) that nobody holds exclusively. A CPU held
 *   exclusively counts as one whole CPU, never overcommitted.
 * - For an exclusive guest the room of a node is the number of CPUs it may
 *   dedicate there: free pool CPUs, minus what the shared guests booked on
 *   the node still need at the overcommit ratio, never taking a shared
 *   guest's last CPU on that node (a shared guest is looked at on the
 *   nodes it is booked on, which every advisor books in full).
 * - Memory room of a node: floor(memory_total * memory_overcommit_pct / 100)
 *   minus the memory booked there. Live free memory is not used.
 * - "Booked" is the sum of the records' bookings. A guest placed over
 *   several nodes is booked against each, ascending node id, only up to that
 *   node's room (vcpus and memory alike), so no node is booked past it.
 * - The pools settings.cpus / settings.mems restrict what may be handed
 *   out: CPUs outside settings.cpus are never given, nodes outside
 *   settings.mems are never used.
 * - A record named like the request is ignored: re-advising a guest does
 *   not count its own reservation against it.
 */

/*
 * Every advisor below fills `*out` (overwritten, not freed: clear it with
 * np_advice_clear() when done) only on success.
 *
 * The built-in advisor. Picks the smallest set of CPU nodes that holds the
 * request (see the capacity model), ranked by: fewest CPU nodes; smallest
 * largest distance over ordered pairs (a, b) of the set, a == b included;
 * smallest mean distance over ordered pairs of distinct nodes (0 for one
 * node); load = (vcpus booked + CPUs held exclusively) / CPUs over the CPU
 * nodes, compared exactly, the fuller set first for strategy pack and the
 * emptier for spread; the lexicographically smallest list of node ids.
 * Exact for sets of one and two nodes, and for every size when at most 16
 * nodes are eligible; larger sets on larger machines come from growing a
 * set from each node by nearest distance.
 * CPU-less nodes never count as nodes of the set: when no set of k CPU
 * nodes holds the memory but one does with CPU-less nodes added (nearest
 * first: smallest total distance from the set's nodes, then lowest id), that
 * set is taken; such sets rank by the distances of all their nodes.
 * A shared guest's cpus: its CPU nodes' CPUs within the pool minus the CPUs
 * held exclusively. An exclusive guest's cpus: exactly vcpus CPUs nobody
 * holds exclusively, all on the chosen nodes, taken as Kubernetes' CPU
 * manager does: whole free cores while the rest fills one, then single CPUs
 * from cores already partly held before an idle core is split.
 * No fit: with on-no-fit = fail, -ENOSPC (runtime) saying what was
 * requested and the most that is free; with spread, every eligible node
 * that has CPUs, fallback = true and the reason says so.
 */
int np_advisor_builtin(const struct np_advisor_input *in, struct np_advice *out,
		       struct np_err *err);

/*
 * The static advisor: settings.cpus as the cpuset, settings.mems as mems
 * (default: the nodes of those CPUs). CPUs or nodes the machine lacks, or
 * no cpus at all, are an input error naming them; a CPU another guest holds
 * exclusively is -EBUSY. With exclusive = yes all the CPUs are dedicated,
 * which fails with -EBUSY when it would leave a shared guest no CPU on one
 * of its nodes. Bookings follow the capacity model but a full node does not
 * fail a static cpuset: the reason says what could not be booked.
 */
int np_advisor_static(const struct np_advisor_input *in, struct np_advice *out,
		      struct np_err *err);

/*
 * Check numad's answer `nodes` against the pools and the reservations and
 * turn it into an advice (advisor = numad). A node outside the pool or
 * without a usable CPU, or a set whose room does not hold the request
 * (numad does not know the reservations), is an error (-ENOSPC for the
 * latter) that counts as a numad failure. Call under the ledger lock.
 */
int np_advisor_numad(const struct np_advisor_input *in, const struct np_cpuset *nodes,
		     struct np_advice *out, struct np_err *err);

/*
 * The one call the engine makes under the ledger lock: validate the pools
 * against the machine (input error naming what it lacks), run the
 * configured advisor and, when it is numad and numad failed (`numad` NULL
 * counts as a failure) or its answer does not fit, apply settings.fallback:
 * builtin or static decide instead with fallback = true and a reason that
 * quotes numad's failure; none fails with numad's error.
 */
int np_advisor_decide(const struct np_advisor_input *in, const struct np_numad_answer *numad,
		      struct np_advice *out, struct np_err *err);

/* One shared guest whose cpuset a new exclusive grant shrinks. */
struct np_shared_update {
	size_t record;             /* index into the records given */
	struct np_cpuset cpus;     /* its new cpuset */
};

/*
 * Given the CPUs newly `granted` exclusively to guest `name` (its own
 * record, if among `records`, is skipped; NULL: none), the new cpusets of
 * the shared guests (records with an empty `exclusive`) whose cpus include
 * any of them: their cpus minus `granted`. -EBUSY when one would be left
 * empty. `*out` (heap, `*n` entries, NULL when none) is set only on success.
 */
int np_advisor_shared_updates(const struct np_record *records, size_t nrecords, const char *name,
			      const struct np_cpuset *granted,
			      struct np_shared_update **out, size_t *n, struct np_err *err);

/*
 * After the CPUs `freed` stopped being held exclusively (their guest was
 * released): the cpuset shared guest `rec` should have again, in `*out`:
 * its cpus plus the freed CPUs of its nodes that lie within `pool` (the
 * guest's settings.cpus; NULL: no pool). True when that differs from
 * rec->cpus; false, `*out` untouched, for an exclusive guest.
 */
bool np_advisor_shared_regrow(const struct np_topology *topo, const struct np_record *rec,
			      const struct np_cpuset *pool, const struct np_cpuset *freed,
			      struct np_cpuset *out);

#endif
