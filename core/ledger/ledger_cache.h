/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_LEDGER_CACHE_H
#define NUMAPLACE_LEDGER_CACHE_H

#include <stdint.h>

#include "err.h"
#include "ledger.h"
#include "ledger_summary.h"
#include "record.h"

/*
 * Parsed records kept across calls by a long-lived process (an engine),
 * so that a decision does not read and parse every NAME.json again when
 * nothing changed. Validity rests on the ledger's generation: a listing
 * is kept only when the generation was even and the same before and after
 * reading it, and is used again only while the generation is unchanged.
 * Changes this process makes through a ledger opened with the cache
 * (np_ledger_options.changed = np_ledger_cache_changed) are applied to it rather than read back.
 * Changes made by hand in the state dir, outside numaplace, are not seen
 * until the next change made through numaplace.
 * One cache serves one state dir; it has no lock of its own (the engine's
 * mutex serialises its use).
 */

struct np_ledger_cache;

int np_ledger_cache_new(struct np_ledger_cache **out, struct np_err *err);

/* NULL is fine. */
void np_ledger_cache_free(struct np_ledger_cache *cache);

/* The current records of `ledger` (a corrupt record is an error naming its
 * file, as np_ledger_list() without collecting), ascending by name: from
 * the cache when still valid, else read and, when the generation allows,
 * kept. `*out` is read-only and stays valid until the next call of this
 * function with the same cache, or its free. */
int np_ledger_cache_list(struct np_ledger_cache *cache, struct np_ledger *ledger,
			 const struct np_ledger_list **out, struct np_err *err);

/* The listener to give np_ledger_options.changed, with the cache as
 * changed_data: a change that took the generation from `from` to `to` is
 * kept to be applied at the next listing when the cache was current at
 * `from`; otherwise, or when the change failed part-way, the cache is
 * dropped. */
void np_ledger_cache_changed(struct np_ledger *ledger, const struct np_ledger_change *change,
			     void *cache);

/* Drop whatever the cache holds. */
void np_ledger_cache_forget(struct np_ledger_cache *cache);

/*
 * The reservations as the advisors count them, leaving out guest `self`
 * (NULL: none): the booked view (ledger_booked.h) of the ledger's summary
 * (ledger_summary.h), so that a decision reads one file, not every record.
 * The summary is the one kept in memory when it holds the current
 * generation, else DIR/.summary when that does; one that is missing, torn,
 * stale or of another version is rebuilt from the records and, while the
 * lock is held, stored. With an odd generation (a change cut short) the
 * view comes from the records. `*out` as np_ledger_cache_list()'s, valid
 * until the next call of this function or the free.
 */
int np_ledger_cache_booked(struct np_ledger_cache *cache, struct np_ledger *ledger,
			   const char *self, const struct np_ledger_list **out,
			   struct np_err *err);

/* Rebuild the summary from the records and store it, whatever it held
 * (reconcile). Needs the lock. */
int np_ledger_cache_rebuild(struct np_ledger_cache *cache, struct np_ledger *ledger,
			    struct np_err *err);

/* Why the last summary the cache wanted was rebuilt rather than read (the
 * error naming the file; "" when it was read, or none was wanted yet).
 * For the log. */
const char *np_ledger_cache_why(const struct np_ledger_cache *cache);

#endif
