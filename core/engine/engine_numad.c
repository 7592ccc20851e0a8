/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `numaplace numad`: take the libvirt reservation a numad request is for. */
#include "engine_priv.h"

#include <errno.h>
#include <string.h>

/* The index of the oldest (by time, then name) unclaimed PID-less
 * reservation noted with the request vcpus:mb, or -1. */
static int np_numad_pick(const struct np_ledger_list *list, unsigned vcpus, uint64_t mb)
{
	int best = -1;

	for (unsigned i = 0; i < list->nrecords; i++) {
		const struct np_record *rec = &list->records[i];

		if (rec->claimed || rec->pid != 0 || rec->phase != NP_PHASE_RESERVED ||
		    rec->numad_vcpus != vcpus || rec->numad_mb != mb)
			continue;
		if (best < 0 || rec->time < list->records[best].time)
			best = (int)i;
	}
	return best;
}

static int np_numad_claim_locked(struct np_engine *eng, struct np_ledger *ledger,
				 unsigned vcpus, uint64_t mb, struct np_record *out,
				 struct np_err *err)
{
	const struct np_ledger_list *list = NULL;
	struct np_record rec = { 0 };
	int i, r = np_ledger_cache_list(eng->cache, ledger, &list, err);

	if (r < 0)
		return r;
	i = np_numad_pick(list, vcpus, mb);
	if (i < 0)
		return -ENOENT;
	r = np_record_copy(&rec, &list->records[i], err);
	if (r < 0)
		return r;
	rec.claimed = true;
	r = np_ledger_write(ledger, &rec, err);
	if (r < 0) {
		np_record_clear(&rec);
		return r;
	}
	*out = rec;
	return 0;
}

int np_engine_numad_claim(struct np_engine *eng, unsigned vcpus, uint64_t mb,
			  struct np_result *out, struct np_err *err)
{
	struct np_result res = { 0 };
	struct np_ledger *ledger = NULL;
	struct np_settings s;
	int r;

	pthread_mutex_lock(&eng->lock);
	r = np_engine_settings(eng, "numad", &s, err);
	if (r == 0)
		r = np_engine_ledger(eng, &s, false, &ledger, err);
	if (r == 0 && (r = np_ledger_lock(ledger, err)) < 0)
		np_err_wrap(err, "state %s", eng->state_dir);
	if (r == 0)
		r = np_numad_claim_locked(eng, ledger, vcpus, mb, &res.rec, err);
	np_ledger_close(ledger);
	pthread_mutex_unlock(&eng->lock);
	if (r < 0)
		return r;
	np_engine_log(eng, NP_LOG_INFO, "numad request %u:%llu answered with %s's reservation",
		      vcpus, (unsigned long long)mb, res.rec.name);
	*out = res;
	return 0;
}
