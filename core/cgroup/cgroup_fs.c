/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain file access below a cgroup mount point, and the backend that uses
 * only that (for a root the caller names). */
#include "cgroup_internal.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fileio.h"
#include "cpulist.h"

char *np_cgroup_path(const struct np_cgroup *cg, const char *group, const char *file)
{
	char *path = NULL;
	int r;

	if (file)
		r = asprintf(&path, "%s%s%s/%s", cg->mount, *group ? "/" : "", group, file);
	else
		r = asprintf(&path, "%s%s%s", cg->mount, *group ? "/" : "", group);
	return r < 0 ? NULL : path;
}

int np_cgroup_fail(struct np_err *err, int code, const char *group, const char *step)
{
	return np_err_set(err, code, "cgroup %s: %s: %s", *group ? group : "/", step,
			  strerror(-code));
}

int np_cgroup_read_file(const char *path, char **out)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = np_read_file(path, SIZE_MAX, &buf, &len);
	if (r < 0)
		return r;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	*out = np_steal_ptr(&buf);
	return 0;
}

int np_cgroup_fs_read(struct np_cgroup *cg, const char *group, const char *file,
		      char **out, struct np_err *err)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, file);
	int r;

	if (!path)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	r = np_cgroup_read_file(path, out);
	if (r < 0)
		return np_cgroup_fail(err, r, group, file);
	return 0;
}

int np_cgroup_fs_write(struct np_cgroup *cg, const char *group, const char *file,
		       const char *value, struct np_err *err)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, file);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	if (!path)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return np_cgroup_fail(err, -errno, group, file);
	n = write(fd, value, len);
	if (n < 0)
		return np_cgroup_fail(err, -errno, group, file);
	if ((size_t)n != len)
		return np_cgroup_fail(err, -EIO, group, file);
	return 0;
}

int np_cgroup_read_set(struct np_cgroup *cg, const char *group, const char *file,
		       struct np_cpuset *out, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = np_cgroup_fs_read(cg, group, file, &text, err);
	if (r < 0)
		return r;
	r = np_cpulist_parse(text, NP_CPULIST_KERNEL, out, err);
	if (r < 0)
		return np_err_wrap(err, "cgroup %s: %s", *group ? group : "/", file);
	return 0;
}

int np_cgroup_dir_exists(struct np_cgroup *cg, const char *group)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, NULL);
	struct stat st;

	if (!path)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISDIR(st.st_mode) ? 1 : -ENOTDIR;
}

static int np_cgroup_fs_make(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, NULL);

	if (!path)
		return np_cgroup_fail(err, -ENOMEM, group, "mkdir");
	if (mkdir(path, 0755) < 0)
		return np_cgroup_fail(err, -errno, group, "mkdir");
	return 0;
}

static int np_cgroup_fs_remove(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	_cleanup_free_ char *path = np_cgroup_path(cg, group, NULL);

	if (!path)
		return np_cgroup_fail(err, -ENOMEM, group, "rmdir");
	if (rmdir(path) < 0 && errno != ENOENT)
		return np_cgroup_fail(err, -errno, group, "rmdir");
	return 0;
}

const struct np_cgroup_backend np_cgroup_fs_backend = {
	.name = "files",
	.make = np_cgroup_fs_make,
	.remove = np_cgroup_fs_remove,
	.write = np_cgroup_fs_write,
};
