/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy object: sections, resolving a guest's settings, diagnostics
 * and the checks against a machine. Reading files is policy_load.c. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "name.h"
#include "policy_priv.h"
#include "topology.h"

int np_section_new(struct np_section **out)
{
	struct np_section *sec = calloc(1, sizeof(*sec));

	if (!sec)
		return -ENOMEM;
	np_settings_defaults(&sec->values);
	*out = sec;
	return 0;
}

void np_section_clear(struct np_section *sec)
{
	char *pattern = sec->pattern;
	bool glob = sec->glob;

	for (int k = 0; k < NP_KEY_COUNT; k++)
		free(sec->text[k]);
	memset(sec, 0, sizeof(*sec));
	sec->pattern = pattern;
	sec->glob = glob;
	np_settings_defaults(&sec->values);
}

void np_section_free(struct np_section *sec)
{
	if (!sec)
		return;
	for (int k = 0; k < NP_KEY_COUNT; k++)
		free(sec->text[k]);
	free(sec->pattern);
	free(sec);
}

void np_policy_free(struct np_policy *policy)
{
	if (!policy)
		return;
	for (unsigned i = 0; i < policy->nsections; i++)
		np_section_free(policy->sections[i]);
	for (unsigned i = 0; i < policy->nfiles; i++)
		free(policy->files[i]);
	free(policy->sections);
	free(policy->files);
	free(policy);
}

/* Append a new section for `pattern` (NULL: [placement]). */
static int np_policy_append_section(struct np_policy *policy, const char *pattern,
				    struct np_section **out)
{
	struct np_section **grown;
	struct np_section *sec = NULL;

	if (np_section_new(&sec) < 0 || (pattern && !(sec->pattern = strdup(pattern)))) {
		np_section_free(sec);
		return -ENOMEM;
	}
	grown = realloc(policy->sections, (policy->nsections + 1) * sizeof(*grown));
	if (!grown) {
		np_section_free(sec);
		return -ENOMEM;
	}
	sec->glob = pattern && strpbrk(pattern, "*?");
	policy->sections = grown;
	policy->sections[policy->nsections++] = sec;
	*out = sec;
	return 0;
}

int np_policy_new(struct np_policy **out)
{
	struct np_policy *policy = calloc(1, sizeof(*policy));
	struct np_section *placement;

	if (!policy)
		return -ENOMEM;
	if (np_policy_append_section(policy, NULL, &placement) < 0) {
		np_policy_free(policy);
		return -ENOMEM;
	}
	*out = policy;
	return 0;
}

int np_policy_defaults(struct np_policy **out, struct np_err *err)
{
	if (np_policy_new(out) < 0)
		return np_err_set(err, -ENOMEM, "policy: out of memory");
	return 0;
}

int np_policy_add_file(struct np_policy *policy, const char *path, unsigned *index)
{
	char **grown = realloc(policy->files, (policy->nfiles + 1) * sizeof(*grown));
	char *copy = strdup(path);

	if (grown)
		policy->files = grown;
	if (!grown || !copy) {
		free(copy);
		return -ENOMEM;
	}
	policy->files[policy->nfiles] = copy;
	*index = policy->nfiles++;
	return 0;
}

int np_policy_section(struct np_policy *policy, const char *pattern, struct np_section **out)
{
	if (!pattern) {
		*out = policy->sections[0];
		return 0;
	}
	for (unsigned i = 1; i < policy->nsections; i++) {
		if (strcmp(policy->sections[i]->pattern, pattern) == 0) {
			*out = policy->sections[i];
			return 0;
		}
	}
	return np_policy_append_section(policy, pattern, out);
}

int np_section_set(struct np_policy *policy, struct np_section *sec, enum np_key key,
		   const char *text, unsigned file, unsigned line, struct np_err *err)
{
	_cleanup_free_ char *copy = strdup(text);
	struct np_settings parsed = sec->values;
	int r;

	if (!copy)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_key_parse(key, copy, &parsed, err);
	if (r < 0)
		return r;
	parsed.origin[key] = (struct np_origin){ policy->files[file], line };
	np_settings_take(&sec->values, &parsed, key);
	free(sec->text[key]);
	sec->text[key] = np_steal_ptr(&copy);
	sec->set[key] = true;
	return 0;
}

