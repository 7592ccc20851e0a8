/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_LEDGER_SUMMARY_H
#define NUMAPLACE_LEDGER_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ledger.h"
#include "record.h"

/*
 * The ledger's summary, DIR/.summary: one line per guest with what the
 * advisors read of its record (name, phase, cpus, exclusive CPUs, nodes,
 * bookings), so that a command need not read and parse every NAME.json.
 * The records stay the truth; the summary is derived from them:
 *
 *   numaplace-summary VERSION GENERATION GUESTS BYTES CHECKSUM
 *   NAME PHASE CPUS EXCLUSIVE NODES BOOKINGS     (ascending by name)
 *
 * GENERATION (16 hex digits) is the ledger generation whose records the
 * lines hold; BYTES and CHECKSUM (16 hex digits) cover the lines. CPUS,
 * EXCLUSIVE and NODES are cpulists, BOOKINGS is NODE:VCPUS:MEMORY,...;
 * "-" stands for an empty one. A summary is trusted only when its version
 * is NP_SUMMARY_VERSION, it is whole (size, checksum, line count, order)
 * and its generation is the ledger's, which must be even; anything else
 * is rebuilt from the records (ledger_cache.h).
 */
#define NP_SUMMARY_VERSION 1
#define NP_SUMMARY_FILE ".summary"

struct np_ledger_summary;

int np_summary_new(struct np_ledger_summary **out, struct np_err *err);

/* NULL is fine. */
void np_summary_free(struct np_ledger_summary *sum);

/* Whether `sum` holds the records of generation `gen`. */
bool np_summary_current(const struct np_ledger_summary *sum, uint64_t gen);

/* Forget what `sum` holds. */
void np_summary_drop(struct np_ledger_summary *sum);

/* Load DIR/.summary into `sum` when it holds generation `gen` (even):
 * -ENOENT when missing, -ESTALE when of another generation, -EPROTO of
 * another version, -EBADMSG when torn or not a summary, each naming the
 * file. `sum` is left dropped on failure. */
int np_summary_load(struct np_ledger_summary *sum, struct np_ledger *ledger, uint64_t gen,
		    struct np_err *err);

/* Make `sum` hold `list` (every record, ascending by name) as generation `gen`. */
int np_summary_build(struct np_ledger_summary *sum, const struct np_ledger_list *list,
		     uint64_t gen, struct np_err *err);

/* Guest `name` now has record `rec` (NULL: none), as generation `gen`. */
int np_summary_apply(struct np_ledger_summary *sum, const char *name,
		     const struct np_record *rec, uint64_t gen, struct np_err *err);

/* Write `sum` as DIR/.summary (np_ledger_write_aux()). Needs the lock. */
int np_summary_store(const struct np_ledger_summary *sum, struct np_ledger *ledger,
		     struct np_err *err);

/* One guest's line split into its six fields, which point into the
 * summary (not NUL-terminated) and stay valid until it changes. */
struct np_summary_field {
	const char *p;
	size_t len;
};

struct np_summary_entry {
	struct np_summary_field name, phase, cpus, exclusive, nodes, bookings;
};

/* Whether `a` and `b` hold the same lines (whatever their generations). */
bool np_summary_equal(const struct np_ledger_summary *a, const struct np_ledger_summary *b);

/* How many guests `sum` holds. */
size_t np_summary_count(const struct np_ledger_summary *sum);

/* Guest i's line (ascending by name), split: -EBADMSG when it has not six
 * fields. */
int np_summary_entry(const struct np_ledger_summary *sum, size_t i,
		     struct np_summary_entry *out);

#endif
