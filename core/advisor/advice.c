/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The helpers on an advice that the advisors and the engine share. */
#include "advice.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int np_advice_to_record(const struct np_advice *adv, struct np_record *rec, struct np_err *err)
{
	struct np_booking *bk = NULL;
	char *reason = NULL;

	if (adv->nbookings) {
		bk = calloc(adv->nbookings, sizeof(*bk));
		if (bk)
			memcpy(bk, adv->bookings, adv->nbookings * sizeof(*bk));
	}
	if (adv->reason)
		reason = strdup(adv->reason);
	if ((adv->nbookings && !bk) || (adv->reason && !reason)) {
		free(bk);
		free(reason);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	free(rec->reason);
	free(rec->bookings);
	rec->cpus = adv->cpus;
	rec->mems = adv->mems;
	rec->exclusive = adv->exclusive;
	rec->nodes = adv->nodes;
	rec->vcpus = adv->vcpus;
	rec->memory = adv->memory;
	rec->advisor = adv->advisor;
	rec->fallback = adv->fallback;
	rec->reason = reason;
	rec->nbookings = adv->nbookings;
	rec->bookings = bk;
	return 0;
}

void np_advice_clear(struct np_advice *adv)
{
	if (!adv)
		return;
	free(adv->reason);
	free(adv->bookings);
	memset(adv, 0, sizeof(*adv));
}
