/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DIR/.summary: what the advisors read of every record, see ledger_summary.h. */
#include "ledger_summary.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "search.h"

#define NP_SUMMARY_MAGIC "numaplace-summary "
/* The largest summary read: far above 10,000 guests' lines. */
#define NP_SUMMARY_MAX (256u << 20)
/* Room kept in front of the lines for the header when storing. */
#define NP_SUMMARY_HEAD_MAX 128u
#define NP_SUMMARY_FIELDS 6

/* One guest's line, without its newline: in `buf` or, when owned, on the heap. */
struct np_sum_line {
	char *text;
	size_t len;
	bool owned;
};

struct np_ledger_summary {
	bool valid;
	uint64_t gen;
	char *buf;                  /* the file loaded, which lines point into */
	struct np_sum_line *lines;  /* ascending by name */
	size_t n, cap;
};

int np_summary_new(struct np_ledger_summary **out, struct np_err *err)
{
	struct np_ledger_summary *sum = calloc(1, sizeof(*sum));

	if (!sum)
		return np_err_set(err, -ENOMEM, "out of memory");
	*out = sum;
	return 0;
}

void np_summary_drop(struct np_ledger_summary *sum)
{
	for (size_t i = 0; i < sum->n; i++)
		if (sum->lines[i].owned)
			free(sum->lines[i].text);
	free(sum->lines);
	free(sum->buf);
	memset(sum, 0, sizeof(*sum));
}

void np_summary_free(struct np_ledger_summary *sum)
{
	if (!sum)
		return;
	np_summary_drop(sum);
	free(sum);
}

bool np_summary_current(const struct np_ledger_summary *sum, uint64_t gen)
{
	return sum->valid && sum->gen == gen && !(gen & 1u);
}

/* A hash of `len` bytes, 8 at a time (read as little-endian words, so
 * that the value is the same on every machine): enough to tell a torn or
 * garbled file. */
static uint64_t np_sum_hash(const char *p, size_t len)
{
	const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t h = len * k;
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ le64toh(w)) * k;
		h ^= h >> 29;
	}
	for (; len; p++, len--) {
		h = (h ^ (unsigned char)*p) * k;
		h ^= h >> 29;
	}
	return h;
}

/* The length of the guest name a line starts with. */
static size_t np_line_name_len(const struct np_sum_line *line)
{
	const char *sp = memchr(line->text, ' ', line->len);

	return sp ? (size_t)(sp - line->text) : line->len;
}

static int np_line_cmp(const struct np_sum_line *line, const char *name)
{
	size_t n = np_line_name_len(line), m = strlen(name);
	int c = memcmp(line->text, name, n < m ? n : m);

	return c ? c : n < m ? -1 : n > m ? 1 : 0;
}

static bool np_lines_ascend(const struct np_sum_line *a, const struct np_sum_line *b)
{
	size_t n = np_line_name_len(a), m = np_line_name_len(b);
	int c = memcmp(a->text, b->text, n < m ? n : m);

	return c < 0 || (c == 0 && n < m);
}

/* ---- loading ---- */

struct np_sum_head {
	unsigned version;
	uint64_t gen, bytes, sum;
	size_t guests;
	size_t len;   /* of the header line, newline included */
};

static int np_sum_parse_head(const char *text, size_t len, struct np_sum_head *h)
{
	const char *nl = memchr(text, '\n', len);
	size_t magic = sizeof(NP_SUMMARY_MAGIC) - 1;
	int used = -1;

	if (!nl || len < magic || memcmp(text, NP_SUMMARY_MAGIC, magic) != 0)
		return -EBADMSG;
	if (sscanf(text + magic, "%u ", &h->version) != 1)
		return -EBADMSG;
	if (h->version != NP_SUMMARY_VERSION)
		return -EPROTO;
	if (sscanf(text + magic, "%*u %16" SCNx64 " %zu %" SCNu64 " %16" SCNx64 "%n", &h->gen,
		   &h->guests, &h->bytes, &h->sum, &used) != 4 ||
	    text + magic + used != nl)
		return -EBADMSG;
	h->len = (size_t)(nl - text) + 1;
	return 0;
}

