/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_EXCLUSIVE_H
#define NUMAPLACE_EXCLUSIVE_H

#include "capacity.h"

/*
 * Exclusive CPUs, a layer over the capacity model of capacity.h: which
 * CPUs an exclusive guest may be given on each node, and which it gets.
 * Internal to the advisors.
 */

/* np_capacity_init(), then, when in->settings->exclusive asks for it, the
 * exclusive rooms: list each eligible node's
 * dedicable CPUs in cap->ded, whole free cores first, none that would take
 * a shared guest's last CPU on the node, and set vroom to how many of them
 * the node can give while its shared bookings keep their CPUs at the
 * overcommit ratio; cap->exclusive is set. Only allocation can fail. Free
 * with np_capacity_clear(). */
int np_exclusive_init(struct np_capacity *cap, const struct np_advisor_input *in,
		      struct np_err *err);

/* np_capacity_advise(), and with exclusive rooms the CPUs themselves:
 * cap->vcpus CPUs on node indexes `idx[0..n)` as Kubernetes' CPU manager
 * takes them (whole free cores while the rest fills one, then single CPUs
 * from cores already partly held before an idle core is split), lowest
 * node first, as out->cpus and out->exclusive, each booking's vcpus the
 * CPUs taken on its node. */
int np_exclusive_advise(const struct np_capacity *cap, const unsigned *idx, unsigned n,
			struct np_advice *out, struct np_err *err);

#endif
