/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_ENGINE_PRIV_H
#define NUMAPLACE_ENGINE_PRIV_H

#include <pthread.h>

#include "cgroup.h"
#include "engine.h"
#include "ledger.h"
#include "ledger_cache.h"

/* Shared between the engine_*.c files; not part of the engine's contract. */
struct np_engine {
	char *config;
	bool config_required;
	char *topology_src;
	char *state_dir;
	char *proc_root;
	void (*log)(enum np_log_level level, const char *msg, void *data);
	void (*pause)(const char *point, void *data);
	void *data;
	pthread_mutex_t lock;        /* one call at a time per engine */
	struct np_policy *policy;
	struct np_topology *topo;    /* loaded on first use */
	struct np_cgroup *cg;        /* opened on first use */
	struct np_ledger_cache *cache; /* the records, kept across calls */
};

/* A guest's settings and the request made concrete with them. */
struct np_guest {
	const char *name;
	struct np_settings settings;
	unsigned vcpus;
	uint64_t memory;
};

/* Resolve `name`'s settings, fill the request's defaults and check the
 * settings against the machine (input error for what it lacks). */
int np_engine_guest(struct np_engine *eng, const char *name, unsigned vcpus,
		    uint64_t memory, struct np_guest *out, struct np_err *err);

/* Open the ledger (read-write unless `read_only`) with the guest's lock
 * timeout, the engine's pause hook and its record cache. */
int np_engine_ledger(struct np_engine *eng, const struct np_settings *s, bool read_only,
		     struct np_ledger **out, struct np_err *err);

/* The cpuset hierarchy, opened on first use. */
/* Fill g->memory, g->memory_known and g->memory_local from the group's
 * memory.numa_stat where the memory controller covers it, else from the
 * numa_maps of its processes (of the recorded PID when there is no group).
 * Tasks that are gone or unreadable count as nothing; only running out of
 * memory is an error (engine_memory.c). */
int np_engine_guest_memory(struct np_engine *eng, struct np_guest_status *g, struct np_err *err);

int np_engine_cgroup(struct np_engine *eng, struct np_cgroup **out, struct np_err *err);

/* The cgroup parent for `s`: the policy's, else the hierarchy's default. */
const char *np_engine_cgroup_parent(struct np_engine *eng, const struct np_settings *s);

/* Split a group path "a/b/guest" into a heap parent "a/b" and the last
 * component (pointing into *parent's buffer). Input error without a '/'. */
int np_group_split(const char *path, char **parent, const char **guest, struct np_err *err);

/* How many processes the group numaplace made for `rec` holds (0 when it
 * made none or the group is gone). */
int np_engine_group_tasks(struct np_engine *eng, const struct np_record *rec, unsigned *out,
			  struct np_err *err);

/* Remove a record's group when numaplace made it (force moves tasks up). */
int np_engine_remove_group(struct np_engine *eng, const struct np_record *rec, bool force,
			   struct np_err *err);

/* After exclusive guest `released` went (its record removed): the shared
 * guests on its nodes get its CPUs back (np_advisor_shared_regrow()), in
 * the kernel and the ledger. Needs the lock. A failure is logged; the
 * release stands. */
void np_engine_give_back(struct np_engine *eng, struct np_ledger *ledger,
			 const struct np_record *released);

/* Check that the state dir is bound to this engine's topology (the live
 * machine or a capture's digest, engine_bind.c): an input error naming
 * both when not. `write`: bind a state dir that is not bound yet. A
 * capture's topology must be loaded (np_engine_ledger() does). */
int np_engine_bind(struct np_engine *eng, bool write, struct np_err *err);

/* An input error when the engine's topology is a capture: `what` (place,
 * reconcile, ...) acts on the live machine only. */
int np_engine_require_live(struct np_engine *eng, const char *what, struct np_err *err);

/* The pool guest settings `s` are placed from (engine_pool.c): on the live
 * machine, when its cgroup parent (or the parent's nearest existing
 * ancestor) allows fewer CPUs or nodes than the machine has, a copy of the
 * topology narrowed to them in *out (the caller frees it); else *out NULL.
 * The topology must be loaded. Fails only when out of memory. */
int np_engine_pool(struct np_engine *eng, const struct np_settings *s,
		   struct np_topology **out, struct np_err *err);

/* Add to `err`'s message what the pool allowed, naming `parent`. */
void np_engine_pool_hint(const struct np_topology *pool, const char *parent, struct np_err *err);

/* Load the topology on first use; the engine's mutex is held. */
int np_engine_topology_locked(struct np_engine *eng, struct np_err *err);

/* Write `rec`'s cpuset into the kernel: create <parent>/<name> and move
 * `rec->pid` in when the record owns its group, else configure the
 * existing group it names. Rolls back its own changes on failure. */
int np_engine_apply(struct np_engine *eng, const struct np_record *rec, bool memory_migrate,
		    struct np_err *err);

/* After `rec` was granted its exclusive CPUs: shrink the cpusets of the
 * shared guests among `list` (NULL: every record, read now) that held
 * them, in the kernel and the ledger. */
int np_engine_shrink_shared(struct np_engine *eng, struct np_ledger *ledger,
			    const struct np_ledger_list *list, const struct np_record *rec,
			    struct np_err *err);

/* Send a line to the log callback. */
void np_engine_log(struct np_engine *eng, enum np_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Call the pause hook. */
void np_engine_pause(struct np_engine *eng, const char *point);

#endif
