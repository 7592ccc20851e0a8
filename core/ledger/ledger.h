/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_LEDGER_H
#define NUMAPLACE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

/*
 * The reservation ledger: a state directory (docs/contract.md "State", /run/numaplace
 * by default, always passed in) holding one record per guest as NAME.json,
 * and the lock `.lock` that serialises decide-and-record across processes.
 * Every other file numaplace keeps there starts with `.`: the lock, the
 * generation, the `.NAME.json.tmp` of a write in progress,
 * `.corrupt.NAME.json` set aside.
 * Guest names are checked with np_name_validate() before they meet a path.
 *
 * Records are written atomically (temporary file, fsync, rename, fsync of
 * the directory), so a reader without the lock sees each record whole.
 * Writing, removing and setting aside require the lock, and each moves the
 * ledger's generation (`.generation`) on, so that a process holding parsed
 * records (ledger_cache.h) can tell whether they still stand.
 */
struct np_ledger;

/*
 * A pause point, for tests that must stop a process at a known place (and
 * kill it there) to make races deterministic. When set, the ledger calls
 * `pause(point, data)` at these points, in the calling process:
 *   "after-lock"     the lock is held and this process's PID written into it
 *   "before-rename"  a record's temporary file is complete, not yet renamed
 *   "after-write"    a record is in place and the directory synced
 *   "after-remove"   a record is removed and the directory synced
 * plus any point a caller names through np_ledger_pause(). The hook decides
 * what to do (the CLI matches the point against NUMAPLACE_TEST_PAUSE and
 * sleeps until killed); the ledger reads no environment itself.
 */
typedef void (*np_ledger_pause_fn)(const char *point, void *data);

/*
 * A change made through this ledger, told to np_ledger_options.changed
 * after the generation went from `from` to `to` (even), still under the
 * lock: guest `name` now has record `rec` (NULL: none). `ok` false: the
 * change failed part-way and what the directory holds is unknown. A
 * listener (ledger_cache.h) keeps what it derived from the records in
 * step; the ledger knows nothing of it.
 */
struct np_ledger_change {
	uint64_t from, to;
	const char *name;
	const struct np_record *rec;
	bool ok;
};

typedef void (*np_ledger_changed_fn)(struct np_ledger *ledger,
				     const struct np_ledger_change *change, void *data);

struct np_ledger_options {
	bool read_only;             /* create nothing, refuse changes (advise, status) */
	uint64_t lock_timeout_ms;   /* how long np_ledger_lock() waits; 0: one try */
	np_ledger_pause_fn pause;   /* NULL: pause points do nothing */
	void *pause_data;
	np_ledger_changed_fn changed; /* told of every change made; NULL: none */
	void *changed_data;
};

/* A record that could not be read, when np_ledger_list() collects them. */
struct np_ledger_corrupt {
	char *name;                 /* guest name (the file is NAME.json) */
	char *why;                  /* the error, naming the file */
};

struct np_ledger_list {
	unsigned nrecords;
	struct np_record *records;  /* ascending by name */
	unsigned ncorrupt;
	struct np_ledger_corrupt *corrupt; /* ascending by name */
};

/* Open the ledger in `dir`. Unless read-only, create `dir` (mode 0755, one
 * level) when missing; a read-only ledger over a missing `dir` is empty.
 * A `dir` that exists but is not a directory is an error naming it.
 * `opts` NULL: read-write, lock timeout 0, no pause hook. */
int np_ledger_open(const char *dir, const struct np_ledger_options *opts,
		   struct np_ledger **out, struct np_err *err);

/* Release the lock when held and free the ledger. NULL is fine. */
void np_ledger_close(struct np_ledger *ledger);

/* The directory given to np_ledger_open(). */
const char *np_ledger_dir(const struct np_ledger *ledger);

