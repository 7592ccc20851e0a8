/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_ENGINE_H
#define NUMAPLACE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "memstat.h"
#include "policy.h"
#include "record.h"
#include "refused.h"
#include "topology.h"

/*
 * The one path every front end takes (docs/contract.md): request -> policy resolves the
 * guest's settings -> topology -> under the ledger lock: advisor decides,
 * ledger records -> cgroup applies (or rolls back) -> result.
 * The CLI, the module and the LXC hook are thin layers over this file.
 */
enum np_log_level { NP_LOG_INFO, NP_LOG_WARNING, NP_LOG_ERROR };

struct np_engine_opts {
	const char *config;       /* NULL: NP_DEFAULT_CONFIG */
	bool config_required;     /* the caller named it: missing is an error */
	const char *topology;     /* NULL: live; an XML file; a dir (HWLOC_FSROOT set by the caller) */
	const char *state_dir;    /* NULL: NP_DEFAULT_STATE_DIR (paths.h) */
	const char *proc_root;    /* NULL: NP_DEFAULT_PROC_ROOT (paths.h) */
	/* Called with every placement decision and failure (the CLI sends
	 * them to syslog). May be NULL. */
	void (*log)(enum np_log_level level, const char *msg, void *data);
	/* Test hook: called at named points so tests can kill a process
	 * there: the ledger's (ledger.h), "after-reserve" (place: the
	 * `applying` record is written, no group made yet) and "after-cgroup"
	 * (place: the group is made and the PID moved, the record still
	 * says `applying`). May be NULL. */
	void (*pause)(const char *point, void *data);
	void *data;               /* passed to log and pause */
};

struct np_engine;

/* Open an engine: load and validate the policy (all-or-nothing; problems
 * go to `diags` when non-NULL). The topology and the ledger are opened on
 * first use. */
int np_engine_open(const struct np_engine_opts *opts, struct np_engine **out,
		   struct np_diags *diags, struct np_err *err);

/* Close an engine; NULL is fine. */
void np_engine_close(struct np_engine *eng);

/* Where `place` puts the guest. */
enum np_target {
	NP_TARGET_CREATE, /* create <cgroup-parent>/<name> and move the PID in */
	NP_TARGET_GROUP,  /* write cpus/mems into an existing group; move nothing */
};

struct np_request_opts {
	const char *name;
	unsigned vcpus;          /* 0: from the policy, else 1 */
	uint64_t memory;         /* 0: from the policy, else not counted */
	pid_t pid;               /* place: the process to move (or the group's owner) */
	enum np_target target;
	const char *group;       /* NP_TARGET_GROUP: the group, below the cpuset root */
	bool exclusive;          /* exclusive CPUs where the policy does not set `exclusive` */
	/* Who asks; noted in the record. A name held by another known front end
	 * is refused (-EBUSY, a runtime error); NP_FRONTEND_UNKNOWN takes any. */
	enum np_frontend frontend;
	/* The manager pinned the guest itself (a libvirt cpuset=, an OCI
	 * linux.resources.cpu.cpus): book exactly these CPUs and their nodes
	 * (as the static advisor does) and write no cgroup. NULL: not pinned. */
	const struct np_cpuset *pinned;
	/* reserve: the numad request (-w VCPUS:MB) the manager will send for
	 * this guest, noted for np_engine_numad_claim(); 0: none. */
	unsigned numad_vcpus;
	uint64_t numad_mb;
	/* place: when the guest is already placed with this PID, write its
	 * cpuset into the kernel again (libvirt's reconnect) instead of a no-op. */
	bool reapply;
};

/* What a decision or placement came to. `rec` is owned by the result. */
struct np_result {
	struct np_record rec;
	enum np_memory_mode memory_mode; /* as configured for the guest */
	bool noop;                       /* place: already placed, nothing done */
};

void np_result_clear(struct np_result *res);

/* advise, reserve, place and release check the guest name first
 * (np_name_validate): an invalid one is an input error that quotes it
 * escaped, and is neither logged nor repeated raw in a message. */

/* What `place` would choose, with no side effect: nothing written anywhere. */
int np_engine_advise(struct np_engine *eng, const struct np_request_opts *req,
		     struct np_result *out, struct np_err *err);

