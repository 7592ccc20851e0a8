/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/advisor: the built-in ranking on hand-made machines (asymmetric
 * distances, load ties, CPU-less memory nodes, pools, overcommit, exclusive
 * CPUs), the no-fit message, static and numad answers, fallback, and a
 * brute-force reference that ranks every node set of random small machines
 * literally as the header says.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "np_test_topology.h"

/* One advisor call over a machine, settings and reservations. */
struct call {
	const struct np_topology *topo;
	const struct np_settings *s;
	const struct np_record *recs;
	size_t nrecs;
};

static int builtin(const struct call *c, unsigned vcpus, uint64_t memory, struct np_advice *adv,
		   struct np_err *err)
{
	struct np_request req = { "guest", vcpus, memory };
	struct np_advisor_input in = { c->topo, c->s, &req, c->recs, c->nrecs };

	return np_advisor_builtin(&in, adv, err);
}

static int decide(const struct call *c, unsigned vcpus, uint64_t memory,
		  const struct np_numad_answer *numad, struct np_advice *adv, struct np_err *err)
{
	struct np_request req = { "guest", vcpus, memory };
	struct np_advisor_input in = { c->topo, c->s, &req, c->recs, c->nrecs };

	return np_advisor_decide(&in, numad, adv, err);
}

static void assert_list(const struct np_cpuset *set, const char *want)
{
	_cleanup_free_ char *got = np_cpulist_format(set);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static struct np_cpuset cpuset_of(const char *list)
{
	struct np_cpuset s;

	assert_int_equal(np_cpulist_parse(list, NP_CPULIST_KERNEL, &s, NULL), 0);
	return s;
}

/* The nodes a builtin call chooses, as a list ("" when it fails). */
static char *choose(const struct call *c, unsigned vcpus, uint64_t memory)
{
	struct np_advice adv = { 0 };
	char *list;

	if (builtin(c, vcpus, memory, &adv, NULL) < 0)
		return strdup("");
	list = np_cpulist_format(&adv.nodes);
	np_advice_clear(&adv);
	return list;
}

static void assert_choice(const struct call *c, unsigned vcpus, uint64_t memory, const char *want)
{
	_cleanup_free_ char *got = choose(c, vcpus, memory);

	assert_string_equal(got, want);
}

static void test_one_node_lowest_id(void **state)
{
	struct np_topology *t = np_test_uniform(4, 4, 8 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_int_equal(builtin(&c, 2, NP_GIB, &adv, NULL), 0);
	assert_list(&adv.nodes, "0");
	assert_list(&adv.cpus, "0-3");
	assert_list(&adv.mems, "0");
	assert_true(np_cpuset_empty(&adv.exclusive));
	assert_int_equal(adv.advisor, NP_ADVISOR_BUILTIN);
	assert_false(adv.fallback);
	assert_int_equal(adv.nbookings, 1);
	assert_int_equal(adv.bookings[0].node, 0);
	assert_int_equal(adv.bookings[0].vcpus, 2);
	assert_int_equal(adv.bookings[0].memory, NP_GIB);
	assert_string_equal(adv.reason, "fits on node 0");
	np_advice_clear(&adv);
	/* vcpus 0 counts as 1, memory 0 is not counted */
	assert_int_equal(builtin(&c, 0, 0, &adv, NULL), 0);
	assert_int_equal(adv.vcpus, 1);
	assert_int_equal(adv.bookings[0].vcpus, 1);
	assert_int_equal(adv.bookings[0].memory, 0);
	np_advice_clear(&adv);
	np_test_topology_free(t);
}

/* Asymmetric distances: the nearest pair is 2,3, not 0,1. */
static const unsigned asym4[] = {
	10, 21, 30, 30,
	22, 10, 30, 31,
	30, 31, 10, 12,
	31, 30, 13, 10,
};

static void test_nearest_pair_not_lowest(void **state)
{
	struct np_topology *t = np_test_uniform(4, 4, 8 * NP_GIB, asym4, 1);
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_int_equal(builtin(&c, 6, 0, &adv, NULL), 0);
	assert_list(&adv.nodes, "2-3");
	assert_list(&adv.cpus, "8-15");
	assert_string_equal(adv.reason, "fits on nodes 2-3 (largest distance 13)");
	assert_int_equal(adv.nbookings, 2);
	assert_int_equal(adv.bookings[0].node, 2);
	assert_int_equal(adv.bookings[0].vcpus, 4);
	assert_int_equal(adv.bookings[1].node, 3);
	assert_int_equal(adv.bookings[1].vcpus, 2);
	np_advice_clear(&adv);
	/* a single node still beats any pair */
	assert_choice(&c, 4, 0, "0");
	/* every triple has largest distance 31: the mean decides
	 * ({0,2,3}: 146 over 6 pairs, {1,2,3}: 147, {0,1,2}: 164, {0,1,3}: 165) */
	assert_choice(&c, 9, 0, "0,2-3");
	np_test_topology_free(t);
}

/* Same largest distance, the smaller mean wins, whatever the ids. */
static void test_mean_breaks_max_tie(void **state)
{
	static const unsigned d[] = {
		10, 14, 20, 20,
		14, 10, 20, 20,
		20, 20, 10, 12,
		20, 20, 14, 10,
	};
	struct np_topology *t = np_test_uniform(4, 2, NP_GIB, d, 1);
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 3, 0, "2-3");
	np_test_topology_free(t);
}

/* Two nodes with bookings: loads 2/4 on node 0, 0/4 on node 1. */
static void test_pack_and_spread(void **state)
{
	struct np_topology *t = np_test_uniform(2, 4, 8 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_record rec;
	struct np_cpuset cpus = cpuset_of("0-3");
	struct call c = { t, &s, &rec, 1 };

	(void)state;
	np_test_settings(&s);
	np_test_record(&rec, "busy", &cpus, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 2 }, NULL);
	assert_choice(&c, 1, 0, "0");
	s.strategy = NP_STRATEGY_SPREAD;
	assert_choice(&c, 1, 0, "1");
	/* pack still takes the emptier node when the fuller lacks room */
	s.strategy = NP_STRATEGY_PACK;
	assert_choice(&c, 3, 0, "1");
	/* the guest's own record is not counted against it */
	strcpy(rec.name, "guest");
	assert_choice(&c, 4, 0, "0");
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

/* Loads 1/3 and 2/6 are equal exactly: the lower id wins either way. */
static void test_exact_load_tie(void **state)
{
	struct np_topology *t = np_test_topology(&(struct np_test_machine){
		3, NULL, (unsigned[]){ 3, 6, 9 }, (uint64_t[]){ NP_GIB, NP_GIB, NP_GIB }, NULL, 1 });
	struct np_settings s;
	struct np_record recs[3];
	struct call c = { t, &s, recs, 3 };

	(void)state;
	np_test_settings(&s);
	np_test_record(&recs[0], "a", NULL, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 1 }, NULL);
	np_test_record(&recs[1], "b", NULL, NULL, 1, (unsigned[]){ 1 }, (unsigned[]){ 2 }, NULL);
	np_test_record(&recs[2], "c", NULL, NULL, 1, (unsigned[]){ 2 }, (unsigned[]){ 2 }, NULL);
	/* loads 1/3, 2/6, 2/9: pack ties 0 and 1 and takes 0; spread takes 2 */
	assert_choice(&c, 1, 0, "0");
	s.strategy = NP_STRATEGY_SPREAD;
	assert_choice(&c, 1, 0, "2");
	/* with node 2 at 3/9 all three tie exactly: lowest id */
	recs[2].bookings[0].vcpus = 3;
	assert_choice(&c, 1, 0, "0");
	s.strategy = NP_STRATEGY_PACK;
	assert_choice(&c, 1, 0, "0");
	np_test_records_free(recs, 3);
	np_test_topology_free(t);
}

static void nofit_call(struct np_settings *s, struct np_topology **t, struct np_record *rec)
{
	np_test_settings(s);
	*t = np_test_uniform(2, 2, 8 * NP_GIB, NULL, 1);
	np_test_record(rec, "other", NULL, NULL, 1, (unsigned[]){ 1 }, (unsigned[]){ 0 },
		       (uint64_t[]){ 2 * NP_GIB });
}

static void test_nofit_fail(void **state)
{
	struct np_topology *t;
	struct np_settings s;
	struct np_record rec;
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct call c = { NULL, &s, &rec, 1 };

	(void)state;
	nofit_call(&s, &t, &rec);
	c.topo = t;
	assert_int_equal(builtin(&c, 5, 8 * NP_GIB, &adv, &err), -ENOSPC);
	assert_false(err.input);
	assert_string_equal(err.msg, "no fit: requested 5 vcpus, 8 GiB; largest free: 2 vcpus and "
				     "8 GiB on node 0, 4 vcpus and 14 GiB on all 2 usable nodes");
	assert_null(adv.bookings);
	assert_null(adv.reason);
	np_err_clear(&err);
	assert_int_equal(builtin(&c, 1, 15 * NP_GIB, &adv, &err), -ENOSPC);
	assert_string_equal(err.msg, "no fit: requested 1 vcpu, 15 GiB; largest free: 2 vcpus and "
				     "8 GiB on node 0, 4 vcpus and 14 GiB on all 2 usable nodes");
	np_err_clear(&err);
	/* memory not counted: the message leaves it out */
	assert_int_equal(builtin(&c, 9, 0, &adv, &err), -ENOSPC);
	assert_string_equal(err.msg, "no fit: requested 9 vcpus; largest free: 2 vcpus on node 0, "
				     "4 vcpus on all 2 usable nodes");
	np_err_clear(&err);
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

static void test_nofit_spread(void **state)
{
	struct np_topology *t;
	struct np_settings s;
	struct np_record rec;
	struct np_advice adv = { 0 };
	struct call c = { NULL, &s, &rec, 1 };

	(void)state;
	nofit_call(&s, &t, &rec);
	c.topo = t;
	s.on_no_fit = NP_NO_FIT_SPREAD;
	assert_int_equal(builtin(&c, 5, 8 * NP_GIB, &adv, NULL), 0);
	assert_true(adv.fallback);
	assert_list(&adv.nodes, "0-1");
	assert_list(&adv.cpus, "0-3");
	assert_non_null(strstr(adv.reason, "no fit: requested 5 vcpus, 8 GiB"));
	assert_non_null(strstr(adv.reason, "on-no-fit=spread: all 2 nodes with CPUs"));
	/* booked only up to each node's room */
	assert_int_equal(adv.nbookings, 2);
	assert_int_equal(adv.bookings[0].vcpus, 2);
	assert_int_equal(adv.bookings[0].memory, 8 * NP_GIB);
	assert_int_equal(adv.bookings[1].vcpus, 2);
	assert_int_equal(adv.bookings[1].memory, 0);
	np_advice_clear(&adv);
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

/* Nodes 0 and 1 have CPUs and 4 GiB each; 2 and 3 are CPU-less with 16 GiB. */
static const unsigned spill4[] = {
	10, 20, 20, 30,
	20, 10, 40, 15,
	20, 40, 10, 40,
	30, 15, 40, 10,
};

static struct np_topology *spill_machine(void)
{
	return np_test_topology(&(struct np_test_machine){
		4, NULL, (unsigned[]){ 4, 4, 0, 0 },
		(uint64_t[]){ 4 * NP_GIB, 4 * NP_GIB, 16 * NP_GIB, 16 * NP_GIB }, spill4, 1 });
}

static void test_cpuless_only_when_needed(void **state)
{
	struct np_topology *t = spill_machine();
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	/* fits on a CPU node: no CPU-less node */
	assert_choice(&c, 1, 3 * NP_GIB, "0");
	/* one CPU node plus memory beats two CPU nodes; {1,3} (15) beats {0,2} (20) */
	assert_int_equal(builtin(&c, 1, 6 * NP_GIB, &adv, NULL), 0);
	assert_list(&adv.nodes, "1,3");
	assert_list(&adv.mems, "1,3");
	assert_list(&adv.cpus, "4-7");
	assert_string_equal(adv.reason, "fits on node 1 (largest distance 15); memory also on node 3");
	assert_int_equal(adv.nbookings, 2);
	assert_int_equal(adv.bookings[0].node, 1);
	assert_int_equal(adv.bookings[0].vcpus, 1);
	assert_int_equal(adv.bookings[0].memory, 4 * NP_GIB);
	assert_int_equal(adv.bookings[1].node, 3);
	assert_int_equal(adv.bookings[1].vcpus, 0);
	assert_int_equal(adv.bookings[1].memory, 2 * NP_GIB);
	np_advice_clear(&adv);
	/* vcpus need both CPU nodes, which hold the memory: no CPU-less node */
	assert_choice(&c, 6, 8 * NP_GIB, "0-1");
	/* ... and when they do not, the nearest CPU-less node joins */
	assert_choice(&c, 6, 9 * NP_GIB, "0-1,3");
	np_test_topology_free(t);
}

/* issue 17 item 10: spread is every node of the pool, CPU-less ones in
 * mems, each booked up to its room. */
static void test_nofit_spread_cpuless(void **state)
{
	struct np_topology *t = spill_machine();
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	s.on_no_fit = NP_NO_FIT_SPREAD;
	assert_int_equal(builtin(&c, 9, 2048 * NP_GIB, &adv, NULL), 0);
	assert_true(adv.fallback);
	assert_list(&adv.nodes, "0-3");
	assert_list(&adv.mems, "0-3");
	assert_list(&adv.cpus, "0-7");
	assert_non_null(strstr(adv.reason, "on-no-fit=spread: all 2 nodes with CPUs and 2 without"));
	assert_int_equal(adv.nbookings, 4);
	assert_int_equal(adv.bookings[2].node, 2);
	assert_int_equal(adv.bookings[2].vcpus, 0);
	assert_int_equal(adv.bookings[2].memory, 16 * NP_GIB);
	assert_int_equal(adv.bookings[3].memory, 16 * NP_GIB);
	np_advice_clear(&adv);
	/* a pool without the memory nodes leaves them out */
	s.has_mems = true;
	s.mems = cpuset_of("0-1");
	assert_int_equal(builtin(&c, 9, 2048 * NP_GIB, &adv, NULL), 0);
	assert_list(&adv.mems, "0-1");
	assert_non_null(strstr(adv.reason, "on-no-fit=spread: all 2 nodes with CPUs"));
	assert_null(strstr(adv.reason, "without"));
	np_advice_clear(&adv);
	np_test_topology_free(t);
}

static void test_cpuless_nearest_first(void **state)
{
	struct np_topology *t = spill_machine();
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	s.has_mems = true;
	s.mems = cpuset_of("1-3");
	/* from node 1, node 3 (15) is nearer than node 2 (40), though its id is higher */
	assert_choice(&c, 1, 6 * NP_GIB, "1,3");
	/* both needed: nearest first, then the next */
	assert_choice(&c, 1, 22 * NP_GIB, "1-3");
	/* node 3 out of the pool: node 2 it is */
	s.mems = cpuset_of("1-2");
	assert_choice(&c, 1, 6 * NP_GIB, "1-2");
	np_test_topology_free(t);
}

static void test_booking_within_capacity(void **state)
{
	struct np_topology *t = np_test_uniform(3, 4, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_record rec;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, &rec, 1 };

	(void)state;
	np_test_settings(&s);
	np_test_record(&rec, "a", NULL, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 3 },
		       (uint64_t[]){ 3 * NP_GIB });
	assert_int_equal(builtin(&c, 6, 5 * NP_GIB, &adv, NULL), 0);
	assert_list(&adv.nodes, "1-2");
	assert_int_equal(adv.bookings[0].vcpus, 4);
	assert_int_equal(adv.bookings[0].memory, 4 * NP_GIB);
	assert_int_equal(adv.bookings[1].vcpus, 2);
	assert_int_equal(adv.bookings[1].memory, NP_GIB);
	np_advice_clear(&adv);
	/* 5 vcpus: every pair fits; pack prefers the fuller {0,1} and {0,2},
	 * and the lower ids of those */
	assert_choice(&c, 5, 0, "0-1");
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

static void test_overcommit(void **state)
{
	struct np_topology *t = np_test_uniform(1, 2, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 2, 4 * NP_GIB, "0");
	assert_choice(&c, 3, 0, "");
	assert_choice(&c, 1, 5 * NP_GIB, "");
	s.cpu_overcommit_pct = 200;
	s.memory_overcommit_pct = 150;
	assert_choice(&c, 4, 6 * NP_GIB, "0");
	assert_choice(&c, 5, 0, "");
	assert_choice(&c, 1, 6 * NP_GIB + 1, "");
	/* 1.5 x 2 CPUs = 3 vcpus, rounded down */
	s.cpu_overcommit_pct = 150;
	assert_choice(&c, 3, 0, "0");
	assert_choice(&c, 4, 0, "");
	np_test_topology_free(t);
}

static void test_pools(void **state)
{
	struct np_topology *t = np_test_uniform(2, 4, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	s.has_cpus = true;
	s.cpus = cpuset_of("2-5");
	assert_int_equal(builtin(&c, 2, 0, &adv, NULL), 0);
	assert_list(&adv.cpus, "2-3");
	np_advice_clear(&adv);
	/* only 2 pool CPUs per node: 3 vcpus take both nodes */
	assert_int_equal(builtin(&c, 3, 0, &adv, NULL), 0);
	assert_list(&adv.nodes, "0-1");
	assert_list(&adv.cpus, "2-5");
	np_advice_clear(&adv);
	assert_choice(&c, 5, 0, "");
	s.has_mems = true;
	s.mems = cpuset_of("1");
	assert_choice(&c, 2, 0, "1");
	assert_choice(&c, 3, 0, "");
	/* a pool the machine lacks is an input error naming what it lacks */
	s.cpus = cpuset_of("2-9");
	assert_int_equal(builtin(&c, 1, 0, &adv, &err), -EINVAL);
	assert_true(err.input);
	assert_string_equal(err.msg, "cpus 2-9: this machine has no CPU 8-9");
	np_err_clear(&err);
	s.cpus = cpuset_of("2-5");
	s.mems = cpuset_of("1,4");
	assert_int_equal(builtin(&c, 1, 0, &adv, &err), -EINVAL);
	assert_string_equal(err.msg, "mems 1,4: this machine has no node 4");
	np_err_clear(&err);
	np_test_topology_free(t);
}

/* 8 CPUs in cores of two: {0,1} {2,3} {4,5} {6,7}; CPU 1 held by "x". */
static void test_exclusive_whole_cores(void **state)
{
	struct np_topology *t = np_test_uniform(1, 8, 4 * NP_GIB, NULL, 2);
	struct np_settings s;
	struct np_record recs[8];
	struct np_cpuset one = cpuset_of("1");
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct call c = { t, &s, recs, 1 };

	(void)state;
	np_test_settings(&s);
	s.exclusive = true;
	np_test_record(&recs[0], "x", &one, &one, 1, (unsigned[]){ 0 }, (unsigned[]){ 1 }, NULL);
	/* a whole free core for the pair, the lone sibling of CPU 1 for the
	 * third before an idle core is split */
	assert_int_equal(builtin(&c, 3, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "0,2-3");
	assert_list(&adv.cpus, "0,2-3");
	assert_int_equal(adv.bookings[0].vcpus, 3);
	np_advice_clear(&adv);
	/* one CPU: the lone sibling, no idle core split */
	assert_int_equal(builtin(&c, 1, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "0");
	np_advice_clear(&adv);
	assert_int_equal(builtin(&c, 7, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "0,2-7");
	np_advice_clear(&adv);
	assert_int_equal(builtin(&c, 8, 0, &adv, &err), -ENOSPC);
	assert_string_equal(err.msg, "no fit: requested 8 exclusive CPUs; largest free: 7 free CPUs on node 0");
	np_err_clear(&err);
	np_test_records_free(recs, 1);
	np_test_topology_free(t);
}

static void test_exclusive_never_twice(void **state)
{
	struct np_topology *t = np_test_uniform(2, 6, 4 * NP_GIB, NULL, 2);
	struct np_settings s;
	struct np_record recs[16];
	struct np_cpuset seen;
	struct call c = { t, &s, recs, 0 };
	unsigned granted = 0;

	(void)state;
	np_test_settings(&s);
	s.exclusive = true;
	np_cpuset_zero(&seen);
	for (unsigned g = 0; g < 16; g++) {
		struct np_advice adv = { 0 };
		char name[16];

		if (builtin(&c, 1 + g % 3, 0, &adv, NULL) < 0)
			continue;
		assert_int_equal(np_cpuset_count(&adv.exclusive), 1 + g % 3);
		assert_false(np_cpuset_intersects(&adv.exclusive, &seen));
		np_cpuset_or(&seen, &seen, &adv.exclusive);
		granted += np_cpuset_count(&adv.exclusive);
		snprintf(name, sizeof(name), "g%u", g);
		memset(&recs[c.nrecs], 0, sizeof(recs[0]));
		strcpy(recs[c.nrecs].name, name);
		assert_int_equal(np_advice_to_record(&adv, &recs[c.nrecs], NULL), 0);
		c.nrecs++;
		np_advice_clear(&adv);
	}
	/* every CPU went to someone, none twice */
	assert_int_equal(granted, 12);
	assert_int_equal(np_cpuset_count(&seen), 12);
	np_test_records_free(recs, c.nrecs);
	np_test_topology_free(t);
}

/* A shared guest on 0-3 with one vcpu: an exclusive grant leaves it one CPU. */
static void test_exclusive_rewrites_shared(void **state)
{
	struct np_topology *t = np_test_uniform(1, 4, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_record recs[2];
	struct np_cpuset all = cpuset_of("0-3");
	struct np_cpuset pinned = cpuset_of("0");
	struct np_advice adv = { 0 };
	struct np_shared_update *up = NULL;
	struct np_err err = NP_ERR_INIT;
	size_t n = 0;
	struct call c = { t, &s, recs, 1 };

	(void)state;
	np_test_settings(&s);
	s.exclusive = true;
	np_test_record(&recs[0], "shared", &all, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 1 }, NULL);
	assert_int_equal(builtin(&c, 3, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "0-2");
	assert_int_equal(np_advisor_shared_updates(recs, 1, "guest", &adv.exclusive, &up, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(up[0].record, 0);
	assert_list(&up[0].cpus, "3");
	free(up);
	np_advice_clear(&adv);
	/* the shared guest's vcpu keeps a CPU: 4 cannot be dedicated */
	assert_int_equal(builtin(&c, 4, 0, &adv, &err), -ENOSPC);
	np_err_clear(&err);
	/* a shared guest pinned to CPU 0 keeps it */
	np_test_record(&recs[1], "pinned", &pinned, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 0 }, NULL);
	recs[0].bookings[0].vcpus = 0;
	c.nrecs = 2;
	assert_int_equal(builtin(&c, 3, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "1-3");
	np_advice_clear(&adv);
	/* granting what empties a guest is refused */
	assert_int_equal(np_advisor_shared_updates(recs, 2, "guest", &all, &up, &n, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "leave guest shared no CPU"));
	np_err_clear(&err);
	/* nothing to rewrite: an empty result */
	assert_int_equal(np_advisor_shared_updates(&recs[1], 1, NULL, &(struct np_cpuset){ { 2 } },
						   &up, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(up);
	np_test_records_free(recs, 2);
	np_test_topology_free(t);
}

/* Two nodes of four CPUs. A shared guest on node 1 that lost CPUs 4-5 to
 * an exclusive guest gets back what is on its nodes and in its pool; a
 * guest on node 0 gets nothing of node 1; an exclusive guest nothing. */
static void test_shared_regrow(void **state)
{
	struct np_topology *t = np_test_uniform(2, 4, 4 * NP_GIB, NULL, 1);
	struct np_cpuset rest = cpuset_of("6-7");
	struct np_cpuset low = cpuset_of("0-3");
	struct np_cpuset freed = cpuset_of("3-5");
	struct np_cpuset pool = cpuset_of("0-4,6-7");
	struct np_cpuset out = cpuset_of("9");
	struct np_record recs[3];

	(void)state;
	np_test_record(&recs[0], "s1", &rest, NULL, 1, (unsigned[]){ 1 }, (unsigned[]){ 1 }, NULL);
	np_test_record(&recs[1], "s0", &low, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 1 }, NULL);
	np_test_record(&recs[2], "x", &rest, &rest, 1, (unsigned[]){ 1 }, (unsigned[]){ 2 }, NULL);
	assert_true(np_advisor_shared_regrow(t, &recs[0], NULL, &freed, &out));
	assert_list(&out, "4-7");
	assert_true(np_advisor_shared_regrow(t, &recs[0], &pool, &freed, &out));
	assert_list(&out, "4,6-7");
	out = cpuset_of("9");
	assert_false(np_advisor_shared_regrow(t, &recs[1], NULL, &freed, &out));
	assert_false(np_advisor_shared_regrow(t, &recs[2], NULL, &freed, &out));
	assert_list(&out, "9");
	/* spanning both nodes: everything freed comes back */
	np_cpuset_add(&recs[1].nodes, 1);
	assert_true(np_advisor_shared_regrow(t, &recs[1], NULL, &freed, &out));
	assert_list(&out, "0-5");
	np_test_records_free(recs, 3);
	np_test_topology_free(t);
}

/* Two nodes of two CPUs; "x" holds CPU 3 exclusively, "s" shares 0-1. */
static void static_setup(struct np_topology **t, struct np_settings *s, struct np_record recs[2])
{
	struct np_cpuset three = cpuset_of("3");
	struct np_cpuset low = cpuset_of("0-1");

	*t = np_test_uniform(2, 2, 4 * NP_GIB, NULL, 1);
	np_test_settings(s);
	s->advisor = NP_ADVISOR_STATIC;
	s->has_cpus = true;
	np_test_record(&recs[0], "x", &three, &three, 1, (unsigned[]){ 1 }, (unsigned[]){ 1 }, NULL);
	np_test_record(&recs[1], "s", &low, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 0 },
		       (uint64_t[]){ 3 * NP_GIB });
}

static void test_static(void **state)
{
	struct np_topology *t;
	struct np_settings s;
	struct np_record recs[2];
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct call c = { NULL, &s, recs, 2 };

	(void)state;
	static_setup(&t, &s, recs);
	c.topo = t;
	s.cpus = cpuset_of("1-2");
	assert_int_equal(decide(&c, 2, 2 * NP_GIB, NULL, &adv, NULL), 0);
	assert_int_equal(adv.advisor, NP_ADVISOR_STATIC);
	assert_list(&adv.cpus, "1-2");
	assert_list(&adv.mems, "0-1");
	assert_list(&adv.nodes, "0-1");
	assert_true(np_cpuset_empty(&adv.exclusive));
	/* booked up to room: node 0 has 1 vcpu and 1 GiB left */
	assert_int_equal(adv.bookings[0].vcpus, 1);
	assert_int_equal(adv.bookings[0].memory, NP_GIB);
	assert_int_equal(adv.bookings[1].vcpus, 1);
	assert_int_equal(adv.bookings[1].memory, NP_GIB);
	assert_string_equal(adv.reason, "static cpuset from the policy");
	np_advice_clear(&adv);
	/* explicit mems; what finds no room is said, not refused */
	s.has_mems = true;
	s.mems = cpuset_of("0");
	assert_int_equal(decide(&c, 3, 2 * NP_GIB, NULL, &adv, NULL), 0);
	assert_list(&adv.mems, "0");
	assert_list(&adv.nodes, "0-1");
	assert_string_equal(adv.reason, "static cpuset from the policy; over capacity: 1 vcpu and 1 GiB not booked");
	np_advice_clear(&adv);
	/* a CPU another guest holds exclusively */
	s.has_mems = false;
	s.cpus = cpuset_of("2-3");
	assert_int_equal(decide(&c, 1, 0, NULL, &adv, &err), -EBUSY);
	assert_false(err.input);
	assert_string_equal(err.msg, "cpus: CPU 3 held exclusively by guest x");
	np_err_clear(&err);
	np_test_records_free(recs, 2);
	np_test_topology_free(t);
}

static void test_static_errors(void **state)
{
	struct np_topology *t;
	struct np_settings s;
	struct np_record recs[2];
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct call c = { NULL, &s, recs, 2 };

	(void)state;
	static_setup(&t, &s, recs);
	c.topo = t;
	s.cpus = cpuset_of("1,4-5");
	assert_int_equal(decide(&c, 1, 0, NULL, &adv, &err), -EINVAL);
	assert_true(err.input);
	assert_string_equal(err.msg, "cpus 1,4-5: this machine has no CPU 4-5");
	np_err_clear(&err);
	s.has_cpus = false;
	assert_int_equal(decide(&c, 1, 0, NULL, &adv, &err), -EINVAL);
	assert_string_equal(err.msg, "advisor static needs cpus in the policy");
	np_err_clear(&err);
	/* dedicating 0-1 would take shared guest s's last CPUs on node 0 */
	s.has_cpus = true;
	s.exclusive = true;
	s.cpus = cpuset_of("0-1");
	assert_int_equal(decide(&c, 2, 0, NULL, &adv, &err), -EBUSY);
	assert_string_equal(err.msg, "cpus: dedicating them leaves shared guest s no CPU on node 0");
	np_err_clear(&err);
	s.cpus = cpuset_of("1-2");
	assert_int_equal(decide(&c, 2, 0, NULL, &adv, NULL), 0);
	assert_list(&adv.exclusive, "1-2");
	assert_int_equal(adv.bookings[0].vcpus, 1);
	assert_int_equal(adv.bookings[1].vcpus, 1);
	np_advice_clear(&adv);
	assert_null(adv.reason);
	np_test_records_free(recs, 2);
	np_test_topology_free(t);
}

static void test_numad_answer(void **state)
{
	struct np_topology *t = np_test_uniform(3, 2, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_record rec;
	struct np_advice adv = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_numad_answer ans = { 0 };
	struct call c = { t, &s, &rec, 1 };

	(void)state;
	np_test_settings(&s);
	s.advisor = NP_ADVISOR_NUMAD;
	np_test_record(&rec, "a", NULL, NULL, 1, (unsigned[]){ 1 }, (unsigned[]){ 2 }, NULL);
	ans.nodes = cpuset_of("2");
	assert_int_equal(decide(&c, 2, NP_GIB, &ans, &adv, NULL), 0);
	assert_int_equal(adv.advisor, NP_ADVISOR_NUMAD);
	assert_false(adv.fallback);
	assert_list(&adv.cpus, "4-5");
	assert_string_equal(adv.reason, "numad advised node 2");
	np_advice_clear(&adv);
	/* node 1 is full: numad's answer would overbook it, builtin decides */
	ans.nodes = cpuset_of("1");
	assert_int_equal(decide(&c, 2, NP_GIB, &ans, &adv, NULL), 0);
	assert_int_equal(adv.advisor, NP_ADVISOR_BUILTIN);
	assert_true(adv.fallback);
	assert_list(&adv.nodes, "0");
	assert_string_equal(adv.reason, "numad advised node 1, which would be overbooked: requested "
					"2 vcpus, 1 GiB; free there: 0 vcpus and 4 GiB; fell back to "
					"builtin: fits on node 0");
	np_advice_clear(&adv);
	/* fallback none: numad's failure is the error */
	s.fallback = NP_FALLBACK_NONE;
	assert_int_equal(decide(&c, 2, NP_GIB, &ans, &adv, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "would be overbooked"));
	np_err_clear(&err);
	/* fallback static */
	s.fallback = NP_FALLBACK_STATIC;
	s.has_cpus = true;
	s.cpus = cpuset_of("5");
	np_err_set(&ans.err, -ETIMEDOUT, "numad gave no answer within 5000 ms; killed it");
	assert_int_equal(decide(&c, 1, 0, &ans, &adv, NULL), 0);
	assert_int_equal(adv.advisor, NP_ADVISOR_STATIC);
	assert_true(adv.fallback);
	assert_list(&adv.cpus, "5");
	assert_string_equal(adv.reason, "numad gave no answer within 5000 ms; killed it; "
					"fell back to static: static cpuset from the policy");
	np_advice_clear(&adv);
	/* the pool: numad may not hand out what it does not hold */
	np_numad_answer_clear(&ans);
	ans.nodes = cpuset_of("0");
	s.fallback = NP_FALLBACK_NONE;
	assert_int_equal(decide(&c, 1, 0, &ans, &adv, &err), -ENXIO);
	assert_string_equal(err.msg, "numad advised node 0, which has no usable CPU in the pool");
	np_err_clear(&err);
	/* numad never asked */
	assert_int_equal(decide(&c, 1, 0, NULL, &adv, &err), -ENOENT);
	np_err_clear(&err);
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

static void test_advice_to_record(void **state)
{
	struct np_topology *t = np_test_uniform(2, 2, 4 * NP_GIB, NULL, 1);
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct np_record rec;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	np_test_record(&rec, "guest", NULL, NULL, 1, (unsigned[]){ 1 }, (unsigned[]){ 9 }, NULL);
	rec.pid = 42;
	assert_int_equal(builtin(&c, 3, 5 * NP_GIB, &adv, NULL), 0);
	assert_int_equal(np_advice_to_record(&adv, &rec, NULL), 0);
	np_advice_clear(&adv);
	assert_string_equal(rec.name, "guest");
	assert_int_equal(rec.pid, 42);
	assert_list(&rec.cpus, "0-3");
	assert_list(&rec.nodes, "0-1");
	assert_int_equal(rec.vcpus, 3);
	assert_int_equal(rec.memory, 5 * NP_GIB);
	assert_int_equal(rec.advisor, NP_ADVISOR_BUILTIN);
	assert_string_equal(rec.reason, "fits on nodes 0-1 (largest distance 20)");
	assert_int_equal(rec.nbookings, 2);
	assert_int_equal(rec.bookings[0].vcpus, 2);
	assert_int_equal(rec.bookings[0].memory, 4 * NP_GIB);
	assert_int_equal(rec.bookings[1].vcpus, 1);
	assert_int_equal(rec.bookings[1].memory, NP_GIB);
	np_test_records_free(&rec, 1);
	np_test_topology_free(t);
}

/* The 64-node machine with 1,000 guests: exact pairs, grown larger sets. */
static void test_machine64(void **state)
{
	struct np_topology *t = np_test_machine64();
	struct np_settings s;
	struct np_record *recs = calloc(1000, sizeof(*recs));
	struct np_advice adv = { 0 };
	struct call c = { t, &s, recs, 1000 };
	uint64_t v = 0;

	(void)state;
	np_test_settings(&s);
	np_test_guests64(t, recs, 1000);
	assert_int_equal(builtin(&c, 40, 64 * NP_GIB, &adv, NULL), 0);
	assert_list(&adv.nodes, "5-6");
	assert_string_equal(adv.reason, "fits on nodes 5-6 (largest distance 12)");
	np_advice_clear(&adv);
	assert_int_equal(builtin(&c, 4, 8 * NP_GIB, &adv, NULL), 0);
	assert_int_equal(np_cpuset_count(&adv.nodes), 1);
	np_advice_clear(&adv);
	/* more than 5 and 6 and any neighbour hold: a grown set, booked in full */
	assert_int_equal(builtin(&c, 100, 0, &adv, NULL), 0);
	assert_true(np_cpuset_has(&adv.nodes, 5) && np_cpuset_has(&adv.nodes, 6));
	for (unsigned b = 0; b < adv.nbookings; b++)
		v += adv.bookings[b].vcpus;
	assert_int_equal(v, 100);
	np_advice_clear(&adv);
	np_test_records_free(recs, 1000);
	free(recs);
	np_test_topology_free(t);
}

/*
 * The brute-force reference: the capacity model and the ranking written
 * out literally over every subset of a small machine.
 */
#define REF_MAX 8u

struct ref {
	const struct np_topology *t;
	const struct np_settings *s;
	unsigned vcpus;
	uint64_t memory;
	uint64_t vroom[REF_MAX], mroom[REF_MAX], reserved[REF_MAX], ncpus[REF_MAX];
	bool cpu[REF_MAX], mem[REF_MAX];
};

struct ref_set {
	bool found;
	unsigned k, n;
	unsigned idx[REF_MAX];
	unsigned maxd;
	uint64_t sumd, pairs, load_num, load_den;
};

static uint64_t ref_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static unsigned ref_index(const struct np_topology *t, unsigned id)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i].id == id)
			return i;
	fail();
	return 0;
}

static void ref_rooms(struct ref *r, const struct np_record *recs, size_t nrecs)
{
	uint64_t shared[REF_MAX] = { 0 }, mem[REF_MAX] = { 0 };
	struct np_cpuset held, usable;

	np_cpuset_zero(&held);
	for (size_t i = 0; i < nrecs; i++)
		np_cpuset_or(&held, &held, &recs[i].exclusive);
	for (size_t i = 0; i < nrecs; i++) {
		for (unsigned b = 0; b < recs[i].nbookings; b++) {
			unsigned node = ref_index(r->t, recs[i].bookings[b].node);

			mem[node] += recs[i].bookings[b].memory;
			if (np_cpuset_empty(&recs[i].exclusive))
				shared[node] += recs[i].bookings[b].vcpus;
		}
	}
	np_cpuset_andnot(&usable, r->s->has_cpus ? &r->s->cpus : &r->t->cpus, &held);
	for (unsigned i = 0; i < r->t->nnodes; i++) {
		const struct np_node *node = &r->t->nodes[i];
		struct np_cpuset mine, mine_held;
		bool pool = !r->s->has_mems || np_cpuset_has(&r->s->mems, node->id);

		np_cpuset_and(&mine, &node->cpus, &usable);
		np_cpuset_and(&mine_held, &node->cpus, &held);
		r->ncpus[i] = np_cpuset_count(&node->cpus);
		r->cpu[i] = pool && r->ncpus[i] > 0 && np_cpuset_count(&mine) > 0;
		r->mem[i] = pool && r->ncpus[i] == 0;
		r->vroom[i] = ref_sub(np_cpuset_count(&mine) * r->s->cpu_overcommit_pct / 100, shared[i]);
		r->mroom[i] = ref_sub(node->memory_total * r->s->memory_overcommit_pct / 100, mem[i]);
		r->reserved[i] = shared[i] + np_cpuset_count(&mine_held);
	}
}

static unsigned ref_d(const struct ref *r, unsigned a, unsigned b)
{
	return r->t->distances[a * r->t->nnodes + b];
}

/* A key for the node set `mask` whose CPU nodes are `cpu_mask`. */
static struct ref_set ref_key(const struct ref *r, unsigned mask, unsigned cpu_mask)
{
	struct ref_set k = { .found = true };

	for (unsigned i = 0; i < r->t->nnodes; i++) {
		if (!(mask >> i & 1))
			continue;
		k.idx[k.n++] = i;
		if (cpu_mask >> i & 1) {
			k.k++;
			k.load_num += r->reserved[i];
			k.load_den += r->ncpus[i];
		}
		for (unsigned j = 0; j < r->t->nnodes; j++) {
			if (!(mask >> j & 1))
				continue;
			k.maxd = ref_d(r, i, j) > k.maxd ? ref_d(r, i, j) : k.maxd;
			if (i != j) {
				k.sumd += ref_d(r, i, j);
				k.pairs++;
			}
		}
	}
	return k;
}

static int ref_cmp(const struct ref *r, const struct ref_set *a, const struct ref_set *b)
{
	unsigned __int128 x, y;

	if (a->maxd != b->maxd)
		return a->maxd < b->maxd ? -1 : 1;
	x = (unsigned __int128)a->sumd * (b->pairs ? b->pairs : 1);
	y = (unsigned __int128)b->sumd * (a->pairs ? a->pairs : 1);
	if (x != y)
		return x < y ? -1 : 1;
	x = (unsigned __int128)a->load_num * b->load_den;
	y = (unsigned __int128)b->load_num * a->load_den;
	if (x != y)
		return (x < y) == (r->s->strategy == NP_STRATEGY_SPREAD) ? -1 : 1;
	for (unsigned i = 0; i < a->n && i < b->n; i++)
		if (a->idx[i] != b->idx[i])
			return a->idx[i] < b->idx[i] ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

/* The CPU set `cpu_mask` with CPU-less nodes added nearest first until the
 * memory fits; 0 when it cannot. */
static unsigned ref_spill(const struct ref *r, unsigned cpu_mask, uint64_t deficit)
{
	unsigned mask = cpu_mask, used = 0;

	while (deficit > 0) {
		int best = -1;
		uint64_t best_key = 0;

		for (unsigned m = 0; m < r->t->nnodes; m++) {
			uint64_t key = 0;

			if (!r->mem[m] || r->mroom[m] == 0 || (used >> m & 1))
				continue;
			for (unsigned c = 0; c < r->t->nnodes; c++)
				if (cpu_mask >> c & 1)
					key += ref_d(r, c, m);
			if (best < 0 || key < best_key) {
				best = (int)m;
				best_key = key;
			}
		}
		if (best < 0)
			return 0;
		used |= 1u << best;
		mask |= 1u << best;
		deficit -= r->mroom[best] < deficit ? r->mroom[best] : deficit;
	}
	return mask;
}

static struct ref_set ref_choose(const struct ref *r)
{
	unsigned n = r->t->nnodes;

	for (unsigned k = 1; k <= n; k++) {
		for (int spill = 0; spill < 2; spill++) {
			struct ref_set best = { .found = false };

			for (unsigned mask = 1; mask < 1u << n; mask++) {
				uint64_t v = 0, m = 0;
				unsigned full = mask;
				bool ok = (unsigned)__builtin_popcount(mask) == k;
				struct ref_set key;

				for (unsigned i = 0; ok && i < n; i++) {
					if (!(mask >> i & 1))
						continue;
					ok = r->cpu[i];
					v += r->vroom[i];
					m += r->mroom[i];
				}
				if (!ok || v < r->vcpus || (!spill && m < r->memory) || (spill && m >= r->memory))
					continue;
				if (spill && (full = ref_spill(r, mask, r->memory - m)) == 0)
					continue;
				key = ref_key(r, full, mask);
				if (!best.found || ref_cmp(r, &key, &best) < 0)
					best = key;
			}
			if (best.found)
				return best;
			if (r->memory == 0)
				break;
		}
	}
	return (struct ref_set){ .found = false };
}

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static struct np_topology *ref_machine(uint64_t *seed)
{
	static const unsigned near[] = { 11, 12, 12, 15, 20, 20, 21, 30, 32 };
	unsigned n = 1 + (unsigned)(rnd(seed) % 6), cpus[REF_MAX], dist[REF_MAX * REF_MAX];
	uint64_t mem[REF_MAX];

	for (unsigned i = 0; i < n; i++) {
		cpus[i] = rnd(seed) % 5 == 0 ? 0 : 1 + (unsigned)(rnd(seed) % 4);
		mem[i] = (1 + rnd(seed) % 8) * NP_GIB;
		for (unsigned j = 0; j < n; j++)
			dist[i * n + j] = i == j ? 10 : near[rnd(seed) % NP_ARRAY_SIZE(near)];
	}
	return np_test_topology(&(struct np_test_machine){ n, NULL, cpus, mem, dist, 1 });
}

/* Random reservations: shared guests with bookings, exclusive holders. */
static size_t ref_records(const struct np_topology *t, struct np_record *recs, uint64_t *seed)
{
	size_t n = rnd(seed) % 6;
	struct np_cpuset taken;

	np_cpuset_zero(&taken);
	for (size_t g = 0; g < n; g++) {
		unsigned node = (unsigned)(rnd(seed) % t->nnodes);
		unsigned vcpus = (unsigned)(rnd(seed) % 4);
		uint64_t memory = rnd(seed) % 5 * NP_GIB / 2;
		struct np_cpuset excl;
		int cpu = np_cpuset_next(&t->nodes[node].cpus, 0);
		char name[16];

		snprintf(name, sizeof(name), "r%zu", g);
		np_cpuset_zero(&excl);
		unsigned id = t->nodes[node].id;

		if (cpu >= 0 && rnd(seed) % 3 == 0 && !np_cpuset_has(&taken, (unsigned)cpu)) {
			np_cpuset_add(&excl, (unsigned)cpu);
			np_cpuset_add(&taken, (unsigned)cpu);
			np_test_record(&recs[g], name, &excl, &excl, 1, &id, (unsigned[]){ 1 }, &memory);
		} else {
			np_test_record(&recs[g], name, &t->nodes[node].cpus, NULL, 1, &id, &vcpus, &memory);
		}
	}
	return n;
}

static void ref_settings(struct np_settings *s, const struct np_topology *t, uint64_t *seed)
{
	static const unsigned pct[] = { 100, 100, 150, 200 };

	np_test_settings(s);
	s->strategy = rnd(seed) % 2 ? NP_STRATEGY_SPREAD : NP_STRATEGY_PACK;
	s->cpu_overcommit_pct = pct[rnd(seed) % NP_ARRAY_SIZE(pct)];
	s->memory_overcommit_pct = pct[rnd(seed) % NP_ARRAY_SIZE(pct)];
	if (rnd(seed) % 4 == 0) {
		s->has_cpus = true;
		for (int c = np_cpuset_next(&t->cpus, 0); c >= 0; c = np_cpuset_next(&t->cpus, (unsigned)c + 1))
			if (rnd(seed) % 3)
				np_cpuset_add(&s->cpus, (unsigned)c);
	}
	if (rnd(seed) % 4 == 0) {
		s->has_mems = true;
		for (unsigned i = 0; i < t->nnodes; i++)
			if (rnd(seed) % 3)
				np_cpuset_add(&s->mems, t->nodes[i].id);
	}
}

/* Random reservations, settings and request on `t`: the builtin advisor
 * must choose what the reference chooses, or fail when it finds nothing. */
static void ref_check(const struct np_topology *t, uint64_t *seed)
{
	struct np_record recs[8];
	struct np_settings s;
	struct np_advice adv = { 0 };
	struct ref r = { .t = t, .s = &s };
	size_t nrecs = ref_records(t, recs, seed);
	struct call c = { t, &s, recs, nrecs };
	struct ref_set want;
	int rc;

	ref_settings(&s, t, seed);
	r.vcpus = 1 + (unsigned)(rnd(seed) % 10);
	r.memory = rnd(seed) % 3 == 0 ? 0 : rnd(seed) % 40 * NP_GIB / 2;
	ref_rooms(&r, recs, nrecs);
	want = ref_choose(&r);
	rc = builtin(&c, r.vcpus, r.memory, &adv, NULL);
	if (!want.found) {
		assert_int_equal(rc, -ENOSPC);
	} else {
		struct np_cpuset ids;

		assert_int_equal(rc, 0);
		np_cpuset_zero(&ids);
		for (unsigned i = 0; i < want.n; i++)
			np_cpuset_add(&ids, t->nodes[want.idx[i]].id);
		assert_true(np_cpuset_equal(&ids, &adv.nodes));
		for (unsigned b = 0; b < adv.nbookings; b++) {
			unsigned i = ref_index(t, adv.bookings[b].node);

			assert_true(adv.bookings[b].vcpus <= r.vroom[i]);
			assert_true(adv.bookings[b].memory <= r.mroom[i]);
		}
	}
	np_advice_clear(&adv);
	np_test_records_free(recs, nrecs);
}

static void test_bruteforce_reference(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;

	(void)state;
	for (unsigned i = 0; i < 4000; i++) {
		struct np_topology *t = ref_machine(&seed);

		ref_check(t, &seed);
		np_test_topology_free(t);
	}
}

/* A capture of tests/fixtures/topologies, loaded by core/topology. */
static struct np_topology *capture(const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct np_topology *t = NULL;
	struct np_err err = NP_ERR_INIT;

	assert_true(asprintf(&path, "%s/topologies/%s.xml", NP_FIXTURES, name) > 0);
	if (np_topology_load(path, &t, &err) < 0)
		print_error("%s: %s\n", path, err.msg);
	assert_non_null(t);
	return t;
}

/* 64 nodes of 4 CPUs; the nearest pair is 5,6 (11 both ways), other pairs
 * of a package are 12 one way and 13 the other. */
static void test_capture_64n_asym(void **state)
{
	struct np_topology *t = capture("64n-synthetic-asym");
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 1, 0, "0");
	assert_choice(&c, 5, 0, "5-6");
	/* grown from 5,6: 4 and 7 tie on distances, the lower id goes */
	assert_choice(&c, 9, 0, "4-6");
	np_topology_free(t);
}

/* Nodes 0-3 with 2 CPUs and 16 GiB; 4 (32 GiB) is nearest to node 1, 5
 * (64 GiB) to nodes 2 and 3. */
static void test_capture_cpuless(void **state)
{
	struct np_topology *t = capture("6n-8pu-2cpuless");
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 2, 16 * NP_GIB, "0");
	assert_choice(&c, 1, 20 * NP_GIB, "1,4");
	/* 1 + 4 would need 5 too (largest distance 30): 2 + 5 holds it at 17 */
	assert_choice(&c, 1, 60 * NP_GIB, "2,5");
	assert_choice(&c, 1, 80 * NP_GIB, "2,5");
	/* both memory nodes with any CPU node: largest distance 30 everywhere,
	 * node 1 (mean 142/6) ties with 2 and 3 and has the lowest id */
	assert_choice(&c, 1, 81 * NP_GIB, "1,4-5");
	np_topology_free(t);
}

/* POWER with node ids 0-1,4-5,8-9,12-13, 32 PUs per node in cores of 4. */
static void test_capture_sparse_ids(void **state)
{
	struct np_topology *t = capture("8n-ppc64-256pu-smt4-sparseids");
	struct np_settings s;
	struct np_record rec;
	struct np_advice adv = { 0 };
	struct call c = { t, &s, &rec, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 40, 0, "0-1");
	np_test_record(&rec, "busy", &t->nodes[0].cpus, NULL, 1, (unsigned[]){ 0 }, (unsigned[]){ 30 }, NULL);
	c.nrecs = 1;
	assert_choice(&c, 40, 0, "4-5");
	assert_choice(&c, 2, 0, "0");
	s.exclusive = true;
	assert_int_equal(builtin(&c, 6, 0, &adv, NULL), 0);
	assert_list(&adv.exclusive, "32-37");
	np_advice_clear(&adv);
	np_test_records_free(&rec, 1);
	np_topology_free(t);
}

/* Grant `vcpus` exclusive CPUs to a new guest NAME of `c` and record it;
 * the CPUs granted as a list. */
static char *grant(struct call *c, struct np_record *recs, const char *name, unsigned vcpus)
{
	struct np_advice adv = { 0 };
	struct np_record *rec = &recs[c->nrecs];

	assert_int_equal(builtin(c, vcpus, 0, &adv, NULL), 0);
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->name, name);
	assert_int_equal(np_advice_to_record(&adv, rec, NULL), 0);
	c->nrecs++;
	np_advice_clear(&adv);
	return np_cpulist_format(&rec->exclusive);
}

/* Two Xeon sockets of 8 cores x 2 threads, siblings numbered +16 (issue 17
 * item 9): eight 1-vCPU exclusive guests fill four whole cores, one thread
 * after the other, and a 2-vCPU guest then gets a whole free core. */
static void test_capture_smt2_exclusive(void **state)
{
	struct np_topology *t = capture("2n-x86_64-32pu-smt2");
	static const char *const singles[] = { "0", "16", "1", "17", "2", "18", "3", "19" };
	struct np_record recs[10];
	struct np_settings s;
	struct call c = { t, &s, recs, 0 };
	char name[16];

	(void)state;
	np_test_settings(&s);
	s.exclusive = true;
	for (unsigned g = 0; g < 8; g++) {
		_cleanup_free_ char *got = NULL;

		snprintf(name, sizeof(name), "one%u", g);
		got = grant(&c, recs, name, 1);
		assert_string_equal(got, singles[g]);
	}
	{
		_cleanup_free_ char *pair = grant(&c, recs, "pair", 2);
		_cleanup_free_ char *three = grant(&c, recs, "three", 3);

		assert_string_equal(pair, "4,20");
		/* a whole core for two of them, the third splits an idle core */
		assert_string_equal(three, "5-6,21");
	}
	np_test_records_free(recs, c.nrecs);
	np_topology_free(t);
}

/* AMD Bulldozer, 8 nodes of 8 CPUs, distances 16 and 22. */
static void test_capture_bulldozer(void **state)
{
	struct np_topology *t = capture("8n-amd64-bulldozer-64pu");
	struct np_settings s;
	struct call c = { t, &s, NULL, 0 };

	(void)state;
	np_test_settings(&s);
	assert_choice(&c, 12, 0, "0-1");
	/* the first triple whose pairs are all at 16 */
	assert_choice(&c, 20, 0, "0-1,4");
	np_topology_free(t);
}

/* The reference on every capture of at most 8 nodes. */
static void test_capture_reference(void **state)
{
	static const char *const names[] = {
		"2n-x86_64-32pu-smt2", "4n-amd64-8pu", "6n-8pu-2cpuless",
		"8n-amd64-bulldozer-64pu", "8n-ppc64-256pu-smt4-sparseids",
	};
	uint64_t seed = 0x2545f4914f6cdd1du;

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(names); i++) {
		struct np_topology *t = capture(names[i]);

		for (unsigned k = 0; k < 300; k++)
			ref_check(t, &seed);
		np_topology_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_node_lowest_id),
		cmocka_unit_test(test_nearest_pair_not_lowest),
		cmocka_unit_test(test_mean_breaks_max_tie),
		cmocka_unit_test(test_pack_and_spread),
		cmocka_unit_test(test_exact_load_tie),
		cmocka_unit_test(test_nofit_fail),
		cmocka_unit_test(test_nofit_spread),
		cmocka_unit_test(test_cpuless_only_when_needed),
		cmocka_unit_test(test_cpuless_nearest_first),
		cmocka_unit_test(test_booking_within_capacity),
		cmocka_unit_test(test_overcommit),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_exclusive_whole_cores),
		cmocka_unit_test(test_exclusive_never_twice),
		cmocka_unit_test(test_exclusive_rewrites_shared),
		cmocka_unit_test(test_shared_regrow),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_errors),
		cmocka_unit_test(test_numad_answer),
		cmocka_unit_test(test_advice_to_record),
		cmocka_unit_test(test_machine64),
		cmocka_unit_test(test_bruteforce_reference),
		cmocka_unit_test(test_capture_64n_asym),
		cmocka_unit_test(test_capture_cpuless),
		cmocka_unit_test(test_capture_sparse_ids),
		cmocka_unit_test(test_capture_smt2_exclusive),
		cmocka_unit_test(test_nofit_spread_cpuless),
		cmocka_unit_test(test_capture_bulldozer),
		cmocka_unit_test(test_capture_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
