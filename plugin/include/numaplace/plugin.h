/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_PLUGIN_H
#define NUMAPLACE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The ABI of numaplace.so, for container and VM managers written in C.
 *
 * The module exports one symbol, numaplace_plugin_entry(). A manager
 * dlopen()s the module, looks that symbol up (NUMAPLACE_PLUGIN_ENTRY), calls
 * it with NUMAPLACE_ABI_VERSION and uses the table of functions it returns:
 *
 *   entry = dlsym(handle, NUMAPLACE_PLUGIN_ENTRY);
 *   const struct numaplace_plugin *np = entry(NUMAPLACE_ABI_VERSION);
 *   np->open(config, &opts, &ctx, &err); np->place(ctx, &req, &res, &err);
 *   np->result_clear(&res); np->release(ctx, name, 0, &err); np->close(ctx);
 *
 * Compatibility: a later ABI version only appends members to the table and
 * to the structs below, so a module serves every version from 1 up to its
 * own. A struct the caller hands in starts with `size`, which the caller
 * sets to sizeof() as it was built: the module reads and writes only what
 * fits in it; bytes past what the module knows must be zero, else the call
 * fails with -E2BIG (the caller needs a newer module). A caller newer than
 * the module gets NULL from the entry and can call it again with 1 to learn
 * the module's `abi_max`.
 *
 * Errors are returned, never printed: each function returns 0 or a negative
 * errno, and fills the caller's struct numaplace_error (when not NULL). The
 * module writes nothing on stdout or stderr, exits nothing, installs no
 * signal handler and sets no environment variable.
 *
 * Threads: every function may be called from several threads at once, on
 * one context or on several. Calls on one context run one at a time (a
 * mutex); contexts over the same state directory serialise through its lock
 * file, as separate processes do. close() must not race with other calls on
 * the same context.
 *
 * Shared libraries: the module links libcgroup, hwloc, libnuma, inih and
 * json-c dynamically, so it shares them with a host that uses them too. It
 * runs libcgroup's cgroup_init() once per process, when a call first needs
 * the cpuset hierarchy; a host that uses libcgroup itself should have run
 * cgroup_init() before, since that call disturbs libcgroup work in other
 * threads.
 */
#define NUMAPLACE_ABI_VERSION 1
#define NUMAPLACE_PLUGIN_ENTRY "numaplace_plugin_entry"

/* An open context: a loaded policy, a state directory, a topology. */
struct numaplace_context;

/*
 * What went wrong. The caller owns the struct and, after a failed call, the
 * message: free it with the table's error_clear(). A call that fails frees
 * whatever message the struct held before; a call that succeeds leaves the
 * struct as it was. Start from NUMAPLACE_ERROR_INIT.
 */
struct numaplace_error {
	int code;      /* negative errno, 0 when no error is set */
	bool input;    /* true: the request or the config is wrong (a CLI's exit 2);
			  false: the machine said no (no fit, no process, cgroup failure) */
	char *message; /* "guest web1: cgroup numaplace/web1: cpuset.cpus: Invalid
			  argument"; heap, NUL-terminated, NULL when no error is set */
};

#define NUMAPLACE_ERROR_INIT { 0, false, NULL }

enum numaplace_log_level {
	NUMAPLACE_LOG_INFO,
	NUMAPLACE_LOG_WARNING,
	NUMAPLACE_LOG_ERROR,
};

/* How to open a context. Zero every member the caller does not set. */
struct numaplace_open_options {
	size_t size;           /* sizeof(struct numaplace_open_options) */
	const char *state_dir; /* reservations; NULL: /run/numaplace */
	const char *topology;  /* NULL: the live machine; else an hwloc XML file.
				  A directory (a sysfs capture) is refused: it
				  needs HWLOC_FSROOT, which is process-global. */
	/* Called with every placement decision and failure, from the calling
	 * thread while the context is busy: it must not call back into the
	 * same context. `message` lives until it returns. May be NULL. */
	void (*log)(enum numaplace_log_level level, const char *message, void *data);
	void *log_data;
};

enum numaplace_target {
	NUMAPLACE_TARGET_CREATE, /* create <cgroup-parent>/<name>, move `pid` in */
	NUMAPLACE_TARGET_GROUP,  /* write into the existing `group`, move nothing */
};

