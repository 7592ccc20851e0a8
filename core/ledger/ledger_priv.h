/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_LEDGER_PRIV_H
#define NUMAPLACE_LEDGER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger.h"

/* Shared between ledger.c, ledger_gen.c and ledger_cache.c. */
struct np_ledger {
	char *dir;
	int dirfd;      /* -1: read-only over a directory that does not exist */
	int lockfd;     /* -1 unless the lock is held */
	int genfd;      /* DIR/.generation, open while the lock is held; else -1 */
	uint64_t gen;   /* its value while the lock is held */
	struct np_ledger_options opts;
};

/* Return *fd and set it to -1, so _cleanup_close_ no longer closes it. */
static inline int np_steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

/*
 * The generation (ledger_gen.c): a counter in DIR/.generation that every
 * change made through numaplace moves on, so a process can tell whether
 * the records it read earlier still stand without reading them again.
 * A change makes it odd before it touches the directory and even after,
 * under the lock; a writer killed in between leaves it odd, which no
 * reader trusts, until the next writer's change. A missing or unreadable
 * file starts again at a random even value, so a state dir made afresh
 * does not repeat an old generation.
 */

/* Open (creating it) the generation file and read its value into
 * ledger->gen. Called once the lock is held. */
int np_ledger_gen_load(struct np_ledger *ledger, struct np_err *err);

/* Close the generation file; at unlock. */
void np_ledger_gen_close(struct np_ledger *ledger);

/* Before a change: make the generation odd. A failure means the change
 * must not be made (a reader would not learn of it). */
int np_ledger_gen_begin(struct np_ledger *ledger, struct np_err *err);

/* After a change (made or failed part-way): make the generation even.
 * A failure leaves it odd, which readers do not trust: nothing to report. */
void np_ledger_gen_end(struct np_ledger *ledger);

#endif
