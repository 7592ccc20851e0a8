/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_LEDGER_BOOKED_H
#define NUMAPLACE_LEDGER_BOOKED_H

#include <stddef.h>

#include "err.h"
#include "ledger.h"
#include "ledger_summary.h"

/*
 * The reservations as the advisors count them (advisor.h), from a summary
 * (ledger_summary.h) instead of every record: a record per guest holding
 * CPUs exclusively, and one per group of shared guests with the same cpus
 * and the same nodes, named after its first member (by name) and booking
 * their sum on each node. The advisors decide over these as over every
 * record: they look at a shared guest only through its cpus, its nodes and
 * its bookings, which they sum, and name a guest only in an error, where
 * any member of the group is true. So 10,000 shared guests on a machine
 * of 64 nodes come to a few dozen records.
 */

/* The booked view of `sum` leaving out guest `self` (NULL: none) into
 * `*out` (which the caller clears with np_ledger_list_clear(); never any
 * corrupt). Only `name`, `exclusive`, `cpus`, `nodes`, `bookings`, `vcpus`
 * and `memory` are filled. -EBADMSG naming the summary when a line does
 * not parse; `*out` untouched on failure. */
int np_booked_from_summary(const struct np_ledger_summary *sum, const char *self,
			   struct np_ledger_list *out, struct np_err *err);

#endif
