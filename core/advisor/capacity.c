/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "capacity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

static uint64_t np_cap_scale(uint64_t v, unsigned pct)
{
	unsigned __int128 x = (unsigned __int128)v * pct / 100u;

	return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
}

static uint64_t np_cap_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t np_cap_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t np_capacity_count(const struct np_cpuset *a, const struct np_cpuset *b, unsigned lo,
			   unsigned hi)
{
	uint64_t n = 0;

	for (unsigned w = lo; w <= hi && w < NP_CPUSET_WORDS; w++)
		n += (uint64_t)__builtin_popcountll(b ? a->bits[w] & b->bits[w] : a->bits[w]);
	return n;
}

bool np_capacity_other(const struct np_capacity *cap, const struct np_record *rec)
{
	const char *name = cap->in->request->name;

	return !name || strcmp(rec->name, name) != 0;
}

/* cap->index: the node index of each OS node id, -1 for ids the machine lacks. */
static int np_cap_index_table(struct np_capacity *cap)
{
	const struct np_topology *topo = cap->in->topo;

	cap->nindex = topo->nnodes ? topo->nodes[topo->nnodes - 1].id + 1 : 0;
	cap->index = malloc((cap->nindex + 1) * sizeof(*cap->index));
	if (!cap->index)
		return -ENOMEM;
	for (unsigned id = 0; id < cap->nindex; id++)
		cap->index[id] = -1;
	for (unsigned i = 0; i < topo->nnodes; i++)
		cap->index[topo->nodes[i].id] = (int)i;
	return 0;
}

static bool np_cap_any(const struct np_cpuset *s, unsigned words)
{
	uint64_t any = 0;

	for (unsigned w = 0; w < words; w++)
		any |= s->bits[w];
	return any != 0;
}

/* What each record is, the CPUs the others hold exclusively, and per node
 * the shared vcpus and the memory they booked. */
static void np_cap_tally(struct np_capacity *cap, uint64_t *shared, uint64_t *mem)
{
	const struct np_advisor_input *in = cap->in;

	for (size_t r = 0; r < in->nrecords; r++) {
		const struct np_record *rec = &in->records[r];

		cap->kind[r] = !np_capacity_other(cap, rec) ? NP_CAP_SELF :
			       np_cap_any(&rec->exclusive, cap->words) ? NP_CAP_EXCLUSIVE : NP_CAP_SHARED;
		if (cap->kind[r] == NP_CAP_SELF)
			continue;
		for (unsigned w = 0; cap->kind[r] == NP_CAP_EXCLUSIVE && w < cap->words; w++)
			cap->held.bits[w] |= rec->exclusive.bits[w];
		for (unsigned b = 0; b < rec->nbookings; b++) {
			int i = np_capacity_node(cap, rec->bookings[b].node);

			if (i < 0)
				continue;
			mem[i] = np_capacity_add(mem[i], rec->bookings[b].memory);
			if (cap->kind[r] == NP_CAP_SHARED)
				shared[i] = np_capacity_add(shared[i], rec->bookings[b].vcpus);
		}
	}
}

/* The words node i's CPUs lie in. */
static void np_cap_node_words(struct np_capacity *cap, unsigned i)
{
	const struct np_cpuset *cpus = &cap->in->topo->nodes[i].cpus;
	struct np_cap_node *cn = &cap->nodes[i];

	cn->wlo = 1;
	cn->whi = 0;
	for (unsigned w = 0; w < cap->words; w++) {
		if (!cpus->bits[w])
			continue;
		if (cn->wlo > cn->whi)
			cn->wlo = w;
		cn->whi = w;
	}
}

static void np_cap_node_init(struct np_capacity *cap, unsigned i, uint64_t shared, uint64_t mem)
{
	const struct np_settings *s = cap->in->settings;
	const struct np_node *node = &cap->in->topo->nodes[i];
	struct np_cap_node *cn = &cap->nodes[i];
	bool in_pool = !s->has_mems || np_cpuset_has(&s->mems, node->id);
	uint64_t usable;

	np_cap_node_words(cap, i);
	usable = np_capacity_count(&node->cpus, &cap->usable, cn->wlo, cn->whi);
	cn->ncpus = np_capacity_count(&node->cpus, NULL, cn->wlo, cn->whi);
	cn->cpu = in_pool && cn->ncpus > 0 && usable > 0;
	cn->mem = in_pool && cn->ncpus == 0;
	cn->vroom = np_cap_sub(np_cap_scale(usable, s->cpu_overcommit_pct), shared);
	cn->mroom = np_cap_sub(np_cap_scale(node->memory_total, s->memory_overcommit_pct), mem);
	cn->held = np_capacity_count(&node->cpus, &cap->held, cn->wlo, cn->whi);
	cn->shared = shared;
	cn->reserved = np_capacity_add(shared, cn->held);
}

