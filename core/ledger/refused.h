/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_REFUSED_H
#define NUMAPLACE_REFUSED_H

#include <stdint.h>

#include "err.h"
#include "ledger.h"
#include "name.h"

/*
 * The last refusal of each guest that is not placed (docs/contract.md
 * `status`): STATE/.refused, one JSON object {"refused":[{"name","time",
 * "reason"},…]}, newest first, at most NP_REFUSED_MAX guests. Written
 * atomically under the ledger lock; read without it.
 */
#define NP_REFUSED_MAX 100u
/* A reason is cut to this many bytes (on a UTF-8 boundary). */
#define NP_REFUSED_REASON_MAX 1024u

struct np_refusal {
	char name[NP_NAME_MAX + 1];
	int64_t time;       /* unix seconds */
	char *reason;       /* heap, one line */
};

struct np_refused {
	unsigned n;
	struct np_refusal *items; /* newest first */
};

void np_refused_clear(struct np_refused *list);

/* Read the refusals; none (no file, or no state dir) is an empty list. A
 * file that does not parse is -EBADMSG naming it. */
int np_refused_read(struct np_ledger *ledger, struct np_refused *out, struct np_err *err);

/* Keep `reason` (control bytes become spaces) as guest `name`'s last
 * refusal at `time`, dropping the oldest beyond NP_REFUSED_MAX. Needs the lock. */
int np_refused_note(struct np_ledger *ledger, const char *name, int64_t time,
		    const char *reason, struct np_err *err);

/* Forget guest `name`'s refusal; none is fine (and writes nothing). Needs the lock. */
int np_refused_forget(struct np_ledger *ledger, const char *name, struct np_err *err);

#endif
