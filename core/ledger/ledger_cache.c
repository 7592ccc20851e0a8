/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ledger_cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_booked.h"
#include "search.h"

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
	struct np_ledger_summary *sum;  /* the summary, current or not */
	struct np_ledger_list booked;   /* the last view handed out */
	char *why;                      /* why the last summary was rebuilt; NULL: read */
};

int np_ledger_cache_new(struct np_ledger_cache **out, struct np_err *err)
{
	struct np_ledger_cache *cache = calloc(1, sizeof(*cache));

	if (!cache || np_summary_new(&cache->sum, NULL) < 0) {
		free(cache);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	*out = cache;
	return 0;
}

static void np_cache_clear_ops(struct np_ledger_cache *cache)
{
	for (size_t i = 0; i < cache->nops; i++)
		np_record_clear(&cache->ops[i].rec);
	cache->nops = 0;
}

/* Drop the records held; the summary stays. */
static void np_cache_forget_list(struct np_ledger_cache *cache)
{
	np_cache_clear_ops(cache);
	np_ledger_list_clear(&cache->list);
	cache->cap = 0;
	cache->valid = false;
}

void np_ledger_cache_forget(struct np_ledger_cache *cache)
{
	np_cache_forget_list(cache);
	np_summary_drop(cache->sum);
	np_ledger_list_clear(&cache->booked);
}

void np_ledger_cache_free(struct np_ledger_cache *cache)
{
	if (!cache)
		return;
	np_ledger_cache_forget(cache);
	np_summary_free(cache->sum);
	free(cache->why);
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

/* The records held learn of `change`, or are dropped. */
static void np_cache_list_changed(struct np_ledger_cache *cache,
				  const struct np_ledger_change *change)
{
	const struct np_record *rec = change->rec;
	struct np_cache_op *op;

	if (!change->ok || !cache->valid || cache->gen != change->from ||
	    !(op = np_cache_new_op(cache)) || (rec && np_record_copy(&op->rec, rec, NULL) < 0)) {
		np_cache_forget_list(cache);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", change->name);
	op->present = rec != NULL;
	cache->nops++;
	cache->gen = change->to;
}

static int np_cache_cmp(const void *records, size_t i, const void *name)
{
	return strcmp(((const struct np_record *)records)[i].name, name);
}

/* The index of guest `name` among the records, or where it would go. */
static unsigned np_cache_find(const struct np_ledger_list *list, const char *name, bool *found)
{
	return (unsigned)np_search_sorted(list->records, list->nrecords, np_cache_cmp, name, found);
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

	np_cache_forget_list(cache);
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

/* ---- the summary ---- */

/* Note why the summary was rebuilt (NULL: it was read). */
static void np_cache_note_why(struct np_ledger_cache *cache, const struct np_err *why)
{
	free(cache->why);
	cache->why = why && why->msg ? strdup(why->msg) : NULL;
}

const char *np_ledger_cache_why(const struct np_ledger_cache *cache)
{
	return cache->why ? cache->why : "";
}

/* Why DIR/.summary, at the ledger's generation, is not `now` (made from
 * the records): into cache->why, nothing when it is. A missing one is
 * worth no word while there are no guests. */
static void np_cache_judge(struct np_ledger_cache *cache, struct np_ledger *ledger,
			   const struct np_ledger_summary *now)
{
	struct np_ledger_summary *old = NULL;
	struct np_err why = NP_ERR_INIT;
	uint64_t gen = 0;
	int r = np_summary_new(&old, &why);

	if (r == 0)
		r = np_ledger_generation(ledger, &gen, &why);
	if (r == 0)
		r = np_summary_load(old, ledger, gen, &why);
	if (r == 0 && !np_summary_equal(old, now))
		np_err_set(&why, -ESTALE, "%s/%s: does not match the records", np_ledger_dir(ledger),
			   NP_SUMMARY_FILE);
	np_cache_note_why(cache, r == -ENOENT && np_summary_count(now) == 0 ? NULL : &why);
	np_err_clear(&why);
	np_summary_free(old);
}

/* Make the summary from every record; store it when the lock is held and
 * the records were read at an even generation. Returns that store's
 * failure, if any, in `store`. */
static int np_cache_summary_build(struct np_ledger_cache *cache, struct np_ledger *ledger,
				  struct np_err *store, struct np_err *err, bool judge)
{
	const struct np_ledger_list *list = NULL;
	int r = np_ledger_cache_list(cache, ledger, &list, err);

	if (r == 0)
		/* Records not known to stand at one generation get an odd
		 * one, which np_summary_current() never takes. */
		r = np_summary_build(cache->sum, list, cache->valid ? cache->gen : 1, err);
	if (r == 0 && judge)
		np_cache_judge(cache, ledger, cache->sum);
	if (r == 0 && cache->valid && np_ledger_locked(ledger))
		np_summary_store(cache->sum, ledger, store);
	return r;
}

/* Bring the summary to the ledger's current generation. */
static int np_cache_summary(struct np_ledger_cache *cache, struct np_ledger *ledger,
			    struct np_err *err)
{
	struct np_err why = NP_ERR_INIT;
	uint64_t gen = 0;
	int g = np_ledger_generation(ledger, &gen, &why);
	int r;

	if (g == 0 && (np_summary_current(cache->sum, gen) ||
		       (!(gen & 1u) && np_summary_load(cache->sum, ledger, gen, &why) == 0))) {
		np_cache_note_why(cache, NULL);
		return 0;
	}
	if (g == 0 && (gen & 1u))
		np_err_set(&why, -ESTALE, "%s: the generation is odd (a change was cut short)",
			   np_ledger_dir(ledger));
	r = np_cache_summary_build(cache, ledger, NULL, err, false);
	/* A state dir without guests has nothing to summarise: no word. */
	np_cache_note_why(cache, why.code == -ENOENT && r == 0 &&
				 np_summary_count(cache->sum) == 0 ? NULL : &why);
	np_err_clear(&why);
	return r;
}

int np_ledger_cache_booked(struct np_ledger_cache *cache, struct np_ledger *ledger,
			   const char *self, const struct np_ledger_list **out,
			   struct np_err *err)
{
	int r = np_cache_summary(cache, ledger, err);

	np_ledger_list_clear(&cache->booked);
	if (r == 0)
		r = np_booked_from_summary(cache->sum, self, &cache->booked, err);
	if (r < 0) {
		np_summary_drop(cache->sum);
		return r;
	}
	*out = &cache->booked;
	return 0;
}

int np_ledger_cache_rebuild(struct np_ledger_cache *cache, struct np_ledger *ledger,
			    struct np_err *err)
{
	struct np_err store = NP_ERR_INIT;
	int r;

	if (!np_ledger_locked(ledger))
		return np_err_set(err, -ENOLCK, "%s: rebuilding the summary needs the lock",
				  np_ledger_dir(ledger));
	np_ledger_cache_forget(cache);
	r = np_cache_summary_build(cache, ledger, &store, err, true);
	if (r == 0 && store.code < 0)
		r = np_err_set(err, store.code, "%s", store.msg ? store.msg : "storing the summary");
	np_err_clear(&store);
	return r;
}

/* Make the summary of generation `gen` from every record and store it,
 * under the lock. The records read are not kept: the cache's listing
 * stays as it was. */
static void np_cache_summary_remake(struct np_ledger_summary *sum, struct np_ledger *ledger,
				    uint64_t gen)
{
	struct np_ledger_list list = { 0 };

	if (np_ledger_list(ledger, false, &list, NULL) == 0 &&
	    np_summary_build(sum, &list, gen, NULL) == 0 && !(gen & 1u))
		np_summary_store(sum, ledger, NULL);
	else
		np_summary_drop(sum);
	np_ledger_list_clear(&list);
}

/* The summary learns of `change` and is stored: applied to it when it
 * held `from` (read from DIR/.summary when that does), else rebuilt from
 * the records. A change that failed part-way drops it. */
static void np_cache_summary_changed(struct np_ledger_cache *cache, struct np_ledger *ledger,
				     const struct np_ledger_change *change)
{
	struct np_ledger_summary *sum = cache->sum;

	if (!change->ok) {
		np_summary_drop(sum);
		return;
	}
	if (!np_summary_current(sum, change->from) &&
	    np_summary_load(sum, ledger, change->from, NULL) < 0) {
		np_cache_summary_remake(sum, ledger, change->to);
		return;
	}
	if (np_summary_apply(sum, change->name, change->rec, change->to, NULL) == 0 &&
	    !(change->to & 1u))
		np_summary_store(sum, ledger, NULL);
}

void np_ledger_cache_changed(struct np_ledger *ledger, const struct np_ledger_change *change,
			     void *data)
{
	struct np_ledger_cache *cache = data;

	np_cache_list_changed(cache, change);
	np_cache_summary_changed(cache, ledger, change);
}
