/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One replay of arrivals and departures with one algorithm. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct np_sim_rng {
	uint64_t s;
};

/* splitmix64 */
static uint64_t np_sim_next(struct np_sim_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double np_sim_uniform(struct np_sim_rng *r)
{
	return (double)(np_sim_next(r) >> 11) / (double)(UINT64_C(1) << 53);
}

struct np_sim_state {
	struct np_sim_machine *m;
	struct np_sim_algo *algo;
	const struct np_sim_workload *w;
	struct np_sim_guests g;
	struct np_sim_rng sizes, picks;
	struct np_sim_view view;     /* what the algorithm sees */
	int64_t *vsample, *msample;  /* bookings as of the start of a burst */
	unsigned serial;
	struct np_sim_stats *st;
	int error;
};

enum np_sim_outcome { NP_SIM_PLACED, NP_SIM_REFUSED, NP_SIM_ERROR };

static void np_sim_size(struct np_sim_state *s, struct np_sim_request *req)
{
	const struct np_sim_workload *w = s->w;
	double u = np_sim_uniform(&s->sizes), v = np_sim_uniform(&s->sizes);
	uint64_t steps = (w->max_memory - 512 * NP_SIM_MIB) / (256 * NP_SIM_MIB);

	req->vcpus = 1 + (unsigned)(u * u * w->max_vcpus);
	if (req->vcpus > w->max_vcpus)
		req->vcpus = w->max_vcpus;
	req->memory = 512 * NP_SIM_MIB + (uint64_t)(v * v * (double)(steps + 1)) * 256 * NP_SIM_MIB;
	if (req->memory > w->max_memory)
		req->memory = w->max_memory;
}

static bool np_sim_one_node_holds(const struct np_sim_machine *m, const struct np_sim_request *req)
{
	struct np_sim_view live = np_sim_live(m);

	for (unsigned i = 0; i < m->n; i++)
		if (np_sim_node_holds(m, &live, i, req->vcpus, req->memory))
			return true;
	return false;
}

/* Book the set the algorithm chose and count what it is. */
static enum np_sim_outcome np_sim_settle(struct np_sim_state *s, const struct np_sim_request *req,
					 np_sim_set set, bool could_one)
{
	struct np_sim_guest guest = { req->serial, req->vcpus, req->memory, set, NULL, NULL };
	struct np_sim_stats *st = s->st;
	unsigned spans = (unsigned)__builtin_popcountll(set), dist;

	guest.vbook = calloc(s->m->n, sizeof(*guest.vbook));
	guest.mbook = calloc(s->m->n, sizeof(*guest.mbook));
	if (!guest.vbook || !guest.mbook || set == 0) {
		free(guest.vbook);
		free(guest.mbook);
		s->error = -ENOMEM;
		return NP_SIM_ERROR;
	}
	st->overcommit += np_sim_book(s->m, &guest);
	dist = np_sim_set_maxdist(s->m, set);
	st->placed++;
	st->nodes += spans;
	st->maxdist += dist;
	st->maxdist_max = dist > st->maxdist_max ? dist : st->maxdist_max;
	st->local += spans == 1;
	st->could_one += could_one;
	st->local_could += could_one && spans == 1;
	if ((s->error = np_sim_guests_add(&s->g, s->m, &guest)) < 0)
		return NP_SIM_ERROR;
	return NP_SIM_PLACED;
}

/* One guest arrives: admission, then the algorithm, then booking. */
static enum np_sim_outcome np_sim_arrive(struct np_sim_state *s)
{
	struct np_sim_view live = np_sim_live(s->m);
	char name[24];
	struct np_sim_request req = { .serial = s->serial++, .name = name };
	bool could_one;
	np_sim_set set = 0;
	int r;

	snprintf(name, sizeof(name), "g%u", req.serial);
	np_sim_size(s, &req);
	if (!np_sim_set_holds(s->m, &live, ~(np_sim_set)0 >> (64 - s->m->n), req.vcpus, req.memory)) {
		s->st->refused_nofit++;
		return NP_SIM_REFUSED;
	}
	could_one = np_sim_one_node_holds(s->m, &req);
	r = s->algo->place(s->algo->state, s->m, &s->view, &s->g, &req, &set);
	if (r == -ENOSPC) {
		s->st->refused_fit++;
		return NP_SIM_REFUSED;
	}
	if (r < 0) {
		s->error = r;
		return NP_SIM_ERROR;
	}
	return np_sim_settle(s, &req, set, could_one);
}

static void np_sim_depart(struct np_sim_state *s, unsigned count)
{
	for (unsigned k = 0; k < count && s->g.n; k++)
		np_sim_guests_remove(&s->g, s->m, (unsigned)(np_sim_next(&s->picks) % s->g.n));
}

/* Arrivals until the load is reached, `max` have come or one is refused. */
static enum np_sim_outcome np_sim_arrivals(struct np_sim_state *s, unsigned max)
{
	enum np_sim_outcome o = NP_SIM_PLACED;

	for (unsigned k = 0; k < max && o == NP_SIM_PLACED && np_sim_load(s->m) < s->w->load; k++)
		o = np_sim_arrive(s);
	return o;
}

/* Up to `burst` simultaneous starts: a sampling algorithm sees the
 * bookings as they were when the burst began. */
static enum np_sim_outcome np_sim_burst(struct np_sim_state *s)
{
	enum np_sim_outcome o;

	if (s->algo->sampled) {
		memcpy(s->vsample, s->m->vbooked, s->m->n * sizeof(*s->vsample));
		memcpy(s->msample, s->m->mbooked, s->m->n * sizeof(*s->msample));
		s->view = (struct np_sim_view){ s->vsample, s->msample };
	}
	o = np_sim_arrivals(s, s->w->burst);
	s->view = np_sim_live(s->m);
	return o;
}

static int np_sim_replay(struct np_sim_state *s)
{
	const struct np_sim_workload *w = s->w;
	enum np_sim_outcome o = NP_SIM_PLACED;

	while (o == NP_SIM_PLACED && np_sim_load(s->m) < w->load)
		o = np_sim_burst(s);
	for (unsigned step = 1; step <= w->steps && o != NP_SIM_ERROR; step++) {
		bool burst = w->burst_every && step % w->burst_every == 0;

		np_sim_depart(s, burst ? w->burst : 1);
		o = burst ? np_sim_burst(s) : np_sim_arrivals(s, UINT32_MAX);
	}
	return o == NP_SIM_ERROR ? s->error : 0;
}

int np_sim_run(struct np_sim_machine *m, struct np_sim_algo *algo,
	       const struct np_sim_workload *w, struct np_sim_stats *out)
{
	struct np_sim_state s = {
		.m = m, .algo = algo, .w = w, .st = out,
		.sizes = { w->seed }, .picks = { w->seed ^ UINT64_C(0x5bd1e995) },
	};
	int r;

	memset(out, 0, sizeof(*out));
	np_sim_machine_reset(m);
	s.view = np_sim_live(m);
	s.vsample = calloc(m->n, sizeof(*s.vsample));
	s.msample = calloc(m->n, sizeof(*s.msample));
	r = s.vsample && s.msample ? np_sim_replay(&s) : -ENOMEM;
	np_sim_guests_clear(&s.g, m);
	free(s.vsample);
	free(s.msample);
	return r;
}
