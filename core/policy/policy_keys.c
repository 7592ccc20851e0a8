/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy schema: each key's name, how its value is parsed and printed,
 * and the built-in defaults. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "cpulist.h"
#include "name.h"
#include "policy_priv.h"
#include "quote.h"
#include "size.h"

/* How much of a bad value an error message shows. */
#define NP_VALUE_SHOWN 40
/* Durations are bounded so that callers may hold them in an int of ms. */
#define NP_DURATION_MAX_MS (24ull * 3600 * 1000)
/* Overcommit ratios, in hundredths: 0.01 .. 100. */
#define NP_OVERCOMMIT_MAX_PCT 10000u

static const char *const np_advisor_names[] = { "builtin", "numad", "static" };
static const char *const np_fallback_names[] = { "builtin", "static", "none" };
static const char *const np_strategy_names[] = { "pack", "spread" };
static const char *const np_memory_mode_names[] = { "strict", "preferred", "interleave" };
static const char *const np_on_no_fit_names[] = { "fail", "spread" };

/* A table of names and its length. */
#define NP_ENUM(names) names, NP_ARRAY_SIZE(names)

/* Set "invalid WHAT "TEXT": WHY" and return -EINVAL. */
__attribute__((format(printf, 4, 5)))
static int np_key_fail(struct np_err *err, const char *what, const char *text,
		       const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_quote_vfail(err, what, text, NP_VALUE_SHOWN, fmt, ap);
	va_end(ap);
	return r;
}

/* Index of `text` in `names`, else an input error listing them. */
static int np_parse_enum(const char *text, const char *const *names, unsigned n,
			 unsigned *out, struct np_err *err)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	FILE *f;

	for (unsigned i = 0; i < n; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	f = open_memstream(&list, &len);
	if (!f)
		return np_key_fail(err, "value", text, "unknown value");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	fclose(f);
	return np_key_fail(err, "value", text, "expected %s", list ? list : "another value");
}

static int np_parse_advisor(const char *text, struct np_settings *dst, struct np_err *err)
{
	unsigned v;
	int r = np_parse_enum(text, NP_ENUM(np_advisor_names), &v, err);

	if (r == 0)
		dst->advisor = (enum np_advisor_kind)v;
	return r;
}

static int np_parse_fallback(const char *text, struct np_settings *dst, struct np_err *err)
{
	unsigned v;
	int r = np_parse_enum(text, NP_ENUM(np_fallback_names), &v, err);

	if (r == 0)
		dst->fallback = (enum np_fallback)v;
	return r;
}

static int np_parse_strategy(const char *text, struct np_settings *dst, struct np_err *err)
{
	unsigned v;
	int r = np_parse_enum(text, NP_ENUM(np_strategy_names), &v, err);

	if (r == 0)
		dst->strategy = (enum np_strategy)v;
	return r;
}

static int np_parse_memory_mode(const char *text, struct np_settings *dst, struct np_err *err)
{
	unsigned v;
	int r = np_parse_enum(text, NP_ENUM(np_memory_mode_names), &v, err);

	if (r == 0)
		dst->memory_mode = (enum np_memory_mode)v;
	return r;
}

static int np_parse_on_no_fit(const char *text, struct np_settings *dst, struct np_err *err)
{
	unsigned v;
	int r = np_parse_enum(text, NP_ENUM(np_on_no_fit_names), &v, err);

	if (r == 0)
		dst->on_no_fit = (enum np_on_no_fit)v;
	return r;
}

/* yes/no, true/false, on/off, 1/0 (any case). */
static int np_parse_bool(const char *text, bool *out, struct np_err *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < NP_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return np_key_fail(err, "boolean", text, "expected yes or no (or true/false, on/off, 1/0)");
}

static int np_parse_exclusive(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_bool(text, &dst->exclusive, err);
}

static int np_parse_memory_migrate(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_bool(text, &dst->memory_migrate, err);
}

/* A duration from `min_ms` to 24h. */
static int np_parse_timeout(const char *text, uint64_t min_ms, uint64_t *out, struct np_err *err)
{
	uint64_t ms;
	int r = np_duration_parse(text, &ms, err);

	if (r < 0)
		return r;
	if (ms < min_ms || ms > NP_DURATION_MAX_MS)
		return np_key_fail(err, "duration", text, "must be between %s and 24h",
				   min_ms ? "1ms" : "0");
	*out = ms;
	return 0;
}

static int np_parse_numad_timeout(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_timeout(text, 1, &dst->numad_timeout_ms, err);
}

static int np_parse_lock_timeout(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_timeout(text, 0, &dst->lock_timeout_ms, err);
}

