/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "fileio.h"

#define NP_SYSFS_NODE_DIR "sys/devices/system/node"

/* ROOT/REL with exactly one slash between them; NULL when out of memory. */
static char *np_sysfs_path(const char *root, const char *rel)
{
	size_t len = strlen(root);
	char *path = NULL;

	if (asprintf(&path, "%s%s%s", root, len && root[len - 1] == '/' ? "" : "/", rel) < 0)
		return NULL;
	return path;
}

/* Read the whole file ROOT/REL into a heap string (NUL-terminated, any
 * size). -ENOENT (with `err` set) when it does not exist. An error from
 * open(2) keeps its errno; a failed read is -EIO. */
static int np_sysfs_read(const char *root, const char *rel, char **out, struct np_err *err)
{
	_cleanup_free_ char *path = np_sysfs_path(root, rel);
	_cleanup_close_ int fd = -1;
	int r;

	if (!path)
		return np_err_set(err, -ENOMEM, "%s: out of memory", rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return np_err_set(err, -errno, "%s: %s", path, strerror(errno));
	r = np_read_fd(fd, SIZE_MAX, out, NULL);
	if (r < 0 && r != -ENOMEM)
		r = -EIO;
	if (r < 0)
		return np_err_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* Drop trailing blanks and newlines in place. */
static void np_sysfs_chomp(char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
}

/* Read and parse nodeN/FILE (`mask`: hex cpumap, else cpulist). */
static int np_sysfs_node_set(const char *root, unsigned node, const char *file, bool mask,
			     struct np_cpuset *out, struct np_err *err)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (asprintf(&rel, NP_SYSFS_NODE_DIR "/node%u/%s", node, file) < 0)
		return np_err_set(err, -ENOMEM, "node %u: out of memory", node);
	r = np_sysfs_read(root, rel, &text, err);
	if (r < 0)
		return r;
	np_sysfs_chomp(text);
	r = mask ? np_cpumask_parse(text, out, err) : np_cpulist_parse(text, NP_CPULIST_KERNEL, out, err);
	if (r < 0)
		return np_err_wrap(err, "%s", rel);
	return 0;
}

int np_sysfs_node_cpus(const char *root, unsigned node, struct np_cpuset *out,
		       struct np_err *err)
{
	int r = np_sysfs_node_set(root, node, "cpulist", false, out, err);

	if (r != -ENOENT)
		return r;
	np_err_clear(err);
	return np_sysfs_node_set(root, node, "cpumap", true, out, err);
}

/* The value in kB of the `MemFree:` line of a node meminfo text, in bytes. */
static int np_sysfs_parse_memfree(const char *text, uint64_t *out)
{
	const char *line = strstr(text, " MemFree:");
	unsigned long long kb;
	char *end;

	if (!line)
		return -ENOENT;
	line += strlen(" MemFree:");
	line += strspn(line, " \t");
	if (*line < '0' || *line > '9')
		return -EINVAL;
	errno = 0;
	kb = strtoull(line, &end, 10);
	if (errno || end == line || strncmp(end, " kB", 3) != 0 || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*out = (uint64_t)kb * 1024;
	return 0;
}

int np_sysfs_node_memfree(const char *root, unsigned node, uint64_t *out,
			  struct np_err *err)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (asprintf(&rel, NP_SYSFS_NODE_DIR "/node%u/meminfo", node) < 0)
		return np_err_set(err, -ENOMEM, "node %u: out of memory", node);
	r = np_sysfs_read(root, rel, &text, err);
	if (r < 0)
		return r;
	r = np_sysfs_parse_memfree(text, out);
	if (r == -ENOENT)
		return np_err_set(err, r, "%s: no MemFree line", rel);
	if (r < 0)
		return np_err_input(err, "%s: MemFree: not a number of kB", rel);
	return 0;
}