static int np_sum_grow(struct np_ledger_summary *sum, size_t want)
{
	struct np_sum_line *grown;
	size_t cap;

	if (want <= sum->cap)
		return 0;
	cap = sum->cap ? sum->cap : 16;
	while (cap < want)
		cap *= 2;
	grown = reallocarray(sum->lines, cap, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	sum->lines = grown;
	sum->cap = cap;
	return 0;
}

/* Split the lines after the header: `guests` of them, each ending in a
 * newline, names strictly ascending. */
static int np_sum_split(struct np_ledger_summary *sum, char *p, char *end, size_t guests)
{
	if (guests > (size_t)(end - p) || np_sum_grow(sum, guests ? guests : 1) < 0)
		return guests > (size_t)(end - p) ? -EBADMSG : -ENOMEM;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct np_sum_line line = { p, nl ? (size_t)(nl - p) : 0, false };

		if (!nl || nl == p || sum->n == guests)
			return -EBADMSG;
		if (sum->n && !np_lines_ascend(&sum->lines[sum->n - 1], &line))
			return -EBADMSG;
		sum->lines[sum->n++] = line;
		p = nl + 1;
	}
	return sum->n == guests ? 0 : -EBADMSG;
}

static int np_sum_check(struct np_ledger_summary *sum, char *text, size_t len, uint64_t gen)
{
	struct np_sum_head h;
	int r = np_sum_parse_head(text, len, &h);

	if (r < 0)
		return r;
	if (h.gen != gen)
		return -ESTALE;
	if (h.bytes != len - h.len || np_sum_hash(text + h.len, len - h.len) != h.sum)
		return -EBADMSG;
	return np_sum_split(sum, text + h.len, text + len, h.guests);
}

static const char *np_sum_why(int r)
{
	switch (r) {
	case -ESTALE: return "of another generation";
	case -EPROTO: return "of another format version";
	case -EBADMSG: return "torn or not a summary";
	default: return strerror(-r);
	}
}

int np_summary_load(struct np_ledger_summary *sum, struct np_ledger *ledger, uint64_t gen,
		    struct np_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	np_summary_drop(sum);
	if (gen & 1u)
		return np_err_set(err, -ESTALE, "%s/%s: the generation is odd", np_ledger_dir(ledger),
				  NP_SUMMARY_FILE);
	r = np_ledger_read_aux(ledger, NP_SUMMARY_FILE, NP_SUMMARY_MAX, &text, &len, err);
	if (r < 0)
		return r;
	sum->buf = text;
	r = np_sum_check(sum, text, len, gen);
	if (r < 0) {
		np_summary_drop(sum);
		return np_err_set(err, r, "%s/%s: %s", np_ledger_dir(ledger), NP_SUMMARY_FILE,
				  np_sum_why(r));
	}
	sum->gen = gen;
	sum->valid = true;
	return 0;
}

/* ---- lines from records ---- */

static const char *np_sum_set(const struct np_cpuset *s, char **heap)
{
	if (np_cpuset_empty(s))
		return "-";
	*heap = np_cpulist_format(s);
	return *heap;
}

