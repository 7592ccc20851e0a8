/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated machine: rooms, bookings, distances of node sets. */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int np_sim_machine_init(struct np_sim_machine *m, const struct np_topology *topo)
{
	unsigned n = topo->nnodes;

	memset(m, 0, sizeof(*m));
	if (n == 0 || n > NP_SIM_MAX_NODES)
		return -EINVAL;
	m->topo = topo;
	m->n = n;
	m->cpus = calloc(n, sizeof(*m->cpus));
	m->cores = calloc(n, sizeof(*m->cores));
	m->memory = calloc(n, sizeof(*m->memory));
	m->vbooked = calloc(n, sizeof(*m->vbooked));
	m->mbooked = calloc(n, sizeof(*m->mbooked));
	if (!m->cpus || !m->cores || !m->memory || !m->vbooked || !m->mbooked) {
		np_sim_machine_clear(m);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		m->cpus[i] = np_cpuset_count(&topo->nodes[i].cpus);
		m->memory[i] = topo->nodes[i].memory_total;
		m->total_cpus += m->cpus[i];
		m->total_memory += m->memory[i];
		if (m->cpus[i])
			m->cpu_nodes |= (np_sim_set)1 << i;
	}
	for (unsigned c = 0; c < topo->ncores; c++)
		if (topo->cores[c].node < n)
			m->cores[topo->cores[c].node]++;
	return 0;
}

void np_sim_machine_clear(struct np_sim_machine *m)
{
	free(m->cpus);
	free(m->cores);
	free(m->memory);
	free(m->vbooked);
	free(m->mbooked);
	memset(m, 0, sizeof(*m));
}

void np_sim_machine_reset(struct np_sim_machine *m)
{
	memset(m->vbooked, 0, m->n * sizeof(*m->vbooked));
	memset(m->mbooked, 0, m->n * sizeof(*m->mbooked));
	m->vtotal = 0;
	m->mtotal = 0;
}

struct np_sim_view np_sim_live(const struct np_sim_machine *m)
{
	return (struct np_sim_view){ m->vbooked, m->mbooked };
}

int64_t np_sim_vroom(const struct np_sim_machine *m, const struct np_sim_view *view, unsigned i)
{
	int64_t room = (int64_t)m->cpus[i] - view->vbooked[i];

	return room > 0 ? room : 0;
}

int64_t np_sim_mroom(const struct np_sim_machine *m, const struct np_sim_view *view, unsigned i)
{
	int64_t room = (int64_t)m->memory[i] - view->mbooked[i];

	return room > 0 ? room : 0;
}

bool np_sim_node_holds(const struct np_sim_machine *m, const struct np_sim_view *view,
		       unsigned i, unsigned vcpus, uint64_t memory)
{
	return m->cpus[i] && np_sim_vroom(m, view, i) >= vcpus &&
	       np_sim_mroom(m, view, i) >= (int64_t)memory;
}

bool np_sim_set_holds(const struct np_sim_machine *m, const struct np_sim_view *view,
		      np_sim_set set, unsigned vcpus, uint64_t memory)
{
	int64_t v = 0, mem = 0;

	for (unsigned i = 0; i < m->n; i++) {
		if (!(set >> i & 1))
			continue;
		v += np_sim_vroom(m, view, i);
		mem += np_sim_mroom(m, view, i);
	}
	return v >= vcpus && mem >= (int64_t)memory;
}

unsigned np_sim_set_maxdist(const struct np_sim_machine *m, np_sim_set set)
{
	unsigned max = 0;

	for (unsigned a = 0; a < m->n; a++)
		for (unsigned b = 0; (set >> a & 1) && b < m->n; b++)
			if ((set >> b & 1) && np_topology_distance(m->topo, a, b) > max)
				max = np_topology_distance(m->topo, a, b);
	return max;
}

double np_sim_load(const struct np_sim_machine *m)
{
	double v = (double)m->vtotal / (double)m->total_cpus;
	double mem = (double)m->mtotal / (double)m->total_memory;

	return v > mem ? v : mem;
}

/* Book `want` over the nodes of `set` that `ok` allows, ascending, each up
 * to `room`; the rest on the first such node. Returns true when a rest was left. */
static bool np_sim_fill(const struct np_sim_machine *m, np_sim_set set, np_sim_set ok,
			int64_t want, int64_t (*room)(const struct np_sim_machine *,
						      const struct np_sim_view *, unsigned),
			int64_t *book)
{
	struct np_sim_view live = np_sim_live(m);
	int first = -1;

	for (unsigned i = 0; i < m->n && want > 0; i++) {
		int64_t take;

		if (!((set & ok) >> i & 1))
			continue;
		if (first < 0)
			first = (int)i;
		take = room(m, &live, i);
		take = take < want ? take : want;
		book[i] = take;
		want -= take;
	}
	if (want > 0 && first >= 0)
		book[first] += want;
	return want > 0;
}

bool np_sim_book(struct np_sim_machine *m, struct np_sim_guest *g)
{
	np_sim_set vnodes = g->nodes & m->cpu_nodes ? m->cpu_nodes : ~(np_sim_set)0;
	bool over;

	memset(g->vbook, 0, m->n * sizeof(*g->vbook));
	memset(g->mbook, 0, m->n * sizeof(*g->mbook));
	over = np_sim_fill(m, g->nodes, vnodes, g->vcpus, np_sim_vroom, g->vbook);
	over |= np_sim_fill(m, g->nodes, ~(np_sim_set)0, (int64_t)g->memory, np_sim_mroom, g->mbook);
	for (unsigned i = 0; i < m->n; i++) {
		m->vbooked[i] += g->vbook[i];
		m->mbooked[i] += g->mbook[i];
	}
	m->vtotal += g->vcpus;
	m->mtotal += (int64_t)g->memory;
	return over;
}

void np_sim_unbook(struct np_sim_machine *m, const struct np_sim_guest *g)
{
	for (unsigned i = 0; i < m->n; i++) {
		m->vbooked[i] -= g->vbook[i];
		m->mbooked[i] -= g->mbook[i];
	}
	m->vtotal -= g->vcpus;
	m->mtotal -= (int64_t)g->memory;
}
