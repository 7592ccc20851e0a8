/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ledger_booked and ledger_summary: the advisors decide the same over
 * the booked view of a summary (shared guests grouped) as over every
 * record: same advice, same error, same guest named in it, for shared and
 * exclusive requests, for a new guest and for one already booked (left
 * out). A summary kept up to date change by change equals one made afresh,
 * and one stored and loaded again gives the same view.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "advisor.h"
#include "ledger_booked.h"
#include "ledger_summary.h"
#include "np_test_ledger.h"
#include "np_test_topology.h"

#define NGUESTS 120u

/* Four nodes of 8 CPUs in cores of two, and a CPU-less memory node. */
static struct np_topology *machine(void)
{
	static const unsigned cpus[] = { 8, 8, 8, 8, 0 };
	static const uint64_t mem[] = { 8 * NP_GIB, 8 * NP_GIB, 8 * NP_GIB, 8 * NP_GIB, 4 * NP_GIB };

	return np_test_topology(&(struct np_test_machine){ 5, NULL, cpus, mem, NULL, 2 });
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

struct req {
	char name[16];
	unsigned vcpus;
	uint64_t memory;
	bool exclusive;
};

static void random_req(unsigned *seed, struct req *q, const char *name)
{
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->vcpus = 1 + rnd(seed, 4);
	q->memory = (uint64_t)rnd(seed, 5) * (NP_GIB / 4);
	q->exclusive = rnd(seed, 6) == 0;
}

/* The built-in advisor's decision for `q` over `recs[0..n)`. */
static int decide(const struct np_topology *topo, const struct np_record *recs, size_t n,
		  const struct req *q, struct np_advice *adv, struct np_err *err)
{
	struct np_settings s;
	struct np_request request = { q->name, q->vcpus, q->memory };
	struct np_advisor_input in = { topo, &s, &request, recs, n };

	np_test_settings(&s);
	s.cpu_overcommit_pct = 300;
	s.exclusive = q->exclusive;
	return np_advisor_decide(&in, NULL, adv, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct np_record *)a)->name, ((const struct np_record *)b)->name);
}

/* Up to NGUESTS guests, each decided over those before it; ascending by name. */
static void fill(const struct np_topology *topo, unsigned seed, struct np_ledger_list *list)
{
	list->records = calloc(NGUESTS, sizeof(*list->records));
	assert_non_null(list->records);
	for (unsigned i = 0; i < NGUESTS; i++) {
		struct np_record *rec = &list->records[list->nrecords];
		struct np_advice adv = { 0 };
		char name[16];
		struct req q;

		/* g and two random digits, then i: unique, in random order */
		snprintf(name, sizeof(name), "g%02u%u", rnd(&seed, 97), i);
		random_req(&seed, &q, name);
		if (decide(topo, list->records, list->nrecords, &q, &adv, NULL) == 0) {
			assert_int_equal(np_advice_to_record(&adv, rec, NULL), 0);
			snprintf(rec->name, sizeof(rec->name), "%s", q.name);
			list->nrecords++;
		}
		np_advice_clear(&adv);
	}
	qsort(list->records, list->nrecords, sizeof(*list->records), by_name);
}

static void assert_same_advice(const struct np_advice *a, const struct np_advice *b)
{
	assert_true(np_cpuset_equal(&a->cpus, &b->cpus));
	assert_true(np_cpuset_equal(&a->mems, &b->mems));
	assert_true(np_cpuset_equal(&a->exclusive, &b->exclusive));
	assert_true(np_cpuset_equal(&a->nodes, &b->nodes));
	assert_int_equal(a->fallback, b->fallback);
	assert_string_equal(a->reason ? a->reason : "", b->reason ? b->reason : "");
	assert_int_equal(a->nbookings, b->nbookings);
	for (unsigned i = 0; i < a->nbookings; i++) {
		assert_int_equal(a->bookings[i].node, b->bookings[i].node);
		assert_int_equal(a->bookings[i].vcpus, b->bookings[i].vcpus);
		assert_int_equal(a->bookings[i].memory, b->bookings[i].memory);
	}
}

