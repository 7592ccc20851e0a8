/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memstat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static uint64_t np_memstat_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t np_memstat_sat_mul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The index where `node` is or would go in the sorted by_node. */
static size_t np_memstat_slot(const struct np_memstat *m, unsigned node)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->by_node[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int np_memstat_grow(struct np_memstat *m, struct np_err *err)
{
	size_t cap = m->cap ? m->cap * 2 : 8;
	struct np_memstat_node *p = reallocarray(m->by_node, cap, sizeof(*p));

	if (!p)
		return np_err_set(err, -ENOMEM, "memory per node: out of memory");
	m->by_node = p;
	m->cap = cap;
	return 0;
}

int np_memstat_add(struct np_memstat *m, unsigned node, uint64_t bytes, struct np_err *err)
{
	size_t i;
	int r;

	if (node >= NP_CPUSET_MAX)
		return np_err_set(err, -ERANGE, "memory per node: node %u is out of range", node);
	i = np_memstat_slot(m, node);
	if (i == m->n || m->by_node[i].node != node) {
		if (m->n == m->cap && (r = np_memstat_grow(m, err)) < 0)
			return r;
		memmove(&m->by_node[i + 1], &m->by_node[i], (m->n - i) * sizeof(*m->by_node));
		m->by_node[i] = (struct np_memstat_node){ .node = node, .bytes = 0 };
		m->n++;
	}
	m->by_node[i].bytes = np_memstat_sat_add(m->by_node[i].bytes, bytes);
	m->total = np_memstat_sat_add(m->total, bytes);
	return 0;
}

/* Parse the decimal at `s` up to `end` (exclusive) into `*out`: digits only. */
static bool np_memstat_number(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* `N<node>=<count>` at `word` (length `len`): true with both filled. */
static bool np_memstat_node_field(const char *word, size_t len, unsigned *node, uint64_t *count)
{
	const char *eq = memchr(word, '=', len);
	uint64_t id;

	if (len < 4 || word[0] != 'N' || !eq)
		return false;
	if (!np_memstat_number(word + 1, eq, &id) || id >= NP_CPUSET_MAX ||
	    !np_memstat_number(eq + 1, word + len, count))
		return false;
	*node = (unsigned)id;
	return true;
}

/* The page size of one numa_maps line: its kernelpagesize_kB, else `dflt`. */
static uint64_t np_memstat_line_page(const char *line, uint64_t dflt)
{
	static const char key[] = " kernelpagesize_kB=";
	const char *p = strstr(line, key), *end;
	uint64_t kb;

	if (!p)
		return dflt;
	p += sizeof(key) - 1;
	end = p + strcspn(p, " \n");
	return np_memstat_number(p, end, &kb) ? np_memstat_sat_mul(kb, 1024) : dflt;
}

/* Add one numa_maps line's node fields, each `page` bytes a page. */
static int np_memstat_maps_line(const char *line, unsigned lineno, uint64_t page,
				struct np_memstat *m, struct np_err *err)
{
	const char *w = line;
	int r;

	while (*w) {
		size_t len = strcspn(w, " \n");
		unsigned node;
		uint64_t pages;

		if (len > 1 && w[0] == 'N' && w[1] >= '0' && w[1] <= '9') {
			if (!np_memstat_node_field(w, len, &node, &pages))
				return np_err_set(err, -EBADMSG, "numa_maps line %u: bad node field", lineno);
			r = np_memstat_add(m, node, np_memstat_sat_mul(pages, page), err);
			if (r < 0)
				return r;
		}
		w += len;
		w += strspn(w, " \n");
	}
	return 0;
}

int np_memstat_parse_numa_maps(FILE *f, uint64_t page_size, struct np_memstat *m,
			       struct np_err *err)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int r;

	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		r = np_memstat_maps_line(line, lineno, np_memstat_line_page(line, page_size), m, err);
		if (r < 0)
			return r;
	}
	if (ferror(f))
		return np_err_set(err, errno ? -errno : -EIO, "numa_maps: %s", strerror(errno ? errno : EIO));
	return 0;
}

int np_memstat_read_pid(const char *proc_root, pid_t pid, struct np_memstat *m,
			struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	long page = sysconf(_SC_PAGESIZE);

	if (pid <= 0)
		return np_err_input(err, "numa_maps: bad pid %ld", (long)pid);
	if (asprintf(&path, "%s/%ld/numa_maps", proc_root, (long)pid) < 0) {
		path = NULL;
		return np_err_set(err, -ENOMEM, "numa_maps: out of memory");
	}
	f = fopen(path, "re");
	if (!f) {
		int e = errno == ENOENT ? ESRCH : errno;

		return np_err_set(err, -e, "%s: %s", path, strerror(errno));
	}
	return np_memstat_parse_numa_maps(f, page > 0 ? (uint64_t)page : 4096, m, err);
}

/* The line of `text` that starts with `key` (followed by '=' or ' '), or NULL. */
static const char *np_memstat_stat_line(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, key, len) == 0 && (l[len] == '=' || l[len] == ' '))
			return l + len;
	return NULL;
}

/* Add the node fields of one numa_stat line (from `p` to its end), each
 * count times `unit` bytes. */
static int np_memstat_stat_fields(const char *p, uint64_t unit, struct np_memstat *m,
				  struct np_err *err)
{
	const char *end = p + strcspn(p, "\n");
	int r;

	/* v1 puts the line's own total first: "total=12 N0=…". */
	if (*p == '=')
		p += 1 + strcspn(p + 1, " \n");
	while (p < end) {
		size_t len;
		unsigned node;
		uint64_t count;

		p += strspn(p, " ");
		len = strcspn(p, " \n");
		if (len == 0)
			break;
		if (!np_memstat_node_field(p, len, &node, &count))
			return np_err_set(err, -EBADMSG, "memory.numa_stat: bad field \"%.*s\"",
					  (int)(len > 32 ? 32 : len), p);
		if ((r = np_memstat_add(m, node, np_memstat_sat_mul(count, unit), err)) < 0)
			return r;
		p += len;
	}
	return 0;
}

int np_memstat_parse_numa_stat(const char *text, bool v1, uint64_t page_size,
			       struct np_memstat *m, struct np_err *err)
{
	static const char *const keys[] = { "anon", "file" };
	const char *line;
	int r;

	if (v1) {
		line = np_memstat_stat_line(text, "hierarchical_total");
		if (!line)
			line = np_memstat_stat_line(text, "total");
		if (!line)
			return np_err_set(err, -EBADMSG, "memory.numa_stat: no total line");
		return np_memstat_stat_fields(line, page_size, m, err);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		line = np_memstat_stat_line(text, keys[i]);
		if (!line)
			return np_err_set(err, -EBADMSG, "memory.numa_stat: no %s line", keys[i]);
		if ((r = np_memstat_stat_fields(line, 1, m, err)) < 0)
			return r;
	}
	return 0;
}

uint64_t np_memstat_local(const struct np_memstat *m, const struct np_cpuset *mems)
{
	uint64_t local = 0;

	for (size_t i = 0; i < m->n; i++)
		if (np_cpuset_has(mems, m->by_node[i].node))
			local = np_memstat_sat_add(local, m->by_node[i].bytes);
	return local;
}

void np_memstat_clear(struct np_memstat *m)
{
	free(m->by_node);
	*m = (struct np_memstat){ 0 };
}
