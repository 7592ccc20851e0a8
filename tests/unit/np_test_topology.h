/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_TEST_TOPOLOGY_H
#define NUMAPLACE_TEST_TOPOLOGY_H

/*
 * Hand-made machines, guests and settings for the advisor tests and the
 * benchmark, so they do not depend on the topology loader.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "record.h"
#include "topology.h"

#define NP_GIB (UINT64_C(1) << 30)

/* A machine: node i has id ids[i] (NULL: i), cpus[i] CPUs numbered on from
 * the previous node's (0: CPU-less), memory[i] bytes, cores of `smt` PUs
 * (0 means 1) made of consecutive CPUs, and the distance matrix `dist`
 * (row-major, NULL: 10 on the diagonal and 20 elsewhere). */
struct np_test_machine {
	unsigned nnodes;
	const unsigned *ids;
	const unsigned *cpus;
	const uint64_t *memory;
	const unsigned *dist;
	unsigned smt;
};

static inline void np_test_add_cores(struct np_topology *t, unsigned node, unsigned first,
				     unsigned n, unsigned smt)
{
	for (unsigned c = 0; c < n; c += smt) {
		struct np_core *core = &t->cores[t->ncores++];

		core->node = node;
		np_cpuset_zero(&core->pus);
		for (unsigned p = c; p < c + smt && p < n; p++)
			np_cpuset_add(&core->pus, first + p);
	}
}

static inline struct np_topology *np_test_topology(const struct np_test_machine *m)
{
	struct np_topology *t = calloc(1, sizeof(*t));
	unsigned smt = m->smt ? m->smt : 1, ncpus = 0, cpu = 0;

	for (unsigned i = 0; i < m->nnodes; i++)
		ncpus += m->cpus[i];
	t->source = strdup("test");
	t->nnodes = m->nnodes;
	t->nodes = calloc(m->nnodes, sizeof(*t->nodes));
	t->distances = calloc((size_t)m->nnodes * m->nnodes, sizeof(*t->distances));
	t->cores = calloc(ncpus + 1, sizeof(*t->cores));
	t->distances_default = m->dist == NULL;
	for (unsigned i = 0; i < m->nnodes; i++) {
		struct np_node *node = &t->nodes[i];

		node->id = m->ids ? m->ids[i] : i;
		if (m->cpus[i])
			np_cpuset_add_range(&node->cpus, cpu, cpu + m->cpus[i] - 1);
		np_test_add_cores(t, i, cpu, m->cpus[i], smt);
		cpu += m->cpus[i];
		node->memory_total = m->memory[i];
		node->memory_free = m->memory[i];
		np_cpuset_or(&t->cpus, &t->cpus, &node->cpus);
		np_cpuset_add(&t->node_ids, node->id);
		for (unsigned j = 0; j < m->nnodes; j++)
			t->distances[i * m->nnodes + j] =
				m->dist ? m->dist[i * m->nnodes + j] : (i == j ? 10 : 20);
	}
	return t;
}

/* The same for n alike nodes. */
static inline struct np_topology *np_test_uniform(unsigned n, unsigned cpus, uint64_t memory,
						  const unsigned *dist, unsigned smt)
{
	unsigned c[64];
	uint64_t mem[64];

	for (unsigned i = 0; i < n && i < 64; i++) {
		c[i] = cpus;
		mem[i] = memory;
	}
	return np_test_topology(&(struct np_test_machine){ n, NULL, c, mem, dist, smt });
}

static inline void np_test_topology_free(struct np_topology *t)
{
	if (!t)
		return;
	free(t->source);
	free(t->nodes);
	free(t->distances);
	free(t->cores);
	free(t);
}

/* Settings as the built-in defaults of docs/contract.md give them. */
static inline void np_test_settings(struct np_settings *s)
{
	np_settings_defaults(s);
}

/* A record `name` with cpus, an exclusive set (NULL: shared) and one
 * booking per node given (node ids, vcpus, memory; n of them). */
