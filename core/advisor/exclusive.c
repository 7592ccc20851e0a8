/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which CPUs an exclusive guest may be given, and which it gets. */
#include "exclusive.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cleanup.h"

/* A shared guest with CPUs on the node being looked at: how many are left. */
struct np_guard {
	const struct np_cpuset *cpus;
	uint64_t left;
};

/* Members of a & b & ~c within words [lo, hi]. */
static uint64_t np_excl_count3(const struct np_cpuset *a, const struct np_cpuset *b,
			       const struct np_cpuset *c, unsigned lo, unsigned hi)
{
	uint64_t n = 0;

	for (unsigned w = lo; w <= hi; w++)
		n += (uint64_t)__builtin_popcountll(a->bits[w] & b->bits[w] & ~c->bits[w]);
	return n;
}

/* 0 when every PU of the core (on node `cn`) is usable, 1 otherwise. */
static unsigned np_excl_class(const struct np_capacity *cap, const struct np_cap_node *cn,
			      const struct np_core *core)
{
	for (unsigned w = cn->wlo; w <= cn->whi; w++)
		if (core->pus.bits[w] & ~cap->usable.bits[w])
			return 1;
	return 0;
}

/* Append the usable PUs of every core of eligible nodes whose class is
 * `cls`, in core order. A core's PUs lie within its node's words. */
static void np_excl_list_class(struct np_capacity *cap, unsigned cls)
{
	const struct np_topology *topo = cap->in->topo;

	for (unsigned c = 0; c < topo->ncores; c++) {
		const struct np_core *core = &topo->cores[c];
		struct np_cap_node *cn;

		if (core->node >= topo->nnodes || !cap->nodes[core->node].cpu)
			continue;
		cn = &cap->nodes[core->node];
		if (np_excl_class(cap, cn, core) != cls)
			continue;
		for (unsigned w = cn->wlo; w <= cn->whi; w++) {
			uint64_t bits = core->pus.bits[w] & cap->usable.bits[w] &
					topo->nodes[core->node].cpus.bits[w];

			for (; bits && cn->ded_len < cn->ncpus; bits &= bits - 1) {
				unsigned pu = w * 64u + (unsigned)__builtin_ctzll(bits);

				cap->ded[cn->ded_off + cn->ded_len++] = (struct np_cap_cpu){ pu, cls, c };
			}
		}
	}
}

/* Keep only the CPUs of node i that can go without taking any guard's
 * last CPU, granting them in list order. */
static void np_excl_guard_node(struct np_capacity *cap, unsigned i, struct np_guard *g, size_t ng)
{
	struct np_cap_node *cn = &cap->nodes[i];
	struct np_cap_cpu *list = &cap->ded[cn->ded_off];
	unsigned kept = 0;

	for (unsigned e = 0; e < cn->ded_len; e++) {
		bool ok = true;

		for (size_t k = 0; k < ng && ok; k++)
			ok = g[k].left > 1 || !np_cpuset_has(g[k].cpus, list[e].cpu);
		if (!ok)
			continue;
		for (size_t k = 0; k < ng; k++)
			if (np_cpuset_has(g[k].cpus, list[e].cpu))
				g[k].left--;
		list[kept++] = list[e];
	}
	cn->ded_len = kept;
}

/* Count the shared guests booked on each node into first[i + 2] (by_node
 * NULL), or list them: by_node[first[i + 1]++] = record index. */
static void np_excl_scan(const struct np_capacity *cap, size_t *first, size_t *by_node)
{
	const struct np_advisor_input *in = cap->in;

	for (size_t r = 0; r < in->nrecords; r++) {
		if (cap->kind[r] != NP_CAP_SHARED)
			continue;
		for (unsigned k = 0; k < in->records[r].nbookings; k++) {
			int i = np_capacity_node(cap, in->records[r].bookings[k].node);

			if (i < 0)
				continue;
			if (by_node)
				by_node[first[i + 1]++] = r;
			else
				first[i + 2]++;
		}
	}
}

/* For each node i, the shared guests booked there: by_node[first[i] ..
 * first[i + 1]) are record indexes. A shared guest's CPUs are its booked
 * nodes' CPUs (every advisor books each node of the set it chose). */