static char *np_sum_bookings(const struct np_record *rec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (rec->nbookings == 0)
		return strdup("-");
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	for (unsigned i = 0; i < rec->nbookings; i++)
		fprintf(f, "%s%u:%u:%" PRIu64, i ? "," : "", rec->bookings[i].node,
			rec->bookings[i].vcpus, rec->bookings[i].memory);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int np_sum_format(const struct np_record *rec, struct np_sum_line *out)
{
	_cleanup_free_ char *c = NULL;
	_cleanup_free_ char *x = NULL;
	_cleanup_free_ char *d = NULL;
	_cleanup_free_ char *bk = np_sum_bookings(rec);
	const char *cpus = np_sum_set(&rec->cpus, &c);
	const char *excl = np_sum_set(&rec->exclusive, &x);
	const char *nodes = np_sum_set(&rec->nodes, &d);
	char *text;
	int n;

	if (!bk || !cpus || !excl || !nodes)
		return -ENOMEM;
	n = asprintf(&text, "%s %s %s %s %s %s", rec->name, np_record_phase_name(rec->phase), cpus,
		     excl, nodes, bk);
	if (n < 0)
		return -ENOMEM;
	*out = (struct np_sum_line){ text, (size_t)n, true };
	return 0;
}

int np_summary_build(struct np_ledger_summary *sum, const struct np_ledger_list *list,
		     uint64_t gen, struct np_err *err)
{
	np_summary_drop(sum);
	if (np_sum_grow(sum, list->nrecords ? list->nrecords : 1) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < list->nrecords; i++) {
		if (np_sum_format(&list->records[i], &sum->lines[sum->n]) < 0) {
			np_summary_drop(sum);
			return np_err_set(err, -ENOMEM, "out of memory");
		}
		sum->n++;
	}
	sum->gen = gen;
	sum->valid = true;
	return 0;
}

static int np_sum_cmp(const void *lines, size_t i, const void *name)
{
	return np_line_cmp(&((const struct np_sum_line *)lines)[i], name);
}

/* The index of guest `name`'s line, or where it would go. */
static size_t np_sum_find(const struct np_ledger_summary *sum, const char *name, bool *found)
{
	return np_search_sorted(sum->lines, sum->n, np_sum_cmp, name, found);
}

int np_summary_apply(struct np_ledger_summary *sum, const char *name,
		     const struct np_record *rec, uint64_t gen, struct np_err *err)
{
	struct np_sum_line line = { 0 };
	bool found;
	size_t i = np_sum_find(sum, name, &found);

	if (rec && (np_sum_format(rec, &line) < 0 || np_sum_grow(sum, sum->n + 1) < 0)) {
		free(line.text);
		np_summary_drop(sum);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	if (found && sum->lines[i].owned)
		free(sum->lines[i].text);
	if (found && !rec) {
		memmove(&sum->lines[i], &sum->lines[i + 1], (sum->n - i - 1) * sizeof(*sum->lines));
		sum->n--;
	} else if (rec && !found) {
		memmove(&sum->lines[i + 1], &sum->lines[i], (sum->n - i) * sizeof(*sum->lines));
		sum->n++;
	}
	if (rec)
		sum->lines[i] = line;
	sum->gen = gen;
	return 0;
}

/* ---- storing ---- */

int np_summary_store(const struct np_ledger_summary *sum, struct np_ledger *ledger,
		     struct np_err *err)
{
	_cleanup_free_ char *buf = NULL;
	char head[NP_SUMMARY_HEAD_MAX];
	size_t bytes = 0, off = NP_SUMMARY_HEAD_MAX;
	int n;

	for (size_t i = 0; i < sum->n; i++)
		bytes += sum->lines[i].len + 1;
	buf = malloc(NP_SUMMARY_HEAD_MAX + bytes + 1);
	if (!buf)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < sum->n; i++) {
		memcpy(buf + off, sum->lines[i].text, sum->lines[i].len);
		off += sum->lines[i].len;
		buf[off++] = '\n';
	}
	n = snprintf(head, sizeof(head), NP_SUMMARY_MAGIC "%u %016" PRIx64 " %zu %zu %016" PRIx64
		     "\n", NP_SUMMARY_VERSION, sum->gen, sum->n, bytes,
		     np_sum_hash(buf + NP_SUMMARY_HEAD_MAX, bytes));
	memcpy(buf + NP_SUMMARY_HEAD_MAX - n, head, (size_t)n);
	return np_ledger_write_aux(ledger, NP_SUMMARY_FILE, buf + NP_SUMMARY_HEAD_MAX - n,
				   (size_t)n + bytes, err);
}

/* ---- reading lines ---- */

size_t np_summary_count(const struct np_ledger_summary *sum)
{
	return sum->n;
}

int np_summary_entry(const struct np_ledger_summary *sum, size_t i,
		     struct np_summary_entry *out)
{
	struct np_summary_field *f[NP_SUMMARY_FIELDS] = {
		&out->name, &out->phase, &out->cpus, &out->exclusive, &out->nodes, &out->bookings,
	};
	const char *p = sum->lines[i].text, *end = p + sum->lines[i].len;

	for (unsigned k = 0; k < NP_SUMMARY_FIELDS; k++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		if (!sp)
			sp = end;
		if (sp == p || (k + 1 < NP_SUMMARY_FIELDS) != (sp < end))
			return -EBADMSG;
		*f[k] = (struct np_summary_field){ p, (size_t)(sp - p) };
		p = sp + 1;
	}
	return 0;
}

bool np_summary_equal(const struct np_ledger_summary *a, const struct np_ledger_summary *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->lines[i].len != b->lines[i].len ||
		    memcmp(a->lines[i].text, b->lines[i].text, a->lines[i].len) != 0)
			return false;
	return true;
}