int np_capacity_init(struct np_capacity *cap, const struct np_advisor_input *in,
		     struct np_err *err)
{
	const struct np_settings *s = in->settings;
	unsigned nn = in->topo->nnodes;
	_cleanup_free_ uint64_t *shared = calloc(nn + 1, sizeof(*shared));
	_cleanup_free_ uint64_t *mem = calloc(nn + 1, sizeof(*mem));

	memset(cap, 0, sizeof(*cap));
	cap->in = in;
	cap->vcpus = in->request->vcpus ? in->request->vcpus : 1;
	cap->memory = in->request->memory;
	cap->words = (unsigned)(np_cpuset_last(&in->topo->cpus) + 64) / 64u;
	cap->words = cap->words ? cap->words : 1;
	cap->nodes = calloc(nn + 1, sizeof(*cap->nodes));
	cap->kind = calloc(in->nrecords + 1, sizeof(*cap->kind));
	if (!shared || !mem || !cap->nodes || !cap->kind || np_cap_index_table(cap) < 0) {
		np_capacity_clear(cap);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	np_cap_tally(cap, shared, mem);
	np_cpuset_andnot(&cap->usable, s->has_cpus ? &s->cpus : &in->topo->cpus, &cap->held);
	for (unsigned i = 0; i < nn; i++)
		np_cap_node_init(cap, i, shared[i], mem[i]);
	return 0;
}

void np_capacity_clear(struct np_capacity *cap)
{
	free(cap->nodes);
	free(cap->ded);
	free(cap->kind);
	free(cap->index);
	cap->nodes = NULL;
	cap->ded = NULL;
	cap->kind = NULL;
	cap->index = NULL;
}

void np_capacity_rooms(const struct np_capacity *cap, const unsigned *idx, unsigned n,
		       uint64_t *vcpus, uint64_t *memory)
{
	uint64_t v = 0, m = 0;

	for (unsigned j = 0; j < n; j++) {
		v = np_capacity_add(v, cap->nodes[idx[j]].vroom);
		m = np_capacity_add(m, cap->nodes[idx[j]].mroom);
	}
	*vcpus = v;
	*memory = m;
}

bool np_capacity_fits(const struct np_capacity *cap, const unsigned *idx, unsigned n)
{
	uint64_t v, m;

	np_capacity_rooms(cap, idx, n, &v, &m);
	return v >= cap->vcpus && m >= cap->memory;
}

/* Book node idx (its CPUs for a shared guest) and take its memory. */
static void np_cap_book(const struct np_capacity *cap, unsigned i, struct np_booking *bk,
			uint64_t *v_left, uint64_t *m_left, struct np_advice *out)
{
	const struct np_node *node = &cap->in->topo->nodes[i];
	const struct np_cap_node *cn = &cap->nodes[i];
	uint64_t m = np_cap_min(*m_left, cn->mroom);

	bk->node = node->id;
	np_cpuset_add(&out->nodes, node->id);
	if (!cap->exclusive && cn->cpu) {
		uint64_t v = np_cap_min(*v_left, cn->vroom);
		struct np_cpuset mine;

		bk->vcpus = (unsigned)v;
		*v_left -= v;
		np_cpuset_and(&mine, &node->cpus, &cap->usable);
		np_cpuset_or(&out->cpus, &out->cpus, &mine);
	}
	bk->memory = m;
	*m_left -= m;
}

int np_capacity_advise(const struct np_capacity *cap, const unsigned *idx, unsigned n,
		       struct np_advice *out, struct np_err *err)
{
	struct np_booking *bk = calloc(n ? n : 1, sizeof(*bk));
	uint64_t v_left = cap->vcpus, m_left = cap->memory;

