/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The static advisor: the policy's own cpuset, checked against the machine
 * and the exclusive holdings, and booked as far as the nodes have room. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "capacity.h"
#include "cleanup.h"
#include "cpulist.h"

static void np_static_nodes_of(const struct np_topology *topo, const struct np_cpuset *cpus,
			       struct np_cpuset *out)
{
	np_cpuset_zero(out);
	for (unsigned i = 0; i < topo->nnodes; i++)
		if (np_cpuset_intersects(&topo->nodes[i].cpus, cpus))
			np_cpuset_add(out, topo->nodes[i].id);
}

/* -EBUSY naming a guest that holds one of `cpus` exclusively. */
static int np_static_check_held(const struct np_capacity *cap, const struct np_cpuset *cpus,
				struct np_err *err)
{
	const struct np_advisor_input *in = cap->in;

	if (!np_cpuset_intersects(cpus, &cap->held))
		return 0;
	for (size_t r = 0; r < in->nrecords; r++) {
		const struct np_record *rec = &in->records[r];
		struct np_cpuset both;
		_cleanup_free_ char *list = NULL;

		if (!np_capacity_other(cap, rec) || !np_cpuset_intersects(&rec->exclusive, cpus))
			continue;
		np_cpuset_and(&both, &rec->exclusive, cpus);
		list = np_cpulist_format(&both);
		return np_err_set(err, -EBUSY, "cpus: CPU %s held exclusively by guest %s",
				  list ? list : "?", rec->name);
	}
	return np_err_set(err, -EBUSY, "cpus: held exclusively by another guest");
}

/* -EBUSY when dedicating `cpus` takes a shared guest's last CPU on a node. */
static int np_static_check_shared(const struct np_capacity *cap, const struct np_cpuset *cpus,
				  struct np_err *err)
{
	const struct np_advisor_input *in = cap->in;

	for (size_t r = 0; r < in->nrecords; r++) {
		const struct np_record *rec = &in->records[r];

		if (!np_capacity_other(cap, rec) || !np_cpuset_empty(&rec->exclusive) ||
		    !np_cpuset_intersects(&rec->cpus, cpus))
			continue;
		for (unsigned i = 0; i < in->topo->nnodes; i++) {
			struct np_cpuset left;

			np_cpuset_and(&left, &rec->cpus, &in->topo->nodes[i].cpus);
			np_cpuset_andnot(&left, &left, &cap->held);
			if (np_cpuset_empty(&left) || !np_cpuset_subset(&left, cpus))
				continue;
			return np_err_set(err, -EBUSY,
					  "cpus: dedicating them leaves shared guest %s no CPU on node %u",
					  rec->name, in->topo->nodes[i].id);
		}
	}
	return 0;
}

/* Book node i: vcpus when its CPUs are in the cpuset (exclusive: one per
 * dedicated CPU), memory when it is in mems, each up to its room, taken
 * from what is left in left[0] (vcpus) and left[1] (memory). */
static void np_static_book_node(const struct np_capacity *cap, const struct np_advice *adv,
				unsigned i, struct np_booking *b, uint64_t left[2])
{
	const struct np_node *node = &cap->in->topo->nodes[i];
	const struct np_cap_node *cn = &cap->nodes[i];

	b->node = node->id;
	if (!np_cpuset_empty(&adv->exclusive)) {
		struct np_cpuset own;

		np_cpuset_and(&own, &adv->exclusive, &node->cpus);
		b->vcpus = np_cpuset_count(&own);
	} else if (np_cpuset_intersects(&node->cpus, &adv->cpus)) {
		b->vcpus = (unsigned)(left[0] < cn->vroom ? left[0] : cn->vroom);
		left[0] -= b->vcpus;
	}
	if (np_cpuset_has(&adv->mems, node->id)) {
		b->memory = left[1] < cn->mroom ? left[1] : cn->mroom;
		left[1] -= b->memory;
	}
}

/* Bookings over adv->nodes, ascending. `left` gets the vcpus (shared
 * only) and memory that found no room. */
