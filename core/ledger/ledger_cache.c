/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ledger_cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A change this process made, to apply at the next listing. */
struct np_cache_op {
	char name[NP_NAME_MAX + 1];
	bool present;           /* rec is the guest's record; false: it has none */
	struct np_record rec;
};

struct np_ledger_cache {
	bool valid;
	uint64_t gen;                /* the generation of `list` with `ops` applied */
	struct np_ledger_list list;  /* ascending by name, never any corrupt */
	unsigned cap;                /* records allocated in list.records */
	struct np_cache_op *ops;
	size_t nops, capops;
};

int np_ledger_cache_new(struct np_ledger_cache **out, struct np_err *err)
{
	struct np_ledger_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return np_err_set(err, -ENOMEM, "out of memory");
	*out = cache;
	return 0;
}

static void np_cache_clear_ops(struct np_ledger_cache *cache)
{
	for (size_t i = 0; i < cache->nops; i++)
		np_record_clear(&cache->ops[i].rec);
	cache->nops = 0;
}

void np_ledger_cache_forget(struct np_ledger_cache *cache)
{
	np_cache_clear_ops(cache);
	np_ledger_list_clear(&cache->list);
	cache->cap = 0;
	cache->valid = false;
}

void np_ledger_cache_free(struct np_ledger_cache *cache)
{
	if (!cache)
		return;
	np_ledger_cache_forget(cache);
	free(cache->ops);
	free(cache);
}

static struct np_cache_op *np_cache_new_op(struct np_ledger_cache *cache)
{
	if (cache->nops == cache->capops) {
		size_t cap = cache->capops ? cache->capops * 2 : 8;
		struct np_cache_op *grown = reallocarray(cache->ops, cap, sizeof(*grown));

		if (!grown)
			return NULL;
		cache->ops = grown;
		cache->capops = cap;
	}
	return memset(&cache->ops[cache->nops], 0, sizeof(*cache->ops));
}

void np_ledger_cache_changed(struct np_ledger *ledger, const struct np_ledger_change *change,
			     void *data)
{
	struct np_ledger_cache *cache = data;
	const struct np_record *rec = change->rec;
	struct np_cache_op *op;

	(void)ledger;
	if (!change->ok || !cache->valid || cache->gen != change->from ||
	    !(op = np_cache_new_op(cache)) || (rec && np_record_copy(&op->rec, rec, NULL) < 0)) {
		np_ledger_cache_forget(cache);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", change->name);
	op->present = rec != NULL;
	cache->nops++;
	cache->gen = change->to;
}

/* The index of guest `name` among the records, or where it would go. */
static unsigned np_cache_find(const struct np_ledger_list *list, const char *name, bool *found)
{
	unsigned lo = 0, hi = list->nrecords;

	*found = false;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = strcmp(list->records[mid].name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int np_cache_grow(struct np_ledger_cache *cache)
{
	unsigned cap = cache->cap ? cache->cap * 2 : 16;
	struct np_record *grown = reallocarray(cache->list.records, cap, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	cache->list.records = grown;
	cache->cap = cap;
	return 0;
}

/* Put `rec` in its place (taking what it owns; it is zeroed). */
static int np_cache_put(struct np_ledger_cache *cache, struct np_record *rec)
{
	struct np_ledger_list *list = &cache->list;
	bool found;
	unsigned i = np_cache_find(list, rec->name, &found);

	if (found) {
		np_record_clear(&list->records[i]);
	} else {
		if (list->nrecords == cache->cap && np_cache_grow(cache) < 0)
			return -ENOMEM;
		memmove(&list->records[i + 1], &list->records[i],
			(list->nrecords - i) * sizeof(*list->records));
		list->nrecords++;
	}
	list->records[i] = *rec;
	memset(rec, 0, sizeof(*rec));
	return 0;
}

static void np_cache_drop(struct np_ledger_cache *cache, const char *name)
{
	struct np_ledger_list *list = &cache->list;
	bool found;
	unsigned i = np_cache_find(list, name, &found);

	if (!found)
		return;
	np_record_clear(&list->records[i]);
	memmove(&list->records[i], &list->records[i + 1],
		(list->nrecords - i - 1) * sizeof(*list->records));
	list->nrecords--;
}

static int np_cache_apply(struct np_ledger_cache *cache)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < cache->nops; i++) {
		struct np_cache_op *op = &cache->ops[i];

		if (op->present)
			r = np_cache_put(cache, &op->rec);
		else
			np_cache_drop(cache, op->name);
	}
	np_cache_clear_ops(cache);
	return r;
}

/* Read every record afresh; keep them when the generation stood still. */
static int np_cache_fill(struct np_ledger_cache *cache, struct np_ledger *ledger, bool known,
			 uint64_t gen, struct np_err *err)
{
	uint64_t after;
	int r;

	np_ledger_cache_forget(cache);
	r = np_ledger_list(ledger, false, &cache->list, err);
	if (r < 0)
		return r;
	cache->cap = cache->list.nrecords;
	cache->gen = gen;
	cache->valid = known && np_ledger_generation(ledger, &after, NULL) == 0 && after == gen;
	return 0;
}

int np_ledger_cache_list(struct np_ledger_cache *cache, struct np_ledger *ledger,
			 const struct np_ledger_list **out, struct np_err *err)
{
	uint64_t gen = 0;
	bool known = np_ledger_generation(ledger, &gen, NULL) == 0 && !(gen & 1u);
	int r = 0;

	if (!known || !cache->valid || cache->gen != gen || np_cache_apply(cache) < 0)
		r = np_cache_fill(cache, ledger, known, gen, err);
	if (r < 0)
		return r;
	*out = &cache->list;
	return 0;
}
