/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ledger_cache: records kept across calls. While the generation
 * stands still the cache is used without reading a file (shown by a record
 * edited by hand behind its back, which it does not see); a change made
 * by another process makes it read again; its own changes are applied in
 * place; a generation left odd by a killed writer is never trusted; and
 * over a random mix of changes it always equals a fresh listing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "cleanup.h"
#include "ledger.h"
#include "ledger_cache.h"
#include "np_test_ledger.h"

/* A ledger that tells `cache` of its changes. */
static struct np_ledger *open_cached(const char *dir, struct np_ledger_cache *cache)
{
	struct np_ledger_options opts = { .lock_timeout_ms = LONG_WAIT_MS,
					     .changed = np_ledger_cache_changed, .changed_data = cache };
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;

	if (np_ledger_open(dir, &opts, &l, &err) < 0)
		fail_msg("open %s: %s", dir, err.msg);
	return l;
}

static struct np_ledger_cache *new_cache(void)
{
	struct np_ledger_cache *cache = NULL;

	assert_int_equal(np_ledger_cache_new(&cache, NULL), 0);
	return cache;
}

/* Write guest `name`'s record with `vcpus` through `l`, taking the lock
 * for it when `l` does not hold it. */
static void put(struct np_ledger *l, const char *name, unsigned vcpus)
{
	struct np_err err = NP_ERR_INIT;
	bool locked = np_ledger_locked(l);
	struct np_record rec;

	make_record(&rec, name, vcpus);
	if ((!locked && np_ledger_lock(l, &err) < 0) || np_ledger_write(l, &rec, &err) < 0)
		fail_msg("write %s: %s", name, err.msg);
	if (!locked)
		np_ledger_unlock(l);
	np_record_clear(&rec);
}

static void drop(struct np_ledger *l, const char *name)
{
	struct np_err err = NP_ERR_INIT;
	bool locked = np_ledger_locked(l);

	if ((!locked && np_ledger_lock(l, &err) < 0) || np_ledger_remove(l, name, &err) < 0)
		fail_msg("remove %s: %s", name, err.msg);
	if (!locked)
		np_ledger_unlock(l);
}

/* Write guest `name`'s record file by hand: no lock, no generation. */
static void hand_write(const char *dir, const char *name, unsigned vcpus)
{
	_cleanup_free_ char *json = NULL;
	struct np_record rec;
	char path[256];
	FILE *f;

	make_record(&rec, name, vcpus);
	assert_int_equal(np_record_to_json(&rec, &json, NULL), 0);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", json);
	fclose(f);
	np_record_clear(&rec);
}

static const struct np_ledger_list *cached(struct np_ledger_cache *cache, struct np_ledger *l)
{
	const struct np_ledger_list *list = NULL;
	struct np_err err = NP_ERR_INIT;

	if (np_ledger_cache_list(cache, l, &list, &err) < 0)
		fail_msg("cached listing: %s", err.msg);
	return list;
}

/* "name:vcpus ..." of a listing, in its order. */
static char *summary(const struct np_ledger_list *list)
{
	char *out = calloc(1, 4096);
	size_t len = 0;

	for (unsigned i = 0; i < list->nrecords; i++)
		len += (size_t)snprintf(out + len, 4096 - len, "%s%s:%u", i ? " " : "",
					list->records[i].name, list->records[i].vcpus);
	return out;
}

static void assert_summary(struct np_ledger_cache *cache, struct np_ledger *l, const char *want)
{
	_cleanup_free_ char *got = summary(cached(cache, l));

	assert_string_equal(got, want);
}

/* Nothing changed: the records come from memory, so a file edited by hand
 * is not seen; a change made by another process makes the cache read all
 * again, and then the hand edit is seen too. */
static void test_hit_until_changed(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l;

	put(other, "a", 1);
	put(other, "b", 1);
	put(other, "c", 1);
	l = open_cached(fx->dir, cache);
	assert_summary(cache, l, "a:1 b:1 c:1");
	hand_write(fx->dir, "b", 5);
	assert_summary(cache, l, "a:1 b:1 c:1");
	np_ledger_close(l);
	l = open_cached(fx->dir, cache);
	assert_summary(cache, l, "a:1 b:1 c:1");

	put(other, "c", 3);
	assert_summary(cache, l, "a:1 b:5 c:3");
	np_ledger_close(l);
	np_ledger_close(other);
	np_ledger_cache_free(cache);
}

/* Its own changes are applied in memory, in name order, without reading
 * the others again (the hand edit of b stays unseen). */
static void test_own_changes_applied(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l;
	struct np_record rec;

	put(other, "b", 1);
	put(other, "d", 1);
	np_ledger_close(other);
	l = open_cached(fx->dir, cache);
	assert_summary(cache, l, "b:1 d:1");
	hand_write(fx->dir, "b", 5);

	assert_int_equal(np_ledger_lock(l, NULL), 0);
	put(l, "c", 2);
	put(l, "a", 4);
	put(l, "e", 6);
	drop(l, "d");
	put(l, "c", 7);
	drop(l, "zz");
	np_ledger_unlock(l);
	assert_summary(cache, l, "a:4 b:1 c:7 e:6");

	/* What is kept is the record written, field for field. */
	make_record(&rec, "c", 7);
	assert_true(np_record_equal(&cached(cache, l)->records[2], &rec));
	np_record_clear(&rec);
	np_ledger_close(l);
	np_ledger_cache_free(cache);
}

/* Another process changed the ledger between the listing and this
 * process's change: the cache cannot just apply its own change; it reads
 * all again. */
