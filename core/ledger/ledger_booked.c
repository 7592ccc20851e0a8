/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The advisors' view of a summary: see ledger_booked.h. */
#include "ledger_booked.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

/* The records made so far, and an open-addressing table from a shared
 * group's key (its line's text from cpus to nodes) to its record. */
struct np_booked {
	struct np_ledger_list *list;
	unsigned cap;
	struct np_booked_slot {
		const char *key;        /* NULL: empty */
		size_t len;
		unsigned record;
	} *slots;
	size_t nslots, used;
};

static uint64_t np_booked_hash(const char *p, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * UINT64_C(0x100000001b3);
	return h;
}

static int np_booked_grow_slots(struct np_booked *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 64;
	struct np_booked_slot *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < b->nslots; i++) {
		size_t j;

		if (!b->slots[i].key)
			continue;
		j = np_booked_hash(b->slots[i].key, b->slots[i].len) & (n - 1);
		while (slots[j].key)
			j = (j + 1) & (n - 1);
		slots[j] = b->slots[i];
	}
	free(b->slots);
	b->slots = slots;
	b->nslots = n;
	return 0;
}

/* The slot of `key`: its group's, or the empty one where it would go. */
static struct np_booked_slot *np_booked_slot(struct np_booked *b, const char *key, size_t len)
{
	size_t j = np_booked_hash(key, len) & (b->nslots - 1);

	while (b->slots[j].key &&
	       (b->slots[j].len != len || memcmp(b->slots[j].key, key, len) != 0))
		j = (j + 1) & (b->nslots - 1);
	return &b->slots[j];
}

/* A cpulist field ("-": empty) into `out`. */
static int np_booked_set(const struct np_summary_field *f, struct np_cpuset *out)
{
	_cleanup_free_ char *text = NULL;

	if (f->len == 1 && f->p[0] == '-')
		return 0;
	text = strndup(f->p, f->len);
	if (!text)
		return -ENOMEM;
	return np_cpulist_parse(text, NP_CPULIST_KERNEL, out, NULL) < 0 ? -EBADMSG : 0;
}

/* A new record for guest `e`, with its sets and no bookings yet. */
static int np_booked_new(struct np_booked *b, const struct np_summary_entry *e,
			 struct np_record **out)
{
	struct np_ledger_list *list = b->list;
	struct np_record *rec;

