/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CGROUP_INTERNAL_H
#define NUMAPLACE_CGROUP_INTERNAL_H

/*
 * Inside core/cgroup: the handle, the per-version operations (v1, v2) and
 * the two backends that make and remove groups and write cpuset values
 * (libcgroup for the system's hierarchy, plain files for a caller's root).
 * Every function returns 0 or a negative errno and names the group and the
 * file in its error.
 */

#include "cgroup.h"

/* What differs between cgroup v1 and v2. */
struct np_cgroup_ops {
	enum np_cgroup_version version;
	/* Files that hold the effective cpus and mems. */
	const char *effective_cpus;
	const char *effective_mems;
	/* Files that must read back what was written: v1 the configured ones,
	 * v2 the effective ones (v2 accepts cpus outside the parent's). */
	const char *verify_cpus;
	const char *verify_mems;
	/* Does the root group have cpuset.cpus and cpuset.mems (v1), or only
	 * the effective files (v2)? */
	bool root_configurable;
	/* Before a child is made in `group`: v2 enables +cpuset there. */
	int (*prepare_parent)(struct np_cgroup *cg, const char *group,
			      struct np_err *err);
	/* On an ancestor that now exists: v1 fills empty cpus/mems from
	 * `parent` (cpus first). */
	int (*fill)(struct np_cgroup *cg, const char *group, const char *parent,
		    struct np_err *err);
	/* On an existing ancestor: v1 adds the CPUs and nodes of `pl` that
	 * `parent` has and `group` lacks (see np_cgroup_widen); v2 nothing. */
	int (*widen)(struct np_cgroup *cg, const char *group, const char *parent,
		     const struct np_cgroup_placement *pl, struct np_err *err);
	/* Write cpuset.memory_migrate (v1); v2 has no such file. */
	int (*set_migrate)(struct np_cgroup *cg, const char *group, bool on,
			   struct np_err *err);
	/* Does a PROC/PID/cgroup line ("ID:CONTROLLERS:PATH", split) belong
	 * to this hierarchy? */
	bool (*owns_line)(const char *id, const char *controllers);
};

extern const struct np_cgroup_ops np_cgroup_v1_ops;
extern const struct np_cgroup_ops np_cgroup_v2_ops;

/* How groups are made and removed and cpuset values written. */
struct np_cgroup_backend {
	const char *name;
	/* mkdir `group` (its parent exists); -EEXIST when it exists. */
	int (*make)(struct np_cgroup *cg, const char *group, struct np_err *err);
	/* rmdir `group` and check it is gone; success when it was missing. */
	int (*remove)(struct np_cgroup *cg, const char *group, struct np_err *err);
	/* Write `value` into `group`/`file` (a cpuset.* file). */
	int (*write)(struct np_cgroup *cg, const char *group, const char *file,
		     const char *value, struct np_err *err);
};

extern const struct np_cgroup_backend np_cgroup_fs_backend;
extern const struct np_cgroup_backend np_cgroup_lib_backend;

struct np_cgroup {
	char *mount;
	char *proc;
	const struct np_cgroup_ops *ops;
	const struct np_cgroup_backend *backend;
};

/* Make a handle (core/cgroup/cgroup.c); the strings are copied. */
int np_cgroup_new(const char *mount, enum np_cgroup_version version, const char *proc,
		  const struct np_cgroup_backend *backend, struct np_cgroup **out,
		  struct np_err *err);

/* Input check of what np_cgroup_create and np_cgroup_apply write. */
int np_cgroup_check_placement(const struct np_cgroup_placement *pl, struct np_err *err);

/* Write memory_migrate, cpus, then mems into `group` through the backend
 * and read them back (core/cgroup/cgroup.c). Restores nothing on failure. */
int np_cgroup_write_placement(struct np_cgroup *cg, const char *group,
			      const struct np_cgroup_placement *pl, struct np_err *err);

/* Plain file access below the mount point (core/cgroup/cgroup_fs.c). */

/* MOUNT/GROUP or MOUNT/GROUP/FILE as a heap string (NULL when out of
 * memory); group "" is the root, file NULL names the directory. */
char *np_cgroup_path(const struct np_cgroup *cg, const char *group, const char *file);

/* Read a whole file, trailing newline stripped, into a heap string. */
int np_cgroup_read_file(const char *path, char **out);

/* Read `group`/`file`; the error names both. */
int np_cgroup_fs_read(struct np_cgroup *cg, const char *group, const char *file,
		      char **out, struct np_err *err);

/* Write `value` into `group`/`file` in one write(2); the error names the
 * group, the file and the kernel's reason. */
int np_cgroup_fs_write(struct np_cgroup *cg, const char *group, const char *file,
		       const char *value, struct np_err *err);

/* Read `group`/`file` as a cpu or node list. */
int np_cgroup_read_set(struct np_cgroup *cg, const char *group, const char *file,
		       struct np_cpuset *out, struct np_err *err);

/* 1 when `group` is a directory, 0 when missing, else a negative errno. */
int np_cgroup_dir_exists(struct np_cgroup *cg, const char *group);

/* Set the error "cgroup GROUP: STEP: REASON" (root shown as "/"). */
int np_cgroup_fail(struct np_err *err, int code, const char *group, const char *step);

/* Group paths (core/cgroup/cgroup_path.c). */

/* Check each '/'-separated component of `path` with np_name_validate. */
int np_cgroup_check_parent(const char *path, struct np_err *err);

/* Check a group named by a caller: not the root, no leading '/', no empty,
 * "." or ".." component, printable bytes without blanks. */
int np_cgroup_check_group(const char *path, struct np_err *err);

/* "parent/guest" after checking both; heap string in *out. */
int np_cgroup_join(const char *parent, const char *guest, char **out,
		   struct np_err *err);

/* The parent of `group` ("" for a top-level group), heap string. */
char *np_cgroup_dirname(const char *group);

/* Is `word` one of the items of `list`, items separated by any of `seps`? */
bool np_cgroup_has_word(const char *list, const char *seps, const char *word);

/* PIDs (core/cgroup/cgroup_pid.c; np_cgroup_pid_group() is in cgroup.h). */

/* Find this hierarchy's group in the text of a PROC/PID/cgroup file. */
int np_cgroup_parse_proc(const struct np_cgroup_ops *ops, const char *text,
			 char **group);

/* 1 when PROC/PID is gone or a zombie, 0 when it runs, else -errno. */
int np_cgroup_pid_dead(struct np_cgroup *cg, pid_t pid);

/* Write `pid` in decimal into `group`/cgroup.procs (which moves its whole
 * thread group) with np_cgroup_fs_write; nothing more is checked. */
int np_cgroup_write_pid(struct np_cgroup *cg, const char *group, pid_t pid,
			struct np_err *err);

/* Write `pid` into `group`/cgroup.procs, which moves its whole thread
 * group, then check in PROC that it arrived (-ESRCH when it had died). */
int np_cgroup_move(struct np_cgroup *cg, const char *group, pid_t pid,
		   struct np_err *err);

#endif
