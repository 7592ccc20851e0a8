/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_POLICY_H
#define NUMAPLACE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"
#include "mempolicy.h"
#include "paths.h"

/*
 * The INI placement policy (docs/contract.md "Policy"): a main file plus the drop-ins
 * `FILE.d/NAME.conf` in lexical order, sections `[placement]` and
 * `[guest PATTERN]`, parsed with inih, validated all-or-nothing.
 *
 * Syntax beyond inih's, decided here: a comment is a line starting with `#`
 * or `;` (blanks before it allowed), or ` ;` after a value; `#` after a
 * blank inside a value is an error (inih would keep it in the value); any
 * other line starting with a blank is an error (inih would join it to the
 * previous value); control bytes other than tab are errors; CRLF endings
 * and a UTF-8 BOM are fine. A PATTERN holding `*` or `?` is a glob and must
 * otherwise be a valid guest name (no `[` or `]`); without them it is an
 * exact name. An empty value is an error. The same key twice in one file
 * and section is an error; in a later file it overrides.
 */
enum np_advisor_kind { NP_ADVISOR_BUILTIN, NP_ADVISOR_NUMAD, NP_ADVISOR_STATIC };
enum np_fallback { NP_FALLBACK_BUILTIN, NP_FALLBACK_STATIC, NP_FALLBACK_NONE };
enum np_strategy { NP_STRATEGY_PACK, NP_STRATEGY_SPREAD };
enum np_on_no_fit { NP_NO_FIT_FAIL, NP_NO_FIT_SPREAD };

/* Every key of the schema; indexes into np_settings.origin. */
enum np_key {
	NP_KEY_ADVISOR,
	NP_KEY_FALLBACK,
	NP_KEY_NUMAD,
	NP_KEY_NUMAD_TIMEOUT,
	NP_KEY_STRATEGY,
	NP_KEY_EXCLUSIVE,
	NP_KEY_MEMORY_MODE,
	NP_KEY_MEMORY_MIGRATE,
	NP_KEY_CGROUP_PARENT,
	NP_KEY_LOCK_TIMEOUT,
	NP_KEY_ON_NO_FIT,
	NP_KEY_CPU_OVERCOMMIT,
	NP_KEY_MEMORY_OVERCOMMIT,
	NP_KEY_VCPUS,
	NP_KEY_MEMORY,
	NP_KEY_CPUS,
	NP_KEY_MEMS,
	NP_KEY_COUNT
};

/* Where a resolved value came from: FILE:LINE, or file NULL for a built-in default. */
struct np_origin {
	const char *file; /* owned by the policy; valid while it lives */
	unsigned line;
};

/* A guest's resolved settings. Strings point into the policy. */
struct np_settings {
	enum np_advisor_kind advisor;
	enum np_fallback fallback;
	const char *numad;           /* path of the numad binary */
	uint64_t numad_timeout_ms;
	enum np_strategy strategy;
	bool exclusive;
	enum np_memory_mode memory_mode;
	bool memory_migrate;
	const char *cgroup_parent;   /* NULL: the default for the hierarchy in use */
	uint64_t lock_timeout_ms;
	enum np_on_no_fit on_no_fit;
	unsigned cpu_overcommit_pct;    /* 100 = 1.0; the key accepts up to 2 decimals,
					 * 0.01 .. 100 (below 1 keeps headroom) */
	unsigned memory_overcommit_pct;
	unsigned vcpus;              /* 0: not set */
	uint64_t memory;             /* bytes; 0: not set */
	bool has_cpus;
	struct np_cpuset cpus;       /* static cpuset, or the pool for other advisors */
	bool has_mems;
	struct np_cpuset mems;
	const char *rule;            /* the matching [guest …] pattern, NULL when none */
	struct np_origin origin[NP_KEY_COUNT];
};

/* One problem found while loading: "FILE:LINE: message". */
struct np_diag {
	char *file;
	unsigned line;
	bool warning;
	char *msg;
};

struct np_diags {
	unsigned n;
	unsigned cap;           /* room in items; grows by doubling */
	struct np_diag *items;
};

struct np_policy;
struct np_topology;

/* Longest section name (between the brackets) inih 55 keeps whole; a
 * longer one is an error here. Lines are limited to what inih's line buffer
 * holds (199 bytes in inih 55, line ending and BOM not counted). */
#define NP_POLICY_SECTION_MAX 49

/*
 * Load `path` and then each `path.d/NAME.conf` in byte order (other names
 * and hidden files are ignored). `path` NULL means NP_DEFAULT_CONFIG (paths.h).
 * When `path_required` is true (the user named the file), a missing main
 * file is an input error; else a missing main file (and a missing drop-in
 * directory) is fine and gives the built-in defaults. Every problem of
 * every file is appended to `diags` (may be NULL) as FILE:LINE (line 0: the
 * whole file); any of them makes this fail with an input error quoting the
 * first ("FILE:LINE: MSG (and N more problems)") and `*out` untouched:
 * never half a policy. `advisor = static` or `fallback = static` in a
 * section without `cpus` is an error unless [placement] sets `cpus`.
 */
int np_policy_load(const char *path, bool path_required, struct np_policy **out,
		   struct np_diags *diags, struct np_err *err);

/* The policy of built-in defaults only (no file at all). */
int np_policy_defaults(struct np_policy **out, struct np_err *err);

/* Free a policy; NULL is fine. */
void np_policy_free(struct np_policy *policy);

/* Resolve the settings of guest `name`: built-in defaults, then
 * [placement], then the one matching rule (exact name, else the glob whose
 * section appeared last). Does not check against any machine. */
int np_policy_resolve(const struct np_policy *policy, const char *name,
		      struct np_settings *out, struct np_err *err);

/* The [placement] settings: built-in defaults overridden by [placement]
 * alone, no rule applied (what `check-config --verbose` shows). */
void np_policy_placement(const struct np_policy *policy, struct np_settings *out);

/* The built-in defaults (docs/contract.md "Policy"), origins all unset. */
void np_settings_defaults(struct np_settings *s);

/* The files read, main file first then drop-ins in the order read; `*n` gets
 * their number. The strings live as long as the policy. */
const char *const *np_policy_files(const struct np_policy *policy, unsigned *n);

/*
 * Check every [placement] and [guest …] section against this machine: each
 * `cpus` naming CPUs it lacks and each `mems` naming nodes it lacks adds a
 * warning (at the key's FILE:LINE) to `diags`. Such a rule stays loadable:
 * it fails only the guests it matches, see np_settings_check_machine().
 * Returns the number of warnings added, or -ENOMEM.
 */
int np_policy_check_machine(const struct np_policy *policy, const struct np_topology *topo,
			    struct np_diags *diags, struct np_err *err);

/* Check one guest's resolved settings against this machine: `cpus` must be
 * CPUs it has and `mems` nodes it has. Input error naming the key, where it
 * was set and the missing members otherwise. */
int np_settings_check_machine(const struct np_settings *s, const struct np_topology *topo,
			      struct np_err *err);

/* Name of a key ("numad-timeout") and of enum values, for printing. */
const char *np_key_name(enum np_key key);
const char *np_advisor_name(enum np_advisor_kind kind);

/* The value of `key` in `s` as the policy file would spell it ("5s", "8G",
 * "0-3", "1.5", "yes"); "" for a key that is not set (vcpus, memory, cpus,
 * mems, cgroup-parent). Heap string the caller frees, NULL when out of memory. */
char *np_settings_value(const struct np_settings *s, enum np_key key);

/* Free every diagnostic and reset the list. */
void np_diags_clear(struct np_diags *diags);

#endif