/* An absolute path, or a command name (no blanks: options cannot be
 * given here) looked up in PATH. */
static int np_parse_numad(const char *text, struct np_settings *dst, struct np_err *err)
{
	if (text[0] != '/' && strchr(text, '/'))
		return np_key_fail(err, "path", text,
				   "expected an absolute path or a command name");
	if (text[0] != '/' && strpbrk(text, " \t"))
		return np_key_fail(err, "path", text,
				   "a command name has no blanks (options cannot be given here)");
	dst->numad = text;
	return 0;
}

/* A relative path of valid names ("numaplace", "machine.slice/np"). */
static int np_parse_cgroup_parent(const char *text, struct np_settings *dst, struct np_err *err)
{
	if (text[0] == '/')
		return np_key_fail(err, "path", text,
				   "expected a path relative to the cpuset hierarchy's root");
	if (strstr(text, "//") || text[strlen(text) - 1] == '/')
		return np_key_fail(err, "path", text, "empty path component");
	if (np_name_validate_path(text, err) < 0) {
		_cleanup_free_ char *quoted = np_quote_string(text, NP_VALUE_SHOWN);

		return np_err_wrap(err, "invalid path %s: each component must be "
				   "a valid name", quoted ? quoted : "(?)");
	}
	dst->cgroup_parent = text;
	return 0;
}

/* A positive decimal with at most two decimals, 0.01 .. 100, in hundredths. */
static int np_parse_ratio(const char *text, unsigned *out_pct, struct np_err *err)
{
	static const char why[] = "expected a number from 0.01 to 100 with at most 2 decimals";
	const char *p = text;
	unsigned whole = 0, frac = 0, scale = 10;

	if (*p < '0' || *p > '9')
		return np_key_fail(err, "ratio", text, "%s", why);
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > NP_OVERCOMMIT_MAX_PCT / 100)
			return np_key_fail(err, "ratio", text, "%s", why);
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return np_key_fail(err, "ratio", text, "%s", why);
		for (p++; *p >= '0' && *p <= '9' && scale; p++, scale /= 10)
			frac += (unsigned)(*p - '0') * scale;
	}
	if (*p || whole * 100 + frac == 0 || whole * 100 + frac > NP_OVERCOMMIT_MAX_PCT)
		return np_key_fail(err, "ratio", text, "%s", why);
	*out_pct = whole * 100 + frac;
	return 0;
}

static int np_parse_cpu_overcommit(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_ratio(text, &dst->cpu_overcommit_pct, err);
}

static int np_parse_memory_overcommit(const char *text, struct np_settings *dst,
				      struct np_err *err)
{
	return np_parse_ratio(text, &dst->memory_overcommit_pct, err);
}

static int np_parse_vcpus(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_count_parse(text, NP_CPUSET_MAX, &dst->vcpus, err);
}

static int np_parse_memory(const char *text, struct np_settings *dst, struct np_err *err)
{
	uint64_t bytes;
	int r = np_size_parse(text, &bytes, err);

	if (r < 0)
		return r;
	if (bytes == 0)
		return np_key_fail(err, "size", text, "must be more than 0");
	dst->memory = bytes;
	return 0;
}

/* A non-empty list in the kernel's dialect. */
static int np_parse_set(const char *text, const char *what, struct np_cpuset *out,
			struct np_err *err)
{
	struct np_cpuset set;
	int r = np_cpulist_parse(text, NP_CPULIST_KERNEL, &set, err);

	if (r < 0)
		return r;
	if (np_cpuset_empty(&set))
		return np_key_fail(err, what, text, "empty");
	*out = set;
	return 0;
}

static int np_parse_cpus(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_set(text, "cpu list", &dst->cpus, err);
}

static int np_parse_mems(const char *text, struct np_settings *dst, struct np_err *err)
{
	return np_parse_set(text, "node list", &dst->mems, err);
}

typedef int (*np_key_parser)(const char *text, struct np_settings *dst, struct np_err *err);

/* A key: its name, its parser and the field it fills. */
struct np_key_spec {
	const char *name;
	np_key_parser parse;
	size_t offset;
	size_t size;
};

#define NP_FIELD(f) offsetof(struct np_settings, f), sizeof(((struct np_settings *)0)->f)