/* Take the lock (flock on DIR/.lock), waiting at most lock_timeout_ms by
 * polling; then write this process's PID into the lock file (a hint for
 * waiters: failing to write it, on a full file system, is no error). -ETIMEDOUT
 * with "timed out after 30s waiting for the ledger lock held by pid N" when
 * another process keeps it; -EBUSY when this ledger already holds it;
 * -EROFS on a read-only ledger. The lock goes with the open file: a child
 * forked while it is held shares it until np_ledger_unlock() or exec. */
int np_ledger_lock(struct np_ledger *ledger, struct np_err *err);

/* Empty the PID from the lock file and release the lock. No-op when not held. */
void np_ledger_unlock(struct np_ledger *ledger);

/* True while this ledger holds the lock. */
bool np_ledger_locked(const struct np_ledger *ledger);

/* Call the pause hook for `point` (nothing when there is no hook). */
void np_ledger_pause(const struct np_ledger *ledger, const char *point);

/* The ledger's generation: the value held while locked, else read from
 * DIR/.generation. -ENOENT when there is none yet (no change was made
 * since the state dir was made), -EBADMSG when the file is not one. An
 * odd value means a change is under way or was cut short. */
int np_ledger_generation(const struct np_ledger *ledger, uint64_t *out, struct np_err *err);

/* Read guest `name`'s record into `*out`. -ENOENT when there is none; a
 * file that does not parse, is not a regular file or holds another name is
 * -EBADMSG naming the file. `*out` untouched on failure. */
int np_ledger_read(struct np_ledger *ledger, const char *name, struct np_record *out,
		   struct np_err *err);

/* Read every record (NAME.json with a valid NAME; dot files and other names
 * skipped) into `*out`, which the caller clears. A corrupt record is an
 * error naming its file, unless `collect_corrupt`: then it is listed in
 * out->corrupt and the listing goes on. `*out` untouched on failure. */
int np_ledger_list(struct np_ledger *ledger, bool collect_corrupt, struct np_ledger_list *out,
		   struct np_err *err);

/* Free what a listing holds and zero it. */
void np_ledger_list_clear(struct np_ledger_list *list);

/* Write `rec` as NAME.json atomically (see above). Needs the lock. A record
 * that fails np_record_validate() is refused. */
int np_ledger_write(struct np_ledger *ledger, const struct np_record *rec, struct np_err *err);

/* Remove guest `name`'s record; a missing one is fine. Needs the lock. */
int np_ledger_remove(struct np_ledger *ledger, const char *name, struct np_err *err);

/* Move NAME.json aside as .corrupt.NAME.json (replacing an older one), so
 * listings no longer see it. -ENOENT when there is no such file. Needs the lock. */
int np_ledger_quarantine(struct np_ledger *ledger, const char *name, struct np_err *err);

/* Remove the temporary files (.NAME.json.tmp, and .FILE.tmp of the
 * derived files such as .summary.tmp) of writes a crash cut short: no write is under way while the lock is held. `*removed` says
 * how many went. Needs the lock. */
int np_ledger_sweep(struct np_ledger *ledger, unsigned *removed, struct np_err *err);

/* End a change a crash cut short: an odd generation moves on to the next
 * even one, which no process has seen, so that readers trust what is read
 * from now on. Nothing else changes. Needs the lock. */
int np_ledger_settle(struct np_ledger *ledger, struct np_err *err);

/* Read FILE, a dot file of the state dir other numaplace parts derive
 * from the records (`.summary`), whole into a NUL-terminated heap buffer:
 * -ENOENT when missing, -EBADMSG when not a regular file or over `max`
 * bytes. `*text` untouched on failure. */
int np_ledger_read_aux(struct np_ledger *ledger, const char *file, size_t max, char **text,
		       size_t *len, struct np_err *err);

/* Replace dot file FILE with `len` bytes of `text` by way of .FILE.tmp and
 * a rename, so a reader sees it whole or not at all; no fsync: such a file
 * is checked by its reader and rebuilt from the records when wrong. Needs
 * the lock; moves no generation on. */
int np_ledger_write_aux(struct np_ledger *ledger, const char *file, const char *text,
			size_t len, struct np_err *err);

#endif
