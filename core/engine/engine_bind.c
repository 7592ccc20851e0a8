/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which machine a state dir is for (docs/contract.md "A captured topology
 * never touches the live machine"). STATE/.topology holds one line, written
 * once at the state dir's first reservation and never changed:
 *   live
 *   capture DIGEST SOURCE
 * DIGEST is 16 hex digits over the capture's nodes, CPUs and memory;
 * SOURCE the path it was loaded from, for messages. Two captures with the
 * same digest are the same machine, wherever their files lie.
 */
#include "engine_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpulist.h"
#include "fileio.h"

#define NP_BIND_FILE ".topology"
#define NP_BIND_MAX 8192u

static uint64_t np_fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* FNV-1a over "id cpulist memory;" of every node. */
static int np_bind_digest(const struct np_topology *topo, uint64_t *out)
{
	uint64_t h = 14695981039346656037ull;

	for (unsigned i = 0; i < topo->nnodes; i++) {
		const struct np_node *n = &topo->nodes[i];
		_cleanup_free_ char *cpus = np_cpulist_format(&n->cpus);
		_cleanup_free_ char *line = NULL;
		int len;

		if (!cpus)
			return -ENOMEM;
		len = asprintf(&line, "%u %s %" PRIu64 ";", n->id, cpus, n->memory_total);
		if (len < 0) {
			line = NULL;
			return -ENOMEM;
		}
		h = np_fnv(h, line, (size_t)len);
	}
	*out = h;
	return 0;
}

/* This engine's binding line, without its newline. */
static int np_bind_line(struct np_engine *eng, char **out, struct np_err *err)
{
	uint64_t digest;

	if (!eng->topology_src) {
		*out = strdup("live");
		return *out ? 0 : np_err_set(err, -ENOMEM, "out of memory");
	}
	if (!eng->topo) /* np_engine_ledger() loads it first */
		return np_err_set(err, -EINVAL, "topology %s: not loaded", eng->topology_src);
	if (np_bind_digest(eng->topo, &digest) < 0 ||
	    asprintf(out, "capture %016" PRIx64 " %s", digest, eng->topology_src) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* How a binding line reads in a message: "the live machine" or "capture SRC". */
static const char *np_bind_what(const char *line, const char **src)
{
	if (strncmp(line, "capture ", 8) != 0) {
		*src = "";
		return "the live machine";
	}
	*src = strchr(line + 8, ' ');
	*src = *src ? *src + 1 : "?";
	return "capture ";
}

/* Whether two binding lines name the same machine: both live, or the same digest. */
static bool np_bind_same(const char *a, const char *b)
{
	bool ca = strncmp(a, "capture ", 8) == 0, cb = strncmp(b, "capture ", 8) == 0;

	if (!ca || !cb)
		return ca == cb;
	return strncmp(a + 8, b + 8, 16) == 0;
}

static int np_bind_refuse(struct np_engine *eng, const char *bound, const char *mine,
			  struct np_err *err)
{
	const char *bsrc, *msrc;
	const char *bwhat = np_bind_what(bound, &bsrc);
	const char *mwhat = np_bind_what(mine, &msrc);

	return np_err_input(err, "state dir %s is bound to %s%s, not to %s%s: use a state dir "
			    "of its own for each topology", eng->state_dir, bwhat, bsrc, mwhat, msrc);
}

/* Create STATE/.topology holding `line`, never replacing one: a temporary
 * file linked into place. -EEXIST when another process bound it first. */
static int np_bind_create(struct np_engine *eng, const char *line)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(line);
	int r = 0;

	if (asprintf(&tmp, "%s/.topology.%d.tmp", eng->state_dir, (int)getpid()) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	if (asprintf(&path, "%s/" NP_BIND_FILE, eng->state_dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (r == 0 && link(tmp, path) < 0)
		r = -errno;
	unlink(tmp);
	return r;
}

/* The bound line of the state dir into *out (heap, newline cut), or -ENOENT. */
static int np_bind_read(struct np_engine *eng, char **out)
{
	_cleanup_free_ char *path = NULL;
	char *text = NULL;
	int r;

	if (asprintf(&path, "%s/" NP_BIND_FILE, eng->state_dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	r = np_read_file(path, NP_BIND_MAX, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	*out = text;
	return 0;
}

int np_engine_bind(struct np_engine *eng, bool write, struct np_err *err)
{
	_cleanup_free_ char *mine = NULL;
	_cleanup_free_ char *bound = NULL;
	int r = np_bind_line(eng, &mine, err);

	if (r < 0)
		return r;
	r = np_bind_read(eng, &bound);
	if (r == -ENOENT && write) {
		r = np_bind_create(eng, mine);
		if (r == 0)
			return 0;
		if (r == -EEXIST)
			r = np_bind_read(eng, &bound);
		else
			return np_err_set(err, r, "state dir %s: %s: %s", eng->state_dir,
					  NP_BIND_FILE, strerror(-r));
	}
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return np_err_set(err, r, "state dir %s: %s: %s", eng->state_dir, NP_BIND_FILE,
				  strerror(-r));
	return np_bind_same(bound, mine) ? 0 : np_bind_refuse(eng, bound, mine, err);
}

int np_engine_require_live(struct np_engine *eng, const char *what, struct np_err *err)
{
	if (!eng->topology_src)
		return 0;
	return np_err_input(err, "topology %s is a capture: %s acts on the live machine only "
			    "(plan with advise or reserve in a state dir of its own)",
			    eng->topology_src, what);
}
