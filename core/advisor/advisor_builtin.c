/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built-in advisor: search the node sets, rank them, advise the best. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "cleanup.h"
#include "cpulist.h"
#include "exclusive.h"

/* Up to this many eligible CPU nodes, every set size is searched exhaustively. */
#define NP_EXACT_NODES 16u

/* A node set and its ranking key. */
struct np_cand {
	unsigned n;          /* nodes in the set, CPU and memory nodes */
	unsigned k;          /* of them, CPU nodes */
	unsigned *idx;       /* n node indexes, ascending (so ascending ids) */
	unsigned maxd;       /* over ordered pairs, a node with itself included */
	uint64_t sumd;       /* over ordered pairs of distinct nodes */
	uint64_t pairs;
	uint64_t load_num;   /* reserved vcpus over the CPU nodes */
	uint64_t load_den;   /* CPUs of the CPU nodes */
	bool set;
};

/* A set being built: its distances and rooms so far. */
struct np_part {
	unsigned maxd;
	uint64_t sumd, v, m;
};

struct np_search {
	const struct np_capacity *cap;
	const struct np_topology *topo;
	bool spread;             /* strategy: the emptier set wins a load tie */
	bool spill;              /* this pass adds CPU-less nodes for memory */
	unsigned *elig, ne;      /* eligible CPU nodes, ascending */
	unsigned *memn, nm;      /* eligible CPU-less nodes, ascending */
	uint64_t mem_room;       /* what all of memn can take */
	uint64_t vmax, mmax;     /* largest rooms of one CPU node, for pruning */
	unsigned *pick;          /* the set being built */
	unsigned *spl;           /* spill: the memory nodes taken */
	unsigned *mord;          /* spill: memory nodes, nearest first */
	uint64_t *mkey;          /* spill: their distance from the set */
	unsigned *buf;           /* backs the arrays above and the candidates' idx */
	struct np_cand best, cur;
};