static int np_excl_by_node(const struct np_capacity *cap, size_t **by_node, size_t **first)
{
	unsigned nn = cap->in->topo->nnodes;
	size_t *f = calloc(nn + 2, sizeof(*f));
	size_t *b;

	if (!f)
		return -ENOMEM;
	np_excl_scan(cap, f, NULL);
	for (unsigned i = 0; i < nn; i++)
		f[i + 2] += f[i + 1];
	b = calloc(f[nn + 1] + 1, sizeof(*b));
	if (!b) {
		free(f);
		return -ENOMEM;
	}
	np_excl_scan(cap, f, b);
	*by_node = b;
	*first = f;
	return 0;
}

/* The shared guests' CPUs left on node i, for those that have some there. */
static size_t np_excl_guards(const struct np_capacity *cap, unsigned i, const size_t *recs,
			     size_t n, struct np_guard *g)
{
	const struct np_advisor_input *in = cap->in;
	const struct np_cap_node *cn = &cap->nodes[i];
	size_t ng = 0;

	for (size_t j = 0; j < n; j++) {
		const struct np_cpuset *cpus = &in->records[recs[j]].cpus;
		uint64_t left = np_excl_count3(cpus, &in->topo->nodes[i].cpus, &cap->held, cn->wlo, cn->whi);

		if (left > 0)
			g[ng++] = (struct np_guard){ cpus, left };
	}
	return ng;
}

static int np_excl_protect(struct np_capacity *cap, struct np_err *err)
{
	_cleanup_free_ size_t *by_node = NULL;
	_cleanup_free_ size_t *first = NULL;
	_cleanup_free_ struct np_guard *g = NULL;

	if (np_excl_by_node(cap, &by_node, &first) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	g = calloc(first[cap->in->topo->nnodes] + 1, sizeof(*g));
	if (!g)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < cap->in->topo->nnodes; i++) {
		size_t ng;

		if (!cap->nodes[i].cpu || cap->nodes[i].ded_len == 0)
			continue;
		ng = np_excl_guards(cap, i, &by_node[first[i]], first[i + 1] - first[i], g);
		np_excl_guard_node(cap, i, g, ng);
	}
	return 0;
}

/* CPUs node i may dedicate while its shared bookings keep enough CPUs:
 * CPUs not held exclusively minus ceil(shared * 100 / overcommit). */
static uint64_t np_excl_limit(const struct np_capacity *cap, unsigned i, uint64_t shared)
{
	const struct np_cap_node *cn = &cap->nodes[i];
	unsigned pct = cap->in->settings->cpu_overcommit_pct;
	uint64_t avail = cn->ncpus > cn->held ? cn->ncpus - cn->held : 0;
	uint64_t need;

	if (shared == 0)
		return avail;
	if (pct == 0)
		return 0;
	need = (uint64_t)(((unsigned __int128)shared * 100u + pct - 1) / pct);
	return avail > need ? avail - need : 0;
}

static int np_excl_dedicable(struct np_capacity *cap, struct np_err *err)
{
	unsigned nn = cap->in->topo->nnodes;
	uint64_t total = 0;
	int r;

	for (unsigned i = 0; i < nn; i++) {
		cap->nodes[i].ded_off = (unsigned)total;
		total += cap->nodes[i].ncpus;
	}
	cap->ded = calloc(total + 1, sizeof(*cap->ded));
	if (!cap->ded)
		return np_err_set(err, -ENOMEM, "out of memory");
	np_excl_list_class(cap, 0);
	np_excl_list_class(cap, 1);
	r = np_excl_protect(cap, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < nn; i++) {
		uint64_t limit = np_excl_limit(cap, i, cap->nodes[i].shared);

		cap->nodes[i].vroom = cap->nodes[i].ded_len < limit ? cap->nodes[i].ded_len : limit;
	}
	return 0;
}

/* One pick: the CPUs taken so far, per node index j of the chosen nodes. */
struct np_pick {
	const struct np_capacity *cap;
	const unsigned *idx;
	unsigned n;
	unsigned need;       /* CPUs still to take */
	unsigned *counts;    /* per j: CPUs taken on idx[j] */
	bool *taken;         /* per j, per entry of its dedicable list */
	unsigned *first;     /* per j: offset of its entries in `taken` */
	struct np_cpuset *out;
};

static void np_pick_take(struct np_pick *p, unsigned j, unsigned k)
{
	const struct np_cap_node *cn = &p->cap->nodes[p->idx[j]];

	p->taken[p->first[j] + k] = true;
	np_cpuset_add(p->out, p->cap->ded[cn->ded_off + k].cpu);
	p->counts[j]++;
	p->need--;
}

/* The length of the run of entries of one whole free core starting at
 * entry k of node index j, or 0 when the entry does not start one (its
 * core is partly held, or some of its CPUs may not be dedicated). */