static void test_foreign_change_between(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l = open_cached(fx->dir, cache);

	put(other, "a", 1);
	assert_summary(cache, l, "a:1");
	put(other, "x", 2);
	put(l, "y", 3);
	assert_summary(cache, l, "a:1 x:2 y:3");
	np_ledger_close(l);
	np_ledger_close(other);
	np_ledger_cache_free(cache);
}

/* A writer killed between making the generation odd and even: readers
 * read every time (hand edits are seen) until a change completes. */
static void test_odd_generation_not_kept(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l = open_cached(fx->dir, cache);
	pid_t child;

	put(other, "a", 1);
	assert_summary(cache, l, "a:1");
	child = spawn_paused(fx->dir, "before-rename", "b");
	hand_write(fx->dir, "a", 2);
	assert_summary(cache, l, "a:2");
	kill_reap(child);
	hand_write(fx->dir, "a", 3);
	assert_summary(cache, l, "a:3");

	put(other, "c", 1);
	assert_summary(cache, l, "a:3 c:1");
	hand_write(fx->dir, "a", 4);
	assert_summary(cache, l, "a:3 c:1");
	np_ledger_close(l);
	np_ledger_close(other);
	np_ledger_cache_free(cache);
}

/* A listing read while the generation is odd is not kept, even for this
 * process's own next change: the writer may be killed after its rename
 * and before making the generation even, and what the listing missed
 * must then still be read. */
static void test_odd_listing_then_own_change(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l = open_cached(fx->dir, cache);
	pid_t child;

	put(other, "a", 1);
	child = spawn_paused(fx->dir, "before-rename", "b");
	assert_summary(cache, l, "a:1");
	kill_reap(child);
	/* What the killed writer's rename would have left. */
	hand_write(fx->dir, "b", 9);
	put(l, "c", 1);
	assert_summary(cache, l, "a:1 b:9 c:1");
	np_ledger_close(l);
	np_ledger_close(other);
	np_ledger_cache_free(cache);
}

/* A corrupt record is an error naming its file, as for a fresh listing,
 * and the cache is usable again once it is set aside. A state dir with no
 * generation yet is read every time. */
static void test_corrupt_and_no_generation(void **state)
{
	struct np_ledger_options ro = { .read_only = true };
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	const struct np_ledger_list *list = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_ledger *l = NULL;
	char path[256];
	FILE *f;

	assert_int_equal(mkdir(fx->dir, 0755), 0);
	assert_int_equal(np_ledger_open(fx->dir, &ro, &l, &err), 0);
	hand_write(fx->dir, "a", 1);
	assert_summary(cache, l, "a:1");
	hand_write(fx->dir, "a", 2);
	assert_summary(cache, l, "a:2");
	np_ledger_close(l);

	l = open_cached(fx->dir, cache);
	put(l, "b", 1);
	snprintf(path, sizeof(path), "%s/z.json", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,", f);
	fclose(f);
	put(l, "c", 1);
	assert_int_equal(np_ledger_cache_list(cache, l, &list, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "/z.json"));
	assert_int_equal(np_ledger_lock(l, NULL), 0);
	assert_int_equal(np_ledger_quarantine(l, "z", &err), 0);
	np_ledger_unlock(l);
	assert_summary(cache, l, "a:2 b:1 c:1");
	np_ledger_close(l);
	np_ledger_cache_free(cache);
	np_err_clear(&err);
}

static void assert_lists_equal(const struct np_ledger_list *a, const struct np_ledger_list *b,
			       unsigned step)
{
	if (a->nrecords != b->nrecords)
		fail_msg("step %u: %u records cached, %u on disk", step, a->nrecords, b->nrecords);
	for (unsigned i = 0; i < a->nrecords; i++)
		if (!np_record_equal(&a->records[i], &b->records[i]))
			fail_msg("step %u: record %u (%s) differs from %s on disk", step, i,
				 a->records[i].name, b->records[i].name);
}

/* 3,000 random changes by this process (through the cache) and by another
 * (behind its back), listings in between: the cached listing always
 * equals a fresh one. Seeded, so a failure repeats. */
static void test_random_equals_fresh(void **state)
{
	struct fixture *fx = *state;
	struct np_ledger_cache *cache = new_cache();
	struct np_ledger *other = open_ledger(fx->dir, LONG_WAIT_MS);
	struct np_ledger *l = open_cached(fx->dir, cache);
	struct np_err err = NP_ERR_INIT;
	unsigned seed = 20261123, lists = 0;

	for (unsigned step = 0; step < 3000; step++) {
		unsigned what = (unsigned)rand_r(&seed) % 10;
		char name[16];

		snprintf(name, sizeof(name), "g%02u", (unsigned)rand_r(&seed) % 24);
		if (what < 4)
			put(l, name, 1 + (unsigned)rand_r(&seed) % 8);
		else if (what < 6)
			drop(l, name);
		else if (what == 6)
			put(other, name, 1 + (unsigned)rand_r(&seed) % 8);
		else if (what == 7)
			drop(other, name);
		if (what >= 8) {
			struct np_ledger_list fresh = { 0 };

			assert_int_equal(np_ledger_list(other, false, &fresh, &err), 0);
			assert_lists_equal(cached(cache, l), &fresh, step);
			np_ledger_list_clear(&fresh);
			lists++;
		}
	}
	assert_true(lists > 400);
	np_ledger_close(l);
	np_ledger_close(other);
	np_ledger_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_until_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_changes_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_change_between, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_generation_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_listing_then_own_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_and_no_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_equals_fresh, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
