/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcgroup: initialised once per process, finds the cpuset hierarchy, and
 * backs group creation, value writes and removal (each checked, see
 * cgroup.h for the quirks of 2.0.2 this works around). */
#include "cgroup_internal.h"

#include <errno.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <pthread.h>
#include <string.h>
#include <sys/vfs.h>

#include "cleanup.h"

static pthread_once_t np_cgroup_once = PTHREAD_ONCE_INIT;
static int np_cgroup_init_code;
static int np_cgroup_init_errno;

static void np_cgroup_init_once(void)
{
	np_cgroup_init_code = cgroup_init();
	np_cgroup_init_errno = cgroup_get_last_errno();
}

/* A libcgroup result as a negative errno; ECGOTHER carries the kernel's. */
static int np_cgroup_lib_errno(int code, int last_errno)
{
	switch (code) {
	case ECGOTHER:
		return last_errno > 0 ? -last_errno : -EIO;
	case ECGROUPNOTMOUNTED:
	case ECGROUPSUBSYSNOTMOUNTED:
	case ECGROUPNOTEXIST:
		return -ENOENT;
	case ECGROUPNOTOWNER:
	case ECGROUPNOTALLOWED:
		return -EACCES;
	case ECGINVAL:
		return -EINVAL;
	case ECGNONEMPTY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

/* Set "cgroup GROUP: STEP: REASON" from a libcgroup result. */
static int np_cgroup_lib_fail(struct np_err *err, int code, int last_errno,
			      const char *group, const char *step)
{
	int e = np_cgroup_lib_errno(code, last_errno);

	if (code == ECGOTHER)
		return np_cgroup_fail(err, e, group, step);
	return np_err_set(err, e, "cgroup %s: %s: %s", *group ? group : "/", step,
			  cgroup_strerror(code));
}

int np_cgroup_init(struct np_err *err)
{
	pthread_once(&np_cgroup_once, np_cgroup_init_once);
	if (np_cgroup_init_code)
		return np_cgroup_lib_fail(err, np_cgroup_init_code, np_cgroup_init_errno,
					  "", "libcgroup cgroup_init");
	return 0;
}

/* The version of the hierarchy mounted at `mount`, from its fs type. */
static int np_cgroup_mount_version(const char *mount, enum np_cgroup_version *out,
				   struct np_err *err)
{
	struct statfs st;

	if (statfs(mount, &st) < 0)
		return np_err_set(err, -errno, "cgroup mount %s: %s", mount, strerror(errno));
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		*out = NP_CGROUP_V2;
	else if (st.f_type == CGROUP_SUPER_MAGIC)
		*out = NP_CGROUP_V1;
	else
		return np_err_set(err, -ENOENT, "cgroup mount %s: not a cgroup file system", mount);
	return 0;
}

int np_cgroup_open(const char *proc, struct np_cgroup **out, struct np_err *err)
{
	_cleanup_free_ char *mount = NULL;
	enum np_cgroup_version version = NP_CGROUP_V1;
	int r;

	r = np_cgroup_init(err);
	if (r < 0)
		return r;
	r = cgroup_get_subsys_mount_point("cpuset", &mount);
	if (r != 0)
		return np_err_set(err, -ENOENT, "cgroup: no cpuset hierarchy is mounted (libcgroup: %s)",
				  cgroup_strerror(r));
	r = np_cgroup_mount_version(mount, &version, err);
	if (r < 0)
		return r;
	return np_cgroup_new(mount, version, proc, &np_cgroup_lib_backend, out, err);
}

/* A libcgroup group named `group` with the cpuset controller; NULL when
 * out of memory. */
static struct cgroup *np_cgroup_lib_new(const char *group, struct cgroup_controller **ctl)
{
	struct cgroup *g = cgroup_new_cgroup(group);

	if (!g)
		return NULL;
	*ctl = cgroup_add_controller(g, "cpuset");
	if (!*ctl)
		cgroup_free(&g);
	return g;
}

static int np_cgroup_lib_make(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	struct cgroup_controller *ctl;
	struct cgroup *g;
	int r;

	r = np_cgroup_dir_exists(cg, group);
	if (r != 0)
		return np_cgroup_fail(err, r > 0 ? -EEXIST : r, group, "mkdir");
	g = np_cgroup_lib_new(group, &ctl);
	if (!g)
		return np_cgroup_fail(err, -ENOMEM, group, "mkdir");
	r = cgroup_create_cgroup(g, 0);
	cgroup_free(&g);
	if (r != 0)
		return np_cgroup_lib_fail(err, r, cgroup_get_last_errno(), group, "mkdir");
	return 0;
}

/* libcgroup said the group is removed, yet it is there: say why. */
static int np_cgroup_lib_still_there(struct np_cgroup *cg, const char *group,
				     struct np_err *err)
{
	_cleanup_free_ char *procs = NULL;

	if (np_cgroup_fs_read(cg, group, "cgroup.procs", &procs, NULL) == 0 && *procs)
		return np_err_set(err, -EBUSY, "cgroup %s: rmdir: it still holds tasks", group);
	return np_err_set(err, -EBUSY, "cgroup %s: rmdir: it is still there (child groups?)",
			  group);
}

static int np_cgroup_lib_remove(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	struct cgroup_controller *ctl;
	struct cgroup *g;
	int r;

	r = np_cgroup_dir_exists(cg, group);
	if (r <= 0)
		return r < 0 ? np_cgroup_fail(err, r, group, "rmdir") : 0;
	g = np_cgroup_lib_new(group, &ctl);
	if (!g)
		return np_cgroup_fail(err, -ENOMEM, group, "rmdir");
	r = cgroup_delete_cgroup_ext(g, CGFLAG_DELETE_EMPTY_ONLY);
	cgroup_free(&g);
	if (r != 0)
		return np_cgroup_lib_fail(err, r, cgroup_get_last_errno(), group, "rmdir");
	r = np_cgroup_dir_exists(cg, group);
	if (r != 0)
		return r > 0 ? np_cgroup_lib_still_there(cg, group, err)
			     : np_cgroup_fail(err, r, group, "rmdir");
	return 0;
}

static int np_cgroup_lib_write(struct np_cgroup *cg, const char *group, const char *file,
			       const char *value, struct np_err *err)
{
	struct cgroup_controller *ctl;
	struct cgroup *g;
	int r;

	(void)cg;
	g = np_cgroup_lib_new(group, &ctl);
	if (!g)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	r = cgroup_add_value_string(ctl, file, value);
	if (r == 0)
		r = cgroup_modify_cgroup(g);
	cgroup_free(&g);
	if (r != 0)
		return np_cgroup_lib_fail(err, r, cgroup_get_last_errno(), group, file);
	return 0;
}

const struct np_cgroup_backend np_cgroup_lib_backend = {
	.name = "libcgroup",
	.make = np_cgroup_lib_make,
	.remove = np_cgroup_lib_remove,
	.write = np_cgroup_lib_write,
};
