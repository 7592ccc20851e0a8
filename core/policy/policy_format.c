/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing a resolved value as the policy file would spell it. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "policy_priv.h"

/* "5s", "500ms", "2m", "1h": the largest unit that divides exactly. */
static char *np_format_duration(uint64_t ms)
{
	static const struct { const char *unit; uint64_t f; } units[] = {
		{ "h", 3600 * 1000 }, { "m", 60 * 1000 }, { "s", 1000 },
	};
	char *out = NULL;

	for (size_t i = 0; i < NP_ARRAY_SIZE(units) && ms; i++)
		if (ms % units[i].f == 0)
			return asprintf(&out, "%llu%s", (unsigned long long)(ms / units[i].f),
					units[i].unit) < 0 ? NULL : out;
	return asprintf(&out, "%llums", (unsigned long long)ms) < 0 ? NULL : out;
}

/* "8G", "512M", "1000": the largest binary unit that divides exactly. */
static char *np_format_size(uint64_t bytes)
{
	static const char units[] = "TGMK";
	char *out = NULL;

	for (int i = 0; i < 4; i++) {
		uint64_t f = UINT64_C(1) << (10 * (4 - i));

		if (bytes % f == 0)
			return asprintf(&out, "%llu%c", (unsigned long long)(bytes / f),
					units[i]) < 0 ? NULL : out;
	}
	return asprintf(&out, "%llu", (unsigned long long)bytes) < 0 ? NULL : out;
}

/* "1", "1.5", "0.05" from hundredths. */
static char *np_format_ratio(unsigned pct)
{
	char *out = NULL;
	int r;

	if (pct % 100 == 0)
		r = asprintf(&out, "%u", pct / 100);
	else if (pct % 10 == 0)
		r = asprintf(&out, "%u.%u", pct / 100, pct % 100 / 10);
	else
		r = asprintf(&out, "%u.%02u", pct / 100, pct % 100);
	return r < 0 ? NULL : out;
}

static char *np_format_count(unsigned v)
{
	char *out = NULL;

	if (v == 0)
		return strdup("");
	return asprintf(&out, "%u", v) < 0 ? NULL : out;
}

static char *np_format_set(bool has, const struct np_cpuset *set)
{
	return has ? np_cpulist_format(set) : strdup("");
}

#define NP_FORMAT_ENUM(key, v) strdup(np_key_value_name(key, (unsigned)(v)))

char *np_settings_value(const struct np_settings *s, enum np_key key)
{
	switch (key) {
	case NP_KEY_ADVISOR: return NP_FORMAT_ENUM(key, s->advisor);
	case NP_KEY_FALLBACK: return NP_FORMAT_ENUM(key, s->fallback);
	case NP_KEY_NUMAD: return strdup(s->numad ? s->numad : "");
	case NP_KEY_NUMAD_TIMEOUT: return np_format_duration(s->numad_timeout_ms);
	case NP_KEY_STRATEGY: return NP_FORMAT_ENUM(key, s->strategy);
	case NP_KEY_EXCLUSIVE: return strdup(s->exclusive ? "yes" : "no");
	case NP_KEY_MEMORY_MODE: return NP_FORMAT_ENUM(key, s->memory_mode);
	case NP_KEY_MEMORY_MIGRATE: return strdup(s->memory_migrate ? "yes" : "no");
	case NP_KEY_CGROUP_PARENT: return strdup(s->cgroup_parent ? s->cgroup_parent : "");
	case NP_KEY_LOCK_TIMEOUT: return np_format_duration(s->lock_timeout_ms);
	case NP_KEY_ON_NO_FIT: return NP_FORMAT_ENUM(key, s->on_no_fit);
	case NP_KEY_CPU_OVERCOMMIT: return np_format_ratio(s->cpu_overcommit_pct);
	case NP_KEY_MEMORY_OVERCOMMIT: return np_format_ratio(s->memory_overcommit_pct);
	case NP_KEY_VCPUS: return np_format_count(s->vcpus);
	case NP_KEY_MEMORY: return s->memory ? np_format_size(s->memory) : strdup("");
	case NP_KEY_CPUS: return np_format_set(s->has_cpus, &s->cpus);
	case NP_KEY_MEMS: return np_format_set(s->has_mems, &s->mems);
	case NP_KEY_COUNT: break;
	}
	return strdup("");
}