/* Advise and record the reservation, touching no cgroup. */
int np_engine_reserve(struct np_engine *eng, const struct np_request_opts *req,
		      struct np_result *out, struct np_err *err);

/* reserve and place keep each failure met under the ledger lock (no fit,
 * numad failure, a cgroup error, ...) as the guest's last refusal while it
 * holds no record (refused.h); a success and `release` forget it. */

/* Reserve (or adopt a PID-less reservation of the same name), apply the
 * cpuset and move the PID. The same NAME and PID again is a no-op; the same
 * NAME with another live PID is a runtime error. Any failure rolls back. */
int np_engine_place(struct np_engine *eng, const struct np_request_opts *req,
		    struct np_result *out, struct np_err *err);

/* Any of the three above: the calls that take a request and give a result. */
typedef int (*np_engine_decide_fn)(struct np_engine *eng, const struct np_request_opts *req,
				   struct np_result *out, struct np_err *err);

/* Remove the guest's group (only one numaplace created) and its
 * reservation. A guest that is not placed is not an error. A group that
 * still holds live tasks is refused unless `force` (moves them up first). */
int np_engine_release(struct np_engine *eng, const char *name, bool force,
		      struct np_err *err);

/* release as a manager's stop stage (LXC post-stop, libvirt `release`,
 * OCI `poststop`), which also runs after a refused start: a guest that
 * holds no record keeps its refusal for `status`. */
int np_engine_release_stage(struct np_engine *eng, const char *name, struct np_err *err);

/* release for `run` once its child exited: when the group numaplace made
 * still holds processes (a command that daemonized), the guest stays
 * placed and `*left` says how many; else released as np_engine_release()
 * with force, and `*left` is 0. */
int np_engine_release_unless_busy(struct np_engine *eng, const char *name, unsigned *left,
				  struct np_err *err);

/* `numaplace numad -w VCPUS:MB`: under the lock, the oldest unclaimed
 * PID-less reservation whose noted numad request is vcpus:mb is marked
 * claimed and returned in `out`. -ENOENT (no message) when there is none. */
int np_engine_numad_claim(struct np_engine *eng, unsigned vcpus, uint64_t mb,
			  struct np_result *out, struct np_err *err);

/* One placed guest as `status` shows it. */
struct np_guest_status {
	struct np_record rec;
	bool alive;              /* the recorded process still runs (same start, same boot) */
	bool cgroup_present;
	unsigned tasks;          /* processes in the group numaplace made (0: none made) */
	bool drift;              /* the kernel's effective cpus/mems differ from the record */
	struct np_cpuset effective_cpus;
	struct np_cpuset effective_mems;
	struct np_memstat memory; /* resident bytes per node (docs/locality.md) */
	bool memory_known;        /* false: no task could be read (locality null) */
	uint64_t memory_local;    /* the part of memory.total on rec.mems */
};

struct np_status {
	unsigned n;
	struct np_guest_status *guests; /* ascending by name */
	struct np_refused refused;      /* the last refusal of guests not placed */
};

void np_status_clear(struct np_status *st);

/* Every recorded guest with what the machine says of it; with `only`
 * (NULL: every guest), that guest alone (none when it has no record),
 * reading no other record. The refusals are all there either way. */
int np_engine_status(struct np_engine *eng, const char *only, struct np_status *out,
		     struct np_err *err);

/* What `reconcile` did, one line each ("dropped web1: pid 42 is gone"),
 * and how many guests it could not reconcile (each also has a line). */
struct np_report {
	unsigned n;
	char **lines;
	unsigned failed;
};

void np_report_clear(struct np_report *rep);

/* Make reservations and cgroups agree again (docs/contract.md `reconcile`). */
int np_engine_reconcile(struct np_engine *eng, struct np_report *out, struct np_err *err);

/* The resolved settings of `name` (for printing origins). */
int np_engine_settings(struct np_engine *eng, const char *name,
		       struct np_settings *out, struct np_err *err);

/* The topology in use, loaded on first call. */
int np_engine_topology(struct np_engine *eng, const struct np_topology **out,
		       struct np_err *err);

#endif