static int np_static_book(const struct np_capacity *cap, const struct np_advice *adv,
			  struct np_booking **out, unsigned *n, uint64_t left[2])
{
	const struct np_topology *topo = cap->in->topo;
	struct np_booking *bk = calloc(np_cpuset_count(&adv->nodes) + 1u, sizeof(*bk));

	if (!bk)
		return -ENOMEM;
	left[0] = np_cpuset_empty(&adv->exclusive) ? cap->vcpus : 0;
	left[1] = cap->memory;
	*n = 0;
	for (unsigned i = 0; i < topo->nnodes; i++)
		if (np_cpuset_has(&adv->nodes, topo->nodes[i].id))
			np_static_book_node(cap, adv, i, &bk[(*n)++], left);
	*out = bk;
	return 0;
}

/* The reason: where the cpuset came from, and what found no room. */
static char *np_static_reason(const uint64_t unbooked[2])
{
	_cleanup_free_ char *size = unbooked[1] ? np_capacity_size(unbooked[1]) : NULL;
	char *r = NULL;
	int n;

	if (unbooked[0] == 0 && unbooked[1] == 0)
		return strdup("static cpuset from the policy");
	if (unbooked[1] && !size)
		return NULL;
	if (unbooked[0] && unbooked[1])
		n = asprintf(&r, "static cpuset from the policy; over capacity: %" PRIu64 " vcpu%s and %s not booked",
			     unbooked[0], unbooked[0] == 1 ? "" : "s", size);
	else if (unbooked[0])
		n = asprintf(&r, "static cpuset from the policy; over capacity: %" PRIu64 " vcpu%s not booked",
			     unbooked[0], unbooked[0] == 1 ? "" : "s");
	else
		n = asprintf(&r, "static cpuset from the policy; over capacity: %s not booked", size);
	return n < 0 ? NULL : r;
}

/* Fill `adv` from the checked cpus and mems; `cpu_nodes` are the nodes of the cpus. */
static int np_static_fill(const struct np_capacity *cap, const struct np_cpuset *mems,
			  const struct np_cpuset *cpu_nodes, struct np_advice *adv,
			  struct np_err *err)
{
	const struct np_settings *s = cap->in->settings;
	uint64_t unbooked[2];

	adv->cpus = s->cpus;
	adv->mems = *mems;
	np_cpuset_or(&adv->nodes, mems, cpu_nodes);
	if (s->exclusive)
		adv->exclusive = s->cpus;
	adv->vcpus = cap->vcpus;
	adv->memory = cap->memory;
	if (np_static_book(cap, adv, &adv->bookings, &adv->nbookings, unbooked) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	adv->reason = np_static_reason(unbooked);
	if (!adv->reason)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int np_static_decide(const struct np_capacity *cap, struct np_advice *adv, struct np_err *err)
{
	const struct np_settings *s = cap->in->settings;
	struct np_cpuset cpu_nodes;
	int r;

	np_static_nodes_of(cap->in->topo, &s->cpus, &cpu_nodes);
	r = np_static_check_held(cap, &s->cpus, err);
	if (r == 0 && s->exclusive)
		r = np_static_check_shared(cap, &s->cpus, err);
	if (r == 0)
		r = np_static_fill(cap, s->has_mems ? &s->mems : &cpu_nodes, &cpu_nodes, adv, err);
	return r;
}

int np_advisor_static(const struct np_advisor_input *in, struct np_advice *out, struct np_err *err)
{
	struct np_advice adv = { .advisor = NP_ADVISOR_STATIC };
	struct np_capacity cap;
	int r = np_capacity_check_pools(in, err);

	if (r < 0)
		return r;
	if (!in->settings->has_cpus || np_cpuset_empty(&in->settings->cpus))
		return np_err_input(err, "advisor static needs cpus in the policy");
	r = np_capacity_init(&cap, in, err);
	if (r < 0)
		return r;
	r = np_static_decide(&cap, &adv, err);
	np_capacity_clear(&cap);
	if (r < 0) {
		np_advice_clear(&adv);
		return r;
	}
	*out = adv;
	return 0;
}