	if (e->name.len > NP_NAME_MAX)
		return -EBADMSG;
	if (list->nrecords == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 16;
		struct np_record *grown = reallocarray(list->records, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->records = grown;
		b->cap = cap;
	}
	rec = memset(&list->records[list->nrecords++], 0, sizeof(*rec));
	memcpy(rec->name, e->name.p, e->name.len);
	*out = rec;
	if (np_booked_set(&e->cpus, &rec->cpus) < 0 || np_booked_set(&e->nodes, &rec->nodes) < 0 ||
	    np_booked_set(&e->exclusive, &rec->exclusive) < 0)
		return -EBADMSG;
	return 0;
}

/* Add vcpus and memory on `node` to `rec`'s bookings, kept ascending. */
static int np_booked_add(struct np_record *rec, unsigned node, uint64_t vcpus, uint64_t memory)
{
	unsigned i = 0;
	struct np_booking *grown;

	while (i < rec->nbookings && rec->bookings[i].node < node)
		i++;
	if (i == rec->nbookings || rec->bookings[i].node != node) {
		grown = reallocarray(rec->bookings, rec->nbookings + 1, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		rec->bookings = grown;
		memmove(&grown[i + 1], &grown[i], (rec->nbookings - i) * sizeof(*grown));
		grown[i] = (struct np_booking){ node, 0, 0 };
		rec->nbookings++;
	}
	rec->bookings[i].vcpus = (unsigned)(rec->bookings[i].vcpus + vcpus > UINT32_MAX ?
					    UINT32_MAX : rec->bookings[i].vcpus + vcpus);
	rec->bookings[i].memory = rec->bookings[i].memory > UINT64_MAX - memory ?
				  UINT64_MAX : rec->bookings[i].memory + memory;
	rec->vcpus = (unsigned)(rec->vcpus + vcpus > UINT32_MAX ? UINT32_MAX : rec->vcpus + vcpus);
	rec->memory = rec->memory > UINT64_MAX - memory ? UINT64_MAX : rec->memory + memory;
	return 0;
}

/* One decimal number of `*p` up to `end`, then `sep` (or the end). */
static int np_booked_number(const char **p, const char *end, char sep, uint64_t *out)
{
	uint64_t v = 0;
	const char *q = *p;

	if (q == end || *q < '0' || *q > '9')
		return -EBADMSG;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	if (q < end && *q != sep)
		return -EBADMSG;
	*p = q < end ? q + 1 : q;
	*out = v;
	return 0;
}

/* Add the bookings field NODE:VCPUS:MEMORY,... ("-": none) to `rec`. */
static int np_booked_bookings(struct np_record *rec, const struct np_summary_field *f)
{
	const char *p = f->p, *end = f->p + f->len;
	uint64_t node, vcpus, memory;
	int r;

	if (f->len == 1 && *p == '-')
		return 0;
	while (p < end) {
		if (np_booked_number(&p, end, ':', &node) < 0 || p == end ||
		    np_booked_number(&p, end, ':', &vcpus) < 0 || p == end ||
		    np_booked_number(&p, end, ',', &memory) < 0 || node >= NP_CPUSET_MAX ||
		    vcpus > UINT32_MAX)
			return -EBADMSG;
		r = np_booked_add(rec, (unsigned)node, vcpus, memory);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The record guest `e` counts into: its own when it holds CPUs
 * exclusively, else its group's, made when it is the first. */
static int np_booked_record(struct np_booked *b, const struct np_summary_entry *e,
			    struct np_record **out)
{
	struct np_booked_slot *slot;
	const char *key = e->cpus.p;
	size_t len = (size_t)(e->nodes.p + e->nodes.len - key);
	int r;

	if (!(e->exclusive.len == 1 && e->exclusive.p[0] == '-'))
		return np_booked_new(b, e, out);
	if (b->used * 2 >= b->nslots && np_booked_grow_slots(b) < 0)
		return -ENOMEM;
	slot = np_booked_slot(b, key, len);
	if (slot->key) {
		*out = &b->list->records[slot->record];
		return 0;
	}
	r = np_booked_new(b, e, out);
	if (r < 0)
		return r;
	*slot = (struct np_booked_slot){ key, len, b->list->nrecords - 1 };
	b->used++;
	return 0;
}

static bool np_booked_is(const struct np_summary_field *f, const char *name)
{
	return name && strlen(name) == f->len && memcmp(f->p, name, f->len) == 0;
}

static int np_booked_fill(struct np_booked *b, const struct np_ledger_summary *sum,
			  const char *self)
{
	size_t n = np_summary_count(sum);

	for (size_t i = 0; i < n; i++) {
		struct np_summary_entry e;
		struct np_record *rec;
		int r = np_summary_entry(sum, i, &e);

		if (r == 0 && np_booked_is(&e.name, self))
			continue;
		if (r == 0)
			r = np_booked_record(b, &e, &rec);
		if (r == 0)
			r = np_booked_bookings(rec, &e.bookings);
		if (r < 0)
			return r;
	}
	return 0;
}

int np_booked_from_summary(const struct np_ledger_summary *sum, const char *self,
			   struct np_ledger_list *out, struct np_err *err)
{
	struct np_ledger_list list = { 0 };
	struct np_booked b = { .list = &list };
	int r = np_booked_fill(&b, sum, self);

	free(b.slots);
	if (r < 0) {
		np_ledger_list_clear(&list);
		return r == -ENOMEM ? np_err_set(err, r, "out of memory") :
				      np_err_set(err, r, "the ledger summary: a line does not parse");
	}
	*out = list;
	return 0;
}