static unsigned np_pick_core_run(const struct np_pick *p, unsigned j, unsigned k)
{
	const struct np_capacity *cap = p->cap;
	unsigned i = p->idx[j];
	const struct np_cap_node *cn = &cap->nodes[i];
	const struct np_cap_cpu *e = &cap->ded[cn->ded_off];
	const struct np_core *core = &cap->in->topo->cores[e[k].core];
	unsigned len = 0;

	if (e[k].cls != 0 || (k > 0 && e[k - 1].core == e[k].core))
		return 0;
	while (k + len < cn->ded_len && e[k + len].core == e[k].core)
		len++;
	if (len != np_capacity_count(&core->pus, &cap->in->topo->nodes[i].cpus, cn->wlo, cn->whi))
		return 0;
	return len;
}

/* Whole free cores while what is left to take fills one, lowest node first. */
static void np_pick_cores(struct np_pick *p)
{
	for (unsigned j = 0; j < p->n && p->need > 0; j++) {
		const struct np_cap_node *cn = &p->cap->nodes[p->idx[j]];

		for (unsigned k = 0; cn->cpu && k < cn->ded_len && p->need > 0; k++) {
			unsigned len = np_pick_core_run(p, j, k);

			if (len == 0 || len > p->need || p->counts[j] + len > cn->vroom)
				continue;
			for (unsigned m = 0; m < len; m++)
				np_pick_take(p, j, k + m);
		}
	}
}

/* Single CPUs of class `cls` not taken yet, in list order, lowest node
 * first. */
static void np_pick_singles(struct np_pick *p, unsigned cls)
{
	for (unsigned j = 0; j < p->n && p->need > 0; j++) {
		const struct np_cap_node *cn = &p->cap->nodes[p->idx[j]];

		for (unsigned k = 0; cn->cpu && k < cn->ded_len && p->need > 0; k++)
			if (p->counts[j] < cn->vroom && !p->taken[p->first[j] + k] &&
			    p->cap->ded[cn->ded_off + k].cls == cls)
				np_pick_take(p, j, k);
	}
}

/* Pick cap->vcpus CPUs on node indexes `idx[0..n)` as Kubernetes' CPU
 * manager does: whole free cores while the rest fills one, then single
 * CPUs from cores already partly held, then from idle cores, splitting
 * them in list order; lowest node first each time. `counts[j]` gets how
 * many on idx[j]. The nodes must hold the request. -ENOMEM. */
static int np_excl_pick(const struct np_capacity *cap, const unsigned *idx, unsigned n,
			struct np_cpuset *out, unsigned *counts)
{
	_cleanup_free_ unsigned *first = calloc(n + 1, sizeof(*first));
	_cleanup_free_ bool *taken = NULL;
	struct np_pick p = { cap, idx, n, cap->vcpus, counts, NULL, first, out };
	unsigned total = 0;

	if (!first)
		return -ENOMEM;
	for (unsigned j = 0; j < n; j++) {
		first[j] = total;
		total += cap->nodes[idx[j]].ded_len;
		counts[j] = 0;
	}
	taken = calloc(total + 1, sizeof(*taken));
	if (!taken)
		return -ENOMEM;
	p.taken = taken;
	np_cpuset_zero(out);
	np_pick_cores(&p);
	np_pick_singles(&p, 1);
	np_pick_singles(&p, 0);
	return 0;
}

int np_exclusive_init(struct np_capacity *cap, const struct np_advisor_input *in,
		      struct np_err *err)
{
	int r = np_capacity_init(cap, in, err);

	if (r < 0 || !in->settings->exclusive)
		return r;
	cap->exclusive = true;
	r = np_excl_dedicable(cap, err);
	if (r < 0)
		np_capacity_clear(cap);
	return r;
}

int np_exclusive_advise(const struct np_capacity *cap, const unsigned *idx, unsigned n,
			struct np_advice *out, struct np_err *err)
{
	_cleanup_free_ unsigned *counts = calloc(n ? n : 1, sizeof(*counts));
	int r;

	if (!counts)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_capacity_advise(cap, idx, n, out, err);
	if (r < 0 || !cap->exclusive)
		return r;
	if (np_excl_pick(cap, idx, n, &out->exclusive, counts) < 0) {
		np_advice_clear(out);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	out->cpus = out->exclusive;
	for (unsigned j = 0; j < n; j++)
		out->bookings[j].vcpus = counts[j];
	return 0;
}