/* `q` decided over every record and over the booked view of `sum`. */
static void assert_same_decision(const struct np_topology *topo, const struct np_ledger_list *all,
				 const struct np_ledger_summary *sum, const struct req *q,
				 unsigned *errors)
{
	struct np_ledger_list booked = { 0 };
	struct np_advice a = { 0 }, b = { 0 };
	struct np_err ea = NP_ERR_INIT, eb = NP_ERR_INIT;
	int ra, rb;

	assert_int_equal(np_booked_from_summary(sum, q->name, &booked, NULL), 0);
	assert_true(booked.nrecords <= all->nrecords);
	ra = decide(topo, all->records, all->nrecords, q, &a, &ea);
	rb = decide(topo, booked.records, booked.nrecords, q, &b, &eb);
	assert_int_equal(ra, rb);
	if (ra == 0)
		assert_same_advice(&a, &b);
	else
		assert_string_equal(ea.msg, eb.msg);
	*errors += ra != 0;
	np_advice_clear(&a);
	np_advice_clear(&b);
	np_err_clear(&ea);
	np_err_clear(&eb);
	np_ledger_list_clear(&booked);
}

static void test_same_decisions(void **state)
{
	struct np_topology *topo = machine();
	unsigned errors = 0, grouped = 0;

	(void)state;
	for (unsigned seed = 1; seed <= 40; seed++) {
		struct np_ledger_list all = { 0 }, booked = { 0 };
		struct np_ledger_summary *sum = NULL;
		unsigned s = seed * 7919u;

		fill(topo, seed, &all);
		assert_int_equal(np_summary_new(&sum, NULL), 0);
		assert_int_equal(np_summary_build(sum, &all, 2, NULL), 0);
		assert_int_equal(np_booked_from_summary(sum, NULL, &booked, NULL), 0);
		grouped += booked.nrecords < all.nrecords;
		for (unsigned k = 0; k < 30; k++) {
			struct req q;
			const char *self = k % 3 == 0 && all.nrecords ?
					   all.records[rnd(&s, all.nrecords)].name : "new";

			random_req(&s, &q, self);
			assert_same_decision(topo, &all, sum, &q, &errors);
		}
		np_ledger_list_clear(&booked);
		np_ledger_list_clear(&all);
		np_summary_free(sum);
	}
	/* The cases met both outcomes, and shared guests were grouped. */
	assert_true(errors > 0 && errors < 40 * 30);
	assert_true(grouped > 0);
	np_test_topology_free(topo);
}

/* A summary kept change by change (np_summary_apply) equals one made from
 * the records afresh; stored and loaded again it is the same. */
static void test_apply_store_load(void **state)
{
	struct fixture *fx = *state;
	struct np_topology *topo = machine();
	struct np_ledger_list all = { 0 };
	struct np_ledger_summary *kept = NULL, *fresh = NULL, *loaded = NULL;
	struct np_ledger_options opts = { .lock_timeout_ms = LONG_WAIT_MS };
	struct np_ledger *l = NULL;
	struct np_err err = NP_ERR_INIT;
	uint64_t gen = 0;

	fill(topo, 99, &all);
	assert_int_equal(np_summary_new(&kept, NULL), 0);
	assert_int_equal(np_summary_new(&fresh, NULL), 0);
	assert_int_equal(np_summary_new(&loaded, NULL), 0);
	assert_int_equal(np_summary_build(kept, &(struct np_ledger_list){ 0 }, 2, NULL), 0);
	for (unsigned i = all.nrecords; i-- > 0;)
		assert_int_equal(np_summary_apply(kept, all.records[i].name, &all.records[i], 2, NULL), 0);
	assert_int_equal(np_summary_apply(kept, all.records[0].name, NULL, 2, NULL), 0);
	assert_int_equal(np_summary_apply(kept, all.records[0].name, &all.records[0], 4, NULL), 0);
	assert_int_equal(np_summary_build(fresh, &all, 4, NULL), 0);
	assert_true(np_summary_equal(kept, fresh));
	assert_int_equal(np_summary_count(kept), all.nrecords);

	assert_int_equal(mkdir(fx->dir, 0755), 0);
	assert_int_equal(np_ledger_open(fx->dir, &opts, &l, &err), 0);
	assert_int_equal(np_ledger_lock(l, &err), 0);
	assert_int_equal(np_ledger_generation(l, &gen, &err), 0);
	assert_int_equal(np_summary_build(fresh, &all, gen, NULL), 0);
	assert_int_equal(np_summary_store(fresh, l, &err), 0);
	assert_int_equal(np_summary_load(loaded, l, gen, &err), 0);
	assert_true(np_summary_equal(loaded, fresh));
	assert_int_equal(np_summary_load(loaded, l, gen + 2, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "/.summary: of another generation"));
	np_ledger_close(l);
	np_err_clear(&err);
	np_summary_free(kept);
	np_summary_free(fresh);
	np_summary_free(loaded);
	np_ledger_list_clear(&all);
	np_test_topology_free(topo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_decisions),
		cmocka_unit_test_setup_teardown(test_apply_store_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