/* Override `s` with every key `sec` sets. */
static void np_section_apply(const struct np_section *sec, struct np_settings *s)
{
	for (int k = 0; k < NP_KEY_COUNT; k++)
		if (sec->set[k])
			np_settings_take(s, &sec->values, (enum np_key)k);
}

/* The one rule for `name`: its exact section, else the matching glob that
 * appeared last; NULL when none matches. */
static const struct np_section *np_policy_match(const struct np_policy *policy,
						const char *name)
{
	const struct np_section *glob = NULL;

	for (unsigned i = 1; i < policy->nsections; i++) {
		const struct np_section *sec = policy->sections[i];

		if (!sec->glob && strcmp(sec->pattern, name) == 0)
			return sec;
		if (sec->glob && fnmatch(sec->pattern, name, 0) == 0)
			glob = sec;
	}
	return glob;
}

void np_policy_placement(const struct np_policy *policy, struct np_settings *out)
{
	np_settings_defaults(out);
	np_section_apply(policy->sections[0], out);
}

int np_policy_resolve(const struct np_policy *policy, const char *name,
		      struct np_settings *out, struct np_err *err)
{
	const struct np_section *rule;
	struct np_settings s;

	if (np_name_validate(name, err) < 0)
		return -EINVAL;
	np_policy_placement(policy, &s);
	rule = np_policy_match(policy, name);
	if (rule) {
		np_section_apply(rule, &s);
		s.rule = rule->pattern;
	}
	if ((s.advisor == NP_ADVISOR_STATIC || s.fallback == NP_FALLBACK_STATIC) && !s.has_cpus)
		return np_err_input(err, "guest %s: a static cpuset needs cpus", name);
	*out = s;
	return 0;
}

const char *const *np_policy_files(const struct np_policy *policy, unsigned *n)
{
	*n = policy->nfiles;
	return (const char *const *)policy->files;
}