static uint64_t np_sat_mul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static unsigned np_max(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static unsigned np_d(const struct np_search *s, unsigned a, unsigned b)
{
	return np_capacity_dist(s->topo, a, b);
}

static int np_cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Compare an/ad with bn/bd exactly; a zero denominator stands for 0. */
static int np_cmp_ratio(uint64_t an, uint64_t ad, uint64_t bn, uint64_t bd)
{
	unsigned __int128 l, r;

	if (ad == 0) {
		an = 0;
		ad = 1;
	}
	if (bd == 0) {
		bn = 0;
		bd = 1;
	}
	l = (unsigned __int128)an * bd;
	r = (unsigned __int128)bn * ad;
	return (l > r) - (l < r);
}

/* Negative when `a` ranks before `b`. */
static int np_cand_cmp(const struct np_search *s, const struct np_cand *a, const struct np_cand *b)
{
	int c = np_cmp_u64(a->k, b->k);

	if (c == 0)
		c = np_cmp_u64(a->maxd, b->maxd);
	if (c == 0)
		c = np_cmp_ratio(a->sumd, a->pairs, b->sumd, b->pairs);
	if (c == 0) {
		c = np_cmp_ratio(a->load_num, a->load_den, b->load_num, b->load_den);
		c = s->spread ? c : -c;
	}
	for (unsigned j = 0; c == 0 && j < a->n && j < b->n; j++)
		c = np_cmp_u64(a->idx[j], b->idx[j]);
	return c != 0 ? c : np_cmp_u64(a->n, b->n);
}

static void np_search_keep(struct np_search *s)
{
	unsigned *idx = s->best.idx;

	if (s->best.set && np_cand_cmp(s, &s->cur, &s->best) >= 0)
		return;
	memcpy(idx, s->cur.idx, s->cur.n * sizeof(*idx));
	s->best = s->cur;
	s->best.idx = idx;
	s->best.set = true;
}

/* Distances over idx[0..n). */
static void np_search_dists(const struct np_search *s, const unsigned *idx, unsigned n,
			    unsigned *maxd, uint64_t *sumd)
{
	*maxd = 0;
	*sumd = 0;
	for (unsigned a = 0; a < n; a++) {
		for (unsigned b = 0; b < n; b++) {
			unsigned d = np_d(s, idx[a], idx[b]);

			*maxd = np_max(*maxd, d);
			if (a != b)
				*sumd += d;
		}
	}
}

/* Order the CPU-less nodes by total distance from the set (then index). */
static void np_search_order_mem(struct np_search *s, const unsigned *set, unsigned k)
{
	for (unsigned j = 0; j < s->nm; j++) {
		unsigned m = s->memn[j], p = j;
		uint64_t key = 0;

		for (unsigned t = 0; t < k; t++)
			key += np_d(s, set[t], m);
		for (; p > 0 && s->mkey[p - 1] > key; p--) {
			s->mkey[p] = s->mkey[p - 1];
			s->mord[p] = s->mord[p - 1];
		}
		s->mkey[p] = key;
		s->mord[p] = m;
	}
}

/* cur = set + the nearest CPU-less nodes that hold `deficit`; false when
 * all of them cannot. */
static bool np_search_spill(struct np_search *s, const unsigned *set, unsigned k, uint64_t deficit)
{
	unsigned nsp = 0, a = 0, b = 0, n = 0;

	np_search_order_mem(s, set, k);
	for (unsigned j = 0; j < s->nm && deficit > 0; j++) {
		uint64_t room = s->cap->nodes[s->mord[j]].mroom;

		if (room == 0)
			continue;
		deficit -= room < deficit ? room : deficit;
		for (b = nsp++; b > 0 && s->spl[b - 1] > s->mord[j]; b--)
			s->spl[b] = s->spl[b - 1];
		s->spl[b] = s->mord[j];
	}
	if (deficit > 0)
		return false;
	for (b = 0; a < k || b < nsp;)
		s->cur.idx[n++] = b >= nsp || (a < k && set[a] < s->spl[b]) ? set[a++] : s->spl[b++];
	s->cur.n = n;
	np_search_dists(s, s->cur.idx, n, &s->cur.maxd, &s->cur.sumd);
	return true;
}

/* Rank the CPU node set `set[0..k)` (with its distances and rooms in `p`)
 * and keep it when it fits this pass and beats the best so far. */
static void np_search_consider(struct np_search *s, const unsigned *set, unsigned k,
			       const struct np_part *p)
{
	const struct np_capacity *cap = s->cap;

	if (p->v < cap->vcpus)
		return;
	if (!s->spill) {
		if (p->m < cap->memory)
			return;
		memcpy(s->cur.idx, set, k * sizeof(*set));
		s->cur.n = k;
		s->cur.maxd = p->maxd;
		s->cur.sumd = p->sumd;
	} else if (p->m >= cap->memory || !np_search_spill(s, set, k, cap->memory - p->m)) {
		return;
	}
	s->cur.k = k;
	s->cur.pairs = (uint64_t)s->cur.n * (s->cur.n - 1);
	s->cur.load_num = 0;
	s->cur.load_den = 0;
	for (unsigned j = 0; j < k; j++) {
		s->cur.load_num += cap->nodes[set[j]].reserved;
		s->cur.load_den += cap->nodes[set[j]].ncpus;
	}
	np_search_keep(s);
}

/* True when no set that grows `p` by `slots` CPU nodes can hold the request. */
static bool np_search_hopeless(const struct np_search *s, const struct np_part *p, unsigned slots)
{
	uint64_t v = np_capacity_add(p->v, np_sat_mul(slots, s->vmax));
	uint64_t m = np_capacity_add(p->m, np_sat_mul(slots, s->mmax));

	if (s->spill)
		m = np_capacity_add(m, s->mem_room);
	return v < s->cap->vcpus || m < s->cap->memory;
}

/* `p` with node j added to pick[0..depth). */
static struct np_part np_search_extend(const struct np_search *s, const struct np_part *p,
				       unsigned depth, unsigned j)
{
	struct np_part q = *p;

	q.maxd = np_max(q.maxd, np_d(s, j, j));
	for (unsigned t = 0; t < depth; t++) {
		unsigned a = s->pick[t];

		q.maxd = np_max(q.maxd, np_max(np_d(s, a, j), np_d(s, j, a)));
		q.sumd += np_d(s, a, j) + np_d(s, j, a);
	}
	q.v = np_capacity_add(q.v, s->cap->nodes[j].vroom);
	q.m = np_capacity_add(q.m, s->cap->nodes[j].mroom);
	return q;
}

/* Every k-set of eligible CPU nodes, in lexicographic order, pruned by the
 * best largest distance so far and by what the remaining nodes can hold. */
static void np_search_dfs(struct np_search *s, unsigned from, unsigned depth, unsigned k,
			  const struct np_part *p)
{
	if (depth == k) {
		np_search_consider(s, s->pick, k, p);
		return;
	}
	if (np_search_hopeless(s, p, k - depth))
		return;
	for (unsigned i = from; i + (k - depth) <= s->ne; i++) {
		struct np_part q = np_search_extend(s, p, depth, s->elig[i]);

		if (s->best.set && q.maxd > s->best.maxd)
			continue;
		s->pick[depth] = s->elig[i];
		np_search_dfs(s, i + 1, depth + 1, k, &q);
	}
}

/* Growth from one seed: per candidate, its largest and summed distance to the set. */
struct np_grow {
	unsigned maxd;
	uint64_t sumd;
	bool in;
};

/* The eligible position of the next node to add: the one giving the
 * smallest largest distance, then smallest sum, then lowest index. */
static unsigned np_grow_next(struct np_search *s, struct np_grow *g, unsigned added, unsigned setmax)
{
	unsigned best = UINT_MAX, bestmax = 0;
	unsigned j = s->elig[added];

	for (unsigned i = 0; i < s->ne; i++) {
		unsigned x = s->elig[i], mx;

		if (g[i].in)
			continue;
		g[i].maxd = np_max(g[i].maxd, np_max(np_d(s, j, x), np_d(s, x, j)));
		g[i].sumd += np_d(s, j, x) + np_d(s, x, j);
		mx = np_max(setmax, np_max(g[i].maxd, np_d(s, x, x)));
		if (best == UINT_MAX || mx < bestmax || (mx == bestmax && g[i].sumd < g[best].sumd)) {
			best = i;
			bestmax = mx;
		}
	}
	return best;
}

/* Grow a set from elig[seed] by nearest node into order[], up to `limit`
 * nodes; *kc and *ks get the smallest prefix that holds the request
 * without and with CPU-less nodes (UINT_MAX: none within the limit). */
static void np_grow(struct np_search *s, unsigned seed, unsigned limit, unsigned *order,
		    struct np_grow *g, unsigned *kc, unsigned *ks)
{
	const struct np_capacity *cap = s->cap;
	uint64_t v = 0, m = 0;
	unsigned setmax = 0, pos = seed;

	memset(g, 0, s->ne * sizeof(*g));
	*kc = *ks = UINT_MAX;
	for (unsigned step = 0; step < s->ne && step < limit && pos != UINT_MAX && *kc == UINT_MAX;
	     step++) {
		unsigned j = s->elig[pos];

		order[step] = j;
		g[pos].in = true;
		setmax = np_max(setmax, np_max(g[pos].maxd, np_d(s, j, j)));
		v = np_capacity_add(v, cap->nodes[j].vroom);
		m = np_capacity_add(m, cap->nodes[j].mroom);
		if (*ks == UINT_MAX && v >= cap->vcpus &&
		    np_capacity_add(m, s->mem_room) >= cap->memory)
			*ks = step + 1;
		if (v >= cap->vcpus && m >= cap->memory)
			*kc = step + 1;
		pos = np_grow_next(s, g, pos, setmax);
	}
}

/* Rank the first k nodes of `order` as a set. */
static void np_search_prefix(struct np_search *s, const unsigned *order, unsigned k)
{
	struct np_part p = { 0 };

	for (unsigned a = 0; a < k; a++) {
		unsigned b = a;

		for (; b > 0 && s->pick[b - 1] > order[a]; b--)
			s->pick[b] = s->pick[b - 1];
		s->pick[b] = order[a];
	}
	np_capacity_rooms(s->cap, order, k, &p.v, &p.m);
	np_search_dists(s, s->pick, k, &p.maxd, &p.sumd);
	np_search_consider(s, s->pick, k, &p);
}

/* Sets of 3 or more nodes on large machines: grow one from every node and
 * rank the smallest prefixes that hold the request (a growth stops at the
 * smallest size found so far: longer prefixes cannot be chosen). */
static int np_search_greedy(struct np_search *s, struct np_err *err)
{
	unsigned ne = s->ne, kstar = UINT_MAX;
	_cleanup_free_ unsigned *order = calloc((size_t)ne * ne, sizeof(*order));
	_cleanup_free_ unsigned *kc = calloc(ne, sizeof(*kc));
	_cleanup_free_ unsigned *ks = calloc(ne, sizeof(*ks));
	_cleanup_free_ struct np_grow *g = calloc(ne, sizeof(*g));
	bool cpu_only = false;

	if (!order || !kc || !ks || !g)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (unsigned a = 0; a < ne; a++) {
		np_grow(s, a, kstar, &order[(size_t)a * ne], g, &kc[a], &ks[a]);
		kstar = ks[a] < kstar ? ks[a] : kstar;
	}
	for (unsigned a = 0; a < ne; a++)
		cpu_only = cpu_only || kc[a] == kstar;
	s->spill = !cpu_only;
	for (unsigned a = 0; a < ne && kstar != UINT_MAX; a++)
		if ((cpu_only ? kc[a] : ks[a]) == kstar)
			np_search_prefix(s, &order[(size_t)a * ne], kstar);
	return 0;
}

/* Find the best set into s->best (left unset when nothing fits). */
static int np_search_run(struct np_search *s, struct np_err *err)
{
	unsigned kmax = s->ne <= NP_EXACT_NODES ? s->ne : 2;
	const struct np_part none = { 0 };

	s->spill = true;
	if (np_search_hopeless(s, &none, s->ne))
		return 0;
	for (unsigned k = 1; k <= kmax; k++) {
		s->spill = false;
		np_search_dfs(s, 0, 0, k, &none);
		if (!s->best.set && s->nm > 0 && s->cap->memory > 0) {
			s->spill = true;
			np_search_dfs(s, 0, 0, k, &none);
		}
		if (s->best.set)
			return 0;
	}
	return s->ne > kmax ? np_search_greedy(s, err) : 0;
}

static int np_search_init(struct np_search *s, const struct np_capacity *cap, struct np_err *err)
{
	unsigned nn = cap->in->topo->nnodes;

	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->topo = cap->in->topo;
	s->spread = cap->in->settings->strategy == NP_STRATEGY_SPREAD;
	s->buf = calloc((size_t)nn * 7 + 1, sizeof(*s->buf));
	s->mkey = calloc((size_t)nn + 1, sizeof(*s->mkey));
	if (!s->buf || !s->mkey)
		return np_err_set(err, -ENOMEM, "out of memory");
	s->elig = s->buf;
	s->memn = s->buf + nn;
	s->pick = s->buf + 2 * nn;
	s->spl = s->buf + 3 * nn;
	s->mord = s->buf + 4 * nn;
	s->best.idx = s->buf + 5 * nn;
	s->cur.idx = s->buf + 6 * nn;
	for (unsigned i = 0; i < nn; i++) {
		const struct np_cap_node *cn = &cap->nodes[i];

		if (cn->cpu) {
			s->elig[s->ne++] = i;
			s->vmax = cn->vroom > s->vmax ? cn->vroom : s->vmax;
			s->mmax = cn->mroom > s->mmax ? cn->mroom : s->mmax;
		} else if (cn->mem) {
			s->memn[s->nm++] = i;
			s->mem_room = np_capacity_add(s->mem_room, cn->mroom);
		}
	}
	return 0;
}

static void np_search_clear(struct np_search *s)
{
	free(s->buf);
	free(s->mkey);
}

/* The ids of the CPU nodes (`cpu`) or of the CPU-less nodes of the best
 * set, as a list. Heap; NULL on OOM. */
static char *np_builtin_ids(const struct np_search *s, bool cpu)
{
	struct np_cpuset ids;

	np_cpuset_zero(&ids);
	for (unsigned j = 0; j < s->best.n; j++)
		if (s->cap->nodes[s->best.idx[j]].cpu == cpu)
			np_cpuset_add(&ids, s->topo->nodes[s->best.idx[j]].id);
	return np_cpulist_format(&ids);
}

/* "fits on node 3", "fits on nodes 5-6 (largest distance 11)", with
 * "; memory also on node 8" when CPU-less nodes were added. */
static char *np_builtin_reason(const struct np_search *s)
{
	const struct np_cand *b = &s->best;
	_cleanup_free_ char *cpu = np_builtin_ids(s, true);
	_cleanup_free_ char *mem = np_builtin_ids(s, false);
	_cleanup_free_ char *dist = NULL;
	_cleanup_free_ char *spill = NULL;
	char *r = NULL;

	if (!cpu || !mem)
		return NULL;
	if (b->n > 1 && asprintf(&dist, " (largest distance %u)", b->maxd) < 0)
		return NULL;
	if (b->n > b->k && asprintf(&spill, "; memory also on node%s %s",
				    b->n - b->k > 1 ? "s" : "", mem) < 0)
		return NULL;
	if (asprintf(&r, "fits on node%s %s%s%s", b->k > 1 ? "s" : "", cpu,
		     dist ? dist : "", spill ? spill : "") < 0)
		return NULL;
	return r;
}

/* Search and advise; -ENOSPC with the no-fit message when nothing fits. */
static int np_builtin_choose(const struct np_capacity *cap, struct np_advice *adv, struct np_err *err)
{
	struct np_search s;
	int r = np_search_init(&s, cap, err);

	if (r == 0)
		r = np_search_run(&s, err);
	if (r == 0 && !s.best.set)
		r = np_capacity_nofit(cap, err);
	if (r == 0)
		r = np_exclusive_advise(cap, s.best.idx, s.best.n, adv, err);
	if (r == 0) {
		adv->reason = np_builtin_reason(&s);
		if (!adv->reason)
			r = np_err_set(err, -ENOMEM, "out of memory");
	}
	np_search_clear(&s);
	return r;
}

/* on-no-fit = spread: every eligible node, as a shared guest: the nodes
 * with CPUs, and the CPU-less ones in its mems. */
static int np_builtin_spread(const struct np_advisor_input *in, const char *nofit,
			     struct np_advice *adv, struct np_err *err)
{
	struct np_capacity cap;
	_cleanup_free_ unsigned *idx = calloc(in->topo->nnodes + 1u, sizeof(*idx));
	_cleanup_free_ char *memonly = NULL;
	unsigned n = 0, ncpu = 0;
	int r = idx ? np_capacity_init(&cap, in, err) : np_err_set(err, -ENOMEM, "out of memory");

	if (r < 0)
		return r;
	for (unsigned i = 0; i < in->topo->nnodes; i++) {
		if (cap.nodes[i].cpu || cap.nodes[i].mem)
			idx[n++] = i;
		ncpu += cap.nodes[i].cpu;
	}
	if (ncpu == 0)
		r = np_err_set(err, -ENOSPC, "%s", nofit);
	else if (n > ncpu && asprintf(&memonly, " and %u without", n - ncpu) < 0)
		r = np_err_set(err, -ENOMEM, "out of memory");
	else
		r = np_capacity_advise(&cap, idx, n, adv, err);
	if (r == 0 && asprintf(&adv->reason, "%s; on-no-fit=spread: all %u nodes with CPUs%s%s", nofit,
			       ncpu, memonly ? memonly : "",
			       in->settings->exclusive ? ", no CPU dedicated" : "") < 0) {
		adv->reason = NULL;
		r = np_err_set(err, -ENOMEM, "out of memory");
	}
	adv->advisor = NP_ADVISOR_BUILTIN;
	adv->fallback = true;
	np_capacity_clear(&cap);
	return r;
}

static int np_builtin_decide(const struct np_advisor_input *in, struct np_advice *adv, struct np_err *err)
{
	struct np_err nofit = NP_ERR_INIT;
	struct np_capacity cap;
	int r = np_exclusive_init(&cap, in, err);

	if (r < 0)
		return r;
	r = np_builtin_choose(&cap, adv, &nofit);
	np_capacity_clear(&cap);
	if (r == -ENOSPC && in->settings->on_no_fit == NP_NO_FIT_SPREAD) {
		np_advice_clear(adv);
		r = np_builtin_spread(in, nofit.msg, adv, err);
		np_err_clear(&nofit);
		return r;
	}
	if (r < 0)
		return np_err_move(err, &nofit);
	return 0;
}

int np_advisor_builtin(const struct np_advisor_input *in, struct np_advice *out, struct np_err *err)
{
	struct np_advice adv = { .advisor = NP_ADVISOR_BUILTIN };
	int r = np_capacity_check_pools(in, err);

	if (r == 0)
		r = np_builtin_decide(in, &adv, err);
	if (r < 0) {
		np_advice_clear(&adv);
		return r;
	}
	*out = adv;
	return 0;
}