	if (!bk)
		return np_err_set(err, -ENOMEM, "out of memory");
	np_cpuset_zero(&out->cpus);
	np_cpuset_zero(&out->exclusive);
	np_cpuset_zero(&out->nodes);
	for (unsigned j = 0; j < n; j++)
		np_cap_book(cap, idx[j], &bk[j], &v_left, &m_left, out);
	out->mems = out->nodes;
	out->vcpus = cap->vcpus;
	out->memory = cap->memory;
	out->nbookings = n;
	out->bookings = bk;
	return 0;
}

char *np_capacity_size(uint64_t bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t scale = 1;
	char *s = NULL;
	int r;

	while (u + 1 < NP_ARRAY_SIZE(units) && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (bytes % scale == 0)
		r = asprintf(&s, "%" PRIu64 " %s", bytes / scale, units[u]);
	else
		r = asprintf(&s, "%" PRIu64 ".%u %s", bytes / scale,
			     (unsigned)((unsigned __int128)(bytes % scale) * 10u / scale), units[u]);
	return r < 0 ? NULL : s;
}

char *np_capacity_describe(const struct np_capacity *cap, uint64_t v, const char *unit,
			   uint64_t m, const char *sep)
{
	_cleanup_free_ char *size = cap->memory ? np_capacity_size(m) : NULL;
	char *s = NULL;
	int r;

	if (cap->memory && !size)
		return NULL;
	r = asprintf(&s, "%" PRIu64 " %s%s%s%s", v, unit, v == 1 ? "" : "s",
		     cap->memory ? sep : "", cap->memory ? size : "");
	return r < 0 ? NULL : s;
}

/* The eligible CPU node with the most room (vcpus, then memory), or -1. */
static int np_cap_roomiest(const struct np_capacity *cap)
{
	int best = -1;

	for (unsigned i = 0; i < cap->in->topo->nnodes; i++) {
		const struct np_cap_node *cn = &cap->nodes[i];

		if (!cn->cpu)
			continue;
		if (best < 0 || cn->vroom > cap->nodes[best].vroom ||
		    (cn->vroom == cap->nodes[best].vroom && cn->mroom > cap->nodes[best].mroom))
			best = (int)i;
	}
	return best;
}

/* "2 vcpus and 6 GiB on node 1, 3 vcpus and 10 GiB on all 4 nodes". */
static char *np_cap_free_text(const struct np_capacity *cap, unsigned one, const char *unit)
{
	const struct np_cap_node *best = &cap->nodes[one];
	_cleanup_free_ char *a = np_capacity_describe(cap, best->vroom, unit, best->mroom, " and ");
	_cleanup_free_ char *b = NULL;
	uint64_t v = 0, m = 0;
	unsigned n = 0;
	char *s = NULL;
	int r;

	for (unsigned i = 0; i < cap->in->topo->nnodes; i++) {
		if (!cap->nodes[i].cpu && !cap->nodes[i].mem)
			continue;
		v = np_capacity_add(v, cap->nodes[i].cpu ? cap->nodes[i].vroom : 0);
		m = np_capacity_add(m, cap->nodes[i].mroom);
		n++;
	}
	b = np_capacity_describe(cap, v, unit, m, " and ");
	if (!a || !b)
		return NULL;
	if (n == 1)
		r = asprintf(&s, "%s on node %u", a, cap->in->topo->nodes[one].id);
	else
		r = asprintf(&s, "%s on node %u, %s on all %u usable nodes", a,
			     cap->in->topo->nodes[one].id, b, n);
	return r < 0 ? NULL : s;
}

int np_capacity_nofit(const struct np_capacity *cap, struct np_err *err)
{
	const char *unit = cap->exclusive ? "free CPU" : "vcpu";
	_cleanup_free_ char *req = np_capacity_describe(cap, cap->vcpus,
						   cap->exclusive ? "exclusive CPU" : "vcpu",
						   cap->memory, ", ");
	_cleanup_free_ char *avail = NULL;
	int one = np_cap_roomiest(cap);

	if (!req)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (one < 0)
		return np_err_set(err, -ENOSPC, "no fit: requested %s; no node has a usable CPU%s",
				  req, cap->in->settings->has_cpus || cap->in->settings->has_mems ?
				  " in the pool" : "");
	avail = np_cap_free_text(cap, (unsigned)one, unit);
	if (!avail)
		return np_err_set(err, -ENOMEM, "out of memory");
	return np_err_set(err, -ENOSPC, "no fit: requested %s; largest free: %s", req, avail);
}

static int np_cap_lacks(struct np_err *err, const char *key, const char *what,
			const struct np_cpuset *given, const struct np_cpuset *have)
{
	struct np_cpuset missing;
	_cleanup_free_ char *g = np_cpulist_format(given);
	_cleanup_free_ char *m = NULL;

	np_cpuset_andnot(&missing, given, have);
	m = np_cpulist_format(&missing);
	if (!g || !m)
		return np_err_set(err, -ENOMEM, "out of memory");
	return np_err_input(err, "%s %s: this machine has no %s %s", key, g, what, m);
}

int np_capacity_check_pools(const struct np_advisor_input *in, struct np_err *err)
{
	const struct np_settings *s = in->settings;

	if (s->has_cpus && !np_cpuset_subset(&s->cpus, &in->topo->cpus))
		return np_cap_lacks(err, "cpus", "CPU", &s->cpus, &in->topo->cpus);
	if (s->has_mems && !np_cpuset_subset(&s->mems, &in->topo->node_ids))
		return np_cap_lacks(err, "mems", "node", &s->mems, &in->topo->node_ids);
	return 0;
}