/* A guest to advise, reserve or place. Zero every member not set. */
struct numaplace_request {
	size_t size;            /* sizeof(struct numaplace_request) */
	const char *name;       /* [A-Za-z0-9_.-], 1-64 characters (docs/contract.md) */
	pid_t pid;              /* place: the guest's process (TARGET_GROUP: the
				   group's owner, recorded for reconcile) */
	unsigned vcpus;         /* 0: the policy's, else 1 */
	uint64_t memory;        /* bytes; 0: the policy's, else not counted */
	enum numaplace_target target;
	const char *group;      /* TARGET_GROUP: path below the cpuset mount,
				   e.g. "lxc.payload.web1" */
};

/*
 * A decision. The caller sets `size` and zeroes the rest; on success the
 * module fills it and the caller frees it with result_clear(). On failure
 * it is left as it was.
 */
struct numaplace_result {
	size_t size;            /* sizeof(struct numaplace_result) */
	char *cpus;             /* cpu list, kernel form: "0-3,8-11" */
	char *mems;             /* memory node list: "0" */
	char *nodes;            /* the node set chosen: "0-1" */
	char *advisor;          /* "builtin", "numad" or "static" */
	char *reason;           /* why this advice (or why the fallback) */
	char *cgroup;           /* place: the group written, below the cpuset mount;
				   NULL for advise and reserve */
	bool fallback;          /* the configured advisor failed; another decided */
	bool noop;              /* place: already placed with this pid, nothing done;
				   reserve: an existing PID-less reservation returned */
	char *memory_mode;      /* the guest's memory-mode: "strict", "preferred" or
				   "interleave". The cpuset's mems are strict; a
				   manager that forks the guest may apply the others
				   with set_mempolicy() before exec. */
};

/* release() flags. */
#define NUMAPLACE_RELEASE_FORCE 1u /* move live tasks to the parent group first */

struct numaplace_plugin {
	size_t size;               /* sizeof the table as the module built it */
	unsigned abi_version;      /* the version this table serves */
	unsigned abi_max;          /* the newest version the module serves */
	const char *version;       /* the module's release, "0.1.0" */

	/* Open a context: load the policy `config`, then its drop-ins
	 * `config`.d/NAME.conf (all-or-nothing). NULL takes the default,
	 * SYSCONFDIR/numaplace/numaplace.conf as the module was configured
	 * (/etc/numaplace/numaplace.conf for /usr), which may be missing (built-in
	 * defaults); a file the caller names must exist. `*out` is set only
	 * on success; `opts` NULL takes every default. */
	int (*open)(const char *config, const struct numaplace_open_options *opts,
		    struct numaplace_context **out, struct numaplace_error *err);

	/* Reserve the guest (or adopt its PID-less reservation), write its
	 * cpuset and, for TARGET_CREATE, move `pid` (all threads). The same
	 * name and pid again is a no-op; any failure leaves no group and no
	 * reservation behind. */
	int (*place)(struct numaplace_context *ctx, const struct numaplace_request *req,
		     struct numaplace_result *out, struct numaplace_error *err);

	/* Decide and record the reservation, touching no cgroup: for managers
	 * that apply the cpuset themselves. `pid`, `target`, `group` unused. */
	int (*reserve)(struct numaplace_context *ctx, const struct numaplace_request *req,
		       struct numaplace_result *out, struct numaplace_error *err);

	/* What place() would choose, writing nothing anywhere. */
	int (*advise)(struct numaplace_context *ctx, const struct numaplace_request *req,
		      struct numaplace_result *out, struct numaplace_error *err);

	/* Remove the guest's group (only one numaplace created) and its
	 * reservation; a guest not placed is not an error. A group holding
	 * live tasks is -EBUSY unless `flags` has NUMAPLACE_RELEASE_FORCE. */
	int (*release)(struct numaplace_context *ctx, const char *name, unsigned flags,
		       struct numaplace_error *err);

	/* Close a context (NULL is fine); reservations stay recorded. */
	void (*close)(struct numaplace_context *ctx);

	/* Free the strings of a result and zero them; `size` is kept. */
	void (*result_clear)(struct numaplace_result *res);

	/* Free an error's message and reset it to NUMAPLACE_ERROR_INIT. */
	void (*error_clear)(struct numaplace_error *err);
};

/*
 * The table for a caller built for `abi_version`, valid while the module
 * stays loaded; NULL (errno EPROTONOSUPPORT) for 0 or a version newer than
 * the module's abi_max.
 */
const struct numaplace_plugin *numaplace_plugin_entry(unsigned abi_version);

typedef const struct numaplace_plugin *(*numaplace_plugin_entry_fn)(unsigned abi_version);

#endif
