/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placed guests and their numaplace records. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int np_sim_guests_grow(struct np_sim_guests *g)
{
	unsigned cap = g->cap ? g->cap * 2 : 64;
	struct np_sim_guest *items = reallocarray(g->items, cap, sizeof(*items));
	struct np_record *records;

	if (!items)
		return -ENOMEM;
	g->items = items;
	records = reallocarray(g->records, cap, sizeof(*records));
	if (!records)
		return -ENOMEM;
	g->records = records;
	g->cap = cap;
	return 0;
}

/* The record numaplace would keep for `guest`: its nodes, their CPUs and
 * what is booked on each node. */
static int np_sim_record(const struct np_sim_machine *m, const struct np_sim_guest *guest,
			 struct np_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->name, sizeof(rec->name), "g%u", guest->serial);
	rec->phase = NP_PHASE_PLACED;
	rec->vcpus = guest->vcpus;
	rec->memory = guest->memory;
	rec->bookings = calloc(m->n, sizeof(*rec->bookings));
	if (!rec->bookings)
		return -ENOMEM;
	for (unsigned i = 0; i < m->n; i++) {
		const struct np_node *node = &m->topo->nodes[i];

		if (!(guest->nodes >> i & 1))
			continue;
		np_cpuset_add(&rec->nodes, node->id);
		np_cpuset_add(&rec->mems, node->id);
		np_cpuset_or(&rec->cpus, &rec->cpus, &node->cpus);
		rec->bookings[rec->nbookings++] = (struct np_booking){
			node->id, (unsigned)guest->vbook[i], (uint64_t)guest->mbook[i]
		};
	}
	return 0;
}

int np_sim_guests_add(struct np_sim_guests *g, const struct np_sim_machine *m,
		      struct np_sim_guest *guest)
{
	int r;

	if (g->n == g->cap && (r = np_sim_guests_grow(g)) < 0)
		return r;
	if ((r = np_sim_record(m, guest, &g->records[g->n])) < 0)
		return r;
	g->items[g->n++] = *guest;
	return 0;
}

void np_sim_guests_remove(struct np_sim_guests *g, struct np_sim_machine *m, unsigned i)
{
	struct np_sim_guest *guest = &g->items[i];

	np_sim_unbook(m, guest);
	free(guest->vbook);
	free(guest->mbook);
	np_record_clear(&g->records[i]);
	g->n--;
	if (i != g->n) {
		g->items[i] = g->items[g->n];
		g->records[i] = g->records[g->n];
	}
}

void np_sim_guests_clear(struct np_sim_guests *g, struct np_sim_machine *m)
{
	while (g->n)
		np_sim_guests_remove(g, m, g->n - 1);
	free(g->items);
	free(g->records);
	memset(g, 0, sizeof(*g));
}