static const struct np_key_spec np_keys[NP_KEY_COUNT] = {
	[NP_KEY_ADVISOR] = { "advisor", np_parse_advisor, NP_FIELD(advisor) },
	[NP_KEY_FALLBACK] = { "fallback", np_parse_fallback, NP_FIELD(fallback) },
	[NP_KEY_NUMAD] = { "numad", np_parse_numad, NP_FIELD(numad) },
	[NP_KEY_NUMAD_TIMEOUT] = { "numad-timeout", np_parse_numad_timeout,
				   NP_FIELD(numad_timeout_ms) },
	[NP_KEY_STRATEGY] = { "strategy", np_parse_strategy, NP_FIELD(strategy) },
	[NP_KEY_EXCLUSIVE] = { "exclusive", np_parse_exclusive, NP_FIELD(exclusive) },
	[NP_KEY_MEMORY_MODE] = { "memory-mode", np_parse_memory_mode, NP_FIELD(memory_mode) },
	[NP_KEY_MEMORY_MIGRATE] = { "memory-migrate", np_parse_memory_migrate,
				    NP_FIELD(memory_migrate) },
	[NP_KEY_CGROUP_PARENT] = { "cgroup-parent", np_parse_cgroup_parent,
				   NP_FIELD(cgroup_parent) },
	[NP_KEY_LOCK_TIMEOUT] = { "lock-timeout", np_parse_lock_timeout,
				  NP_FIELD(lock_timeout_ms) },
	[NP_KEY_ON_NO_FIT] = { "on-no-fit", np_parse_on_no_fit, NP_FIELD(on_no_fit) },
	[NP_KEY_CPU_OVERCOMMIT] = { "cpu-overcommit", np_parse_cpu_overcommit,
				    NP_FIELD(cpu_overcommit_pct) },
	[NP_KEY_MEMORY_OVERCOMMIT] = { "memory-overcommit", np_parse_memory_overcommit,
				       NP_FIELD(memory_overcommit_pct) },
	[NP_KEY_VCPUS] = { "vcpus", np_parse_vcpus, NP_FIELD(vcpus) },
	[NP_KEY_MEMORY] = { "memory", np_parse_memory, NP_FIELD(memory) },
	[NP_KEY_CPUS] = { "cpus", np_parse_cpus, NP_FIELD(cpus) },
	[NP_KEY_MEMS] = { "mems", np_parse_mems, NP_FIELD(mems) },
};

int np_key_lookup(const char *name)
{
	for (int k = 0; k < NP_KEY_COUNT; k++)
		if (strcmp(np_keys[k].name, name) == 0)
			return k;
	return -1;
}

int np_key_parse(enum np_key key, const char *text, struct np_settings *dst,
		 struct np_err *err)
{
	return np_keys[key].parse(text, dst, err);
}

void np_settings_take(struct np_settings *dst, const struct np_settings *src, enum np_key key)
{
	const struct np_key_spec *spec = &np_keys[key];

	memcpy((char *)dst + spec->offset, (const char *)src + spec->offset, spec->size);
	if (key == NP_KEY_CPUS)
		dst->has_cpus = true;
	if (key == NP_KEY_MEMS)
		dst->has_mems = true;
	dst->origin[key] = src->origin[key];
}

void np_settings_defaults(struct np_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->advisor = NP_ADVISOR_BUILTIN;
	s->fallback = NP_FALLBACK_BUILTIN;
	s->numad = "numad";
	s->numad_timeout_ms = 5000;
	s->strategy = NP_STRATEGY_PACK;
	s->memory_mode = NP_MEMORY_STRICT;
	s->memory_migrate = true;
	s->lock_timeout_ms = 30000;
	s->on_no_fit = NP_NO_FIT_FAIL;
	s->cpu_overcommit_pct = 100;
	s->memory_overcommit_pct = 100;
}

const char *np_key_name(enum np_key key)
{
	return (unsigned)key < NP_KEY_COUNT ? np_keys[key].name : "?";
}

const char *np_advisor_name(enum np_advisor_kind kind)
{
	return (unsigned)kind < NP_ARRAY_SIZE(np_advisor_names) ? np_advisor_names[kind] : "?";
}

static const char *np_pick(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "?";
}

const char *np_key_value_name(enum np_key key, unsigned v)
{
	switch (key) {
	case NP_KEY_ADVISOR: return np_pick(NP_ENUM(np_advisor_names), v);
	case NP_KEY_FALLBACK: return np_pick(NP_ENUM(np_fallback_names), v);
	case NP_KEY_STRATEGY: return np_pick(NP_ENUM(np_strategy_names), v);
	case NP_KEY_MEMORY_MODE: return np_pick(NP_ENUM(np_memory_mode_names), v);
	case NP_KEY_ON_NO_FIT: return np_pick(NP_ENUM(np_on_no_fit_names), v);
	default: return NULL;
	}
}
