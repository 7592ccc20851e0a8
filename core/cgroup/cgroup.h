/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CGROUP_H
#define NUMAPLACE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cpuset.h"
#include "err.h"

/*
 * Cpuset cgroups: create a guest's group, write its cpus and mems, move its
 * PID in, and take it all back. Built on libcgroup 2.0.2, around what that
 * version gets wrong (see np_cgroup_open and tests/integration/
 * test_cgroup_real.c, which keeps a test for each quirk):
 *  - cgroup_attach_task_pid() moves one thread: PIDs are moved through
 *    cgroup.procs, which moves the whole thread group at once;
 *  - creating `a/b` when `a` is missing leaves `a` unusable (empty cpus and
 *    mems on v1): ancestors are made one level at a time and filled;
 *  - cgroup_delete_cgroup_ext(CGFLAG_DELETE_EMPTY_ONLY) returns 0 when the
 *    rmdir failed: removal is checked;
 *  - the kernel's reason is cgroup_get_last_errno(), never reset on success;
 *  - cgroup_init() run while another thread works makes that thread fail
 *    spuriously: it runs once per process (np_cgroup_init).
 * The kernel itself reports success when a zombie PID is written to
 * cgroup.procs, without moving it: every move is checked in /proc.
 *
 * Group paths are relative to the hierarchy's mount point, '/' separated,
 * with no leading or trailing '/'. Nothing here prints.
 */

enum np_cgroup_version {
	NP_CGROUP_V1 = 1, /* a cgroup v1 hierarchy with the cpuset controller */
	NP_CGROUP_V2 = 2, /* the unified hierarchy with cpuset available */
};

/* The cpuset hierarchy in use (opaque). */
struct np_cgroup;

/* What to write into a group. */
struct np_cgroup_placement {
	struct np_cpuset cpus;
	struct np_cpuset mems;
	/* v1: cpuset.memory_migrate. v2 always migrates memory with mems. */
	bool memory_migrate;
};

/* What a group holds: configured and effective cpus and mems. */
struct np_cgroup_state {
	struct np_cpuset cpus;
	struct np_cpuset mems;
	struct np_cpuset effective_cpus;
	struct np_cpuset effective_mems;
};

/* Run cgroup_init() exactly once per process, whichever thread comes first
 * (pthread_once); every call returns that first result. */
int np_cgroup_init(struct np_err *err);

/* Find the cpuset hierarchy through libcgroup: a v1 cpuset mount, or the
 * unified mount when its cgroup.controllers lists cpuset (version told by
 * the mount's file system type). `proc` is the procfs root ("/proc") used
 * to find and check a PID's group. -ENOENT when there is no such hierarchy. */
int np_cgroup_open(const char *proc, struct np_cgroup **out, struct np_err *err);

/* The same over a directory the caller names, taken as the mount point of a
 * `version` hierarchy, with plain file operations instead of libcgroup (a
 * fake tree in tests; a hierarchy libcgroup does not know). */
int np_cgroup_open_at(const char *mount, enum np_cgroup_version version,
		      const char *proc, struct np_cgroup **out, struct np_err *err);

/* Free the handle. NULL is fine. */
void np_cgroup_close(struct np_cgroup *cg);

enum np_cgroup_version np_cgroup_version(const struct np_cgroup *cg);
/* The hierarchy's mount point, e.g. "/sys/fs/cgroup/cpuset". */
const char *np_cgroup_mount(const struct np_cgroup *cg);

/* Create `parent/guest`, write pl's cpus then mems, and move `pid` (all its
 * threads) in; pid 0 moves nothing. Missing ancestors are made and made
 * usable (v1: cpus/mems copied from their parent where empty; v2: +cpuset in
 * every ancestor's subtree_control); values are read back. On failure
 * nothing of this call is left: the PID is where it was, the guest group
 * and the ancestors this call made are gone (v2: +cpuset stays enabled in
 * ancestors that existed). -EEXIST when the guest group exists (checked
 * just before the mkdir: libcgroup's mkdir accepts an existing directory,
 * so callers serialise creates of one guest, as the ledger lock does). */
int np_cgroup_create(struct np_cgroup *cg, const char *parent, const char *guest,
		     const struct np_cgroup_placement *pl, pid_t pid,
		     struct np_err *err);

/* v1: give every ancestor of `group` (top-level first; neither the root
 * nor `group` itself) the CPUs and nodes of pl that its parent has and it
 * lacks, so that pl can be applied to `group` again. For re-applying a
 * placement that CPU hotplug shrank: the kernel takes an offline CPU out of
 * every v1 cpuset and, when the CPU comes back, returns it to the root
 * only. Only adds, never removes. v2: nothing to do (hotplug leaves
 * cpuset.cpus alone and the kernel restores the effective sets itself). */
int np_cgroup_widen(struct np_cgroup *cg, const char *group,
		    const struct np_cgroup_placement *pl, struct np_err *err);

/* Move `pid` (its whole thread group, through cgroup.procs) into the
 * existing `group` and check in /proc that it arrived; nothing to do when
 * it is there already. -ESRCH when there is no such process. */
int np_cgroup_attach(struct np_cgroup *cg, const char *group, pid_t pid,
		     struct np_err *err);

/* Write pl into the existing group `group` (an LXC payload group, say):
 * memory_migrate, cpus, then mems, read back. Creates nothing, moves
 * nothing; refuses the root group and paths with "..", a leading '/' or an
 * empty component. On failure the group is given back its former cpus,
 * mems and (v1) memory_migrate; when that fails too, the error says so
 * after the failure itself. */
int np_cgroup_apply(struct np_cgroup *cg, const char *group,
		    const struct np_cgroup_placement *pl, struct np_err *err);

/* np_cgroup_apply on `parent/guest`, a group np_cgroup_create made. */
int np_cgroup_update(struct np_cgroup *cg, const char *parent, const char *guest,
		     const struct np_cgroup_placement *pl, struct np_err *err);

/* Remove `parent/guest`. -EBUSY while it holds live tasks, unless `force`,
 * which first moves them to the nearest ancestor that takes them. A group
 * that does not exist is success. Success means the directory is gone. */
int np_cgroup_remove(struct np_cgroup *cg, const char *parent, const char *guest,
		     bool force, struct np_err *err);

/* Move every process of `from` into the existing group `to` ("" is the
 * root); processes that died meanwhile are skipped. */
int np_cgroup_move_tasks(struct np_cgroup *cg, const char *from, const char *to,
			 struct np_err *err);

/* 1 when `group` exists ("" is the root), 0 when not, or a negative errno. */
int np_cgroup_exists(struct np_cgroup *cg, const char *group, struct np_err *err);

/* Read the configured and effective cpus and mems of `group` ("" is the
 * root, whose configured values on v2 are its effective ones). */
int np_cgroup_read(struct np_cgroup *cg, const char *group,
		   struct np_cgroup_state *out, struct np_err *err);

/* The processes (cgroup.procs) of `group`, as a heap array the caller
 * frees; *n may be 0 (then *pids is NULL). */
int np_cgroup_tasks(struct np_cgroup *cg, const char *group, pid_t **pids,
		    size_t *n, struct np_err *err);

/* The group of this hierarchy that `pid` is in, from PROC/PID/cgroup, as a
 * heap string ("" for the root). -ESRCH when there is no such process. */
int np_cgroup_pid_group(struct np_cgroup *cg, pid_t pid, char **group,
			struct np_err *err);

static inline void np_cgroup_closep(struct np_cgroup **cg)
{
	np_cgroup_close(*cg);
}

#define _cleanup_cgroup_ __attribute__((cleanup(np_cgroup_closep)))

#endif