static inline void np_test_record(struct np_record *rec, const char *name,
				  const struct np_cpuset *cpus, const struct np_cpuset *exclusive,
				  unsigned n, const unsigned *nodes, const unsigned *vcpus,
				  const uint64_t *memory)
{
	memset(rec, 0, sizeof(*rec));
	strncpy(rec->name, name, NP_NAME_MAX);
	rec->phase = NP_PHASE_PLACED;
	if (cpus)
		rec->cpus = *cpus;
	if (exclusive)
		rec->exclusive = *exclusive;
	rec->nbookings = n;
	rec->bookings = calloc(n + 1, sizeof(*rec->bookings));
	for (unsigned i = 0; i < n; i++) {
		rec->bookings[i].node = nodes[i];
		rec->bookings[i].vcpus = vcpus[i];
		rec->bookings[i].memory = memory ? memory[i] : 0;
		np_cpuset_add(&rec->nodes, nodes[i]);
		rec->vcpus += vcpus[i];
		rec->memory += memory ? memory[i] : 0;
	}
	rec->mems = rec->nodes;
}

static inline void np_test_records_free(struct np_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(recs[i].bookings);
		free(recs[i].reason);
		recs[i].bookings = NULL;
		recs[i].reason = NULL;
	}
}

/* The 64-node machine of the benchmark: 16 packages of 4 nodes, 32 CPUs
 * (cores of 2) and 128 GiB per node. Distances are asymmetric: 14..17
 * inside a package, 28..36 across, and the nearest pair is 5,6 (11 one
 * way, 12 the other), not the lowest-numbered one. */
#define NP_TEST64_NODES 64u
#define NP_TEST64_CPUS 32u

static inline unsigned np_test64_distance(unsigned a, unsigned b)
{
	if (a == b)
		return 10;
	if (a == 5 && b == 6)
		return 11;
	if (a == 6 && b == 5)
		return 12;
	if (a / 4 == b / 4)
		return 14 + (3 * a + b) % 4;
	return 28 + (5 * (a / 4) + 3 * (b / 4)) % 9;
}

static inline struct np_topology *np_test_machine64(void)
{
	static unsigned dist[NP_TEST64_NODES * NP_TEST64_NODES];

	for (unsigned a = 0; a < NP_TEST64_NODES; a++)
		for (unsigned b = 0; b < NP_TEST64_NODES; b++)
			dist[a * NP_TEST64_NODES + b] = np_test64_distance(a, b);
	return np_test_uniform(NP_TEST64_NODES, NP_TEST64_CPUS, 128 * NP_GIB, dist, 2);
}

/* `n` guests on the 64-node machine, none on nodes 5 and 6: guest g sits
 * on the ((g * 37) % 62)th other node with 1 or 2 vcpus and 2 GiB; every
 * 25th holds the next 2 free CPUs of its node exclusively. */
static inline void np_test_guests64(const struct np_topology *t, struct np_record *recs, size_t n)
{
	unsigned next_excl[NP_TEST64_NODES] = { 0 };

	for (size_t g = 0; g < n; g++) {
		unsigned node = (unsigned)(g * 37) % (NP_TEST64_NODES - 2);
		struct np_cpuset excl;
		char name[32];

		if (node >= 5)
			node += 2;
		snprintf(name, sizeof(name), "guest%zu", g);
		np_cpuset_zero(&excl);
		if (g % 25 == 0) {
			unsigned first = node * NP_TEST64_CPUS + NP_TEST64_CPUS - 2 - next_excl[node];

			np_cpuset_add_range(&excl, first, first + 1);
			next_excl[node] += 2;
			np_test_record(&recs[g], name, &excl, &excl, 1, &node, (unsigned[]){ 2 },
				       (uint64_t[]){ 2 * NP_GIB });
		} else {
			np_test_record(&recs[g], name, &t->nodes[node].cpus, NULL, 1, &node,
				       (unsigned[]){ 1 + (unsigned)g % 2 }, (uint64_t[]){ 2 * NP_GIB });
		}
	}
}

#endif