int np_diags_vadd(struct np_diags *diags, const char *file, unsigned line, bool warning,
		  const char *fmt, va_list ap)
{
	struct np_diag d = { .line = line, .warning = warning };

	if (diags->n == diags->cap) {
		unsigned cap = diags->cap ? 2 * diags->cap : 16;
		struct np_diag *grown = realloc(diags->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		diags->items = grown;
		diags->cap = cap;
	}
	d.file = strdup(file);
	if (!d.file || vasprintf(&d.msg, fmt, ap) < 0) {
		free(d.file);
		return -ENOMEM;
	}
	diags->items[diags->n++] = d;
	return 0;
}

__attribute__((format(printf, 5, 6)))
static int np_diags_add(struct np_diags *diags, const char *file, unsigned line, bool warning,
			const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_diags_vadd(diags, file, line, warning, fmt, ap);
	va_end(ap);
	return r;
}

void np_diags_clear(struct np_diags *diags)
{
	if (!diags)
		return;
	for (unsigned i = 0; i < diags->n; i++) {
		free(diags->items[i].file);
		free(diags->items[i].msg);
	}
	free(diags->items);
	diags->items = NULL;
	diags->n = 0;
	diags->cap = 0;
}

int np_diags_move(struct np_diags *to, struct np_diags *from)
{
	struct np_diag *grown;

	if (!to || from->n == 0) {
		np_diags_clear(from);
		return 0;
	}
	grown = realloc(to->items, (to->n + from->n) * sizeof(*grown));
	if (!grown) {
		np_diags_clear(from);
		return -ENOMEM;
	}
	memcpy(grown + to->n, from->items, from->n * sizeof(*grown));
	to->items = grown;
	to->cap = to->n + from->n;
	to->n += from->n;
	free(from->items);
	from->items = NULL;
	from->n = 0;
	from->cap = 0;
	return 0;
}

/* The members of `set` missing from `have`, as a list in `*missing` (heap);
 * NULL when none is missing. -ENOMEM. */
static int np_missing(const struct np_cpuset *set, const struct np_cpuset *have, char **missing)
{
	struct np_cpuset lack;

	*missing = NULL;
	np_cpuset_andnot(&lack, set, have);
	if (np_cpuset_empty(&lack))
		return 0;
	*missing = np_cpulist_format(&lack);
	return *missing ? 0 : -ENOMEM;
}

/* Compare a cpus/mems key with the machine: "CPUs 8-15 are not on this
 * machine (it has 0-7)" in `*msg`, NULL when all are there. -ENOMEM. */
static int np_machine_lack(enum np_key key, const struct np_cpuset *set,
			   const struct np_topology *topo, char **msg)
{
	const struct np_cpuset *have = key == NP_KEY_CPUS ? &topo->cpus : &topo->node_ids;
	_cleanup_free_ char *missing = NULL;
	_cleanup_free_ char *has = NULL;
	bool plural;

	*msg = NULL;
	if (np_missing(set, have, &missing) < 0)
		return -ENOMEM;
	if (!missing)
		return 0;
	has = np_cpulist_format(have);
	plural = strpbrk(missing, ",-") != NULL;
	if (!has || asprintf(msg, "%s%s %s %s not on this machine (it has %s)",
			     key == NP_KEY_CPUS ? "CPU" : "node", plural ? "s" : "", missing,
			     plural ? "are" : "is", has) < 0) {
		*msg = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Add a warning for `key` of `sec` when it names what the machine lacks. */
static int np_section_check_machine(const struct np_section *sec, enum np_key key,
				    const struct np_topology *topo, struct np_diags *diags)
{
	const struct np_cpuset *set = key == NP_KEY_CPUS ? &sec->values.cpus : &sec->values.mems;
	const struct np_origin *o = &sec->values.origin[key];
	_cleanup_free_ char *msg = NULL;

	if (!sec->set[key])
		return 0;
	if (np_machine_lack(key, set, topo, &msg) < 0)
		return -ENOMEM;
	if (!msg)
		return 0;
	if (np_diags_add(diags, o->file, o->line, true, "%s: %s; %s", np_key_name(key), msg,
			 sec->pattern ? "guests this rule matches will fail here" :
			 "guests that take it from [placement] will fail here") < 0)
		return -ENOMEM;
	return 1;
}

int np_policy_check_machine(const struct np_policy *policy, const struct np_topology *topo,
			    struct np_diags *diags, struct np_err *err)
{
	static const enum np_key keys[] = { NP_KEY_CPUS, NP_KEY_MEMS };
	struct np_diags found = { 0 };
	int count = 0;

	for (unsigned i = 0; i < policy->nsections; i++) {
		for (size_t k = 0; k < NP_ARRAY_SIZE(keys); k++) {
			int r = np_section_check_machine(policy->sections[i], keys[k], topo, &found);

			if (r < 0) {
				np_diags_clear(&found);
				return np_err_set(err, -ENOMEM, "policy: out of memory");
			}
			count += r;
		}
	}
	if (np_diags_move(diags, &found) < 0)
		return np_err_set(err, -ENOMEM, "policy: out of memory");
	return count;
}

/* The same check for one key of resolved settings, as an input error. */
static int np_settings_check_key(const struct np_settings *s, enum np_key key,
				 const struct np_topology *topo, struct np_err *err)
{
	const struct np_cpuset *set = key == NP_KEY_CPUS ? &s->cpus : &s->mems;
	const struct np_origin *o = &s->origin[key];
	_cleanup_free_ char *msg = NULL;

	if (np_machine_lack(key, set, topo, &msg) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (!msg)
		return 0;
	return np_err_input(err, "%s (%s:%u): %s", np_key_name(key),
			    o->file ? o->file : "built-in", o->line, msg);
}

int np_settings_check_machine(const struct np_settings *s, const struct np_topology *topo,
			      struct np_err *err)
{
	int r = 0;

	if (s->has_cpus)
		r = np_settings_check_key(s, NP_KEY_CPUS, topo, err);
	if (r == 0 && s->has_mems)
		r = np_settings_check_key(s, NP_KEY_MEMS, topo, err);
	return r;
}
