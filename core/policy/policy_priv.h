/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_POLICY_PRIV_H
#define NUMAPLACE_POLICY_PRIV_H

/*
 * Shared by the files of the policy module only (policy.c: the policy
 * object, resolution and checks; policy_keys.c: the schema's keys and
 * values; policy_format.c: printing values; policy_load.c: files and
 * drop-ins; policy_read.c: one file through inih). Not for other modules.
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy.h"

/* One section: [placement] (pattern NULL) or [guest PATTERN]. The same
 * section opened again, in any file, is this same object. */
struct np_section {
	char *pattern;
	bool glob;                          /* pattern holds `*` or `?` */
	bool set[NP_KEY_COUNT];             /* the key has a valid value here */
	char *text[NP_KEY_COUNT];           /* that value as written (owned) */
	unsigned seen_file[NP_KEY_COUNT];   /* 1 + index of the last file naming the key */
	unsigned seen_line[NP_KEY_COUNT];   /* its line in that file */
	struct np_settings values;          /* the fields of the keys set here */
};

struct np_policy {
	unsigned nfiles;
	char **files;
	unsigned nsections;
	struct np_section **sections;       /* [0] is [placement]; rules by first appearance */
};

/* --- policy.c --- */

/* An empty policy: no file, [placement] with nothing set. -ENOMEM. */
int np_policy_new(struct np_policy **out);

/* A section outside any policy, with nothing set (for checking the keys
 * under a header that was wrong). -ENOMEM. */
int np_section_new(struct np_section **out);

/* Forget every key of `sec`. */
void np_section_clear(struct np_section *sec);

/* Free a section; NULL is fine. */
void np_section_free(struct np_section *sec);

/* Record `path` as a file read; *index gets its index. -ENOMEM. */
int np_policy_add_file(struct np_policy *policy, const char *path, unsigned *index);

/* The section for `pattern` (NULL: [placement]), created at the end of the
 * order when new. -ENOMEM. */
int np_policy_section(struct np_policy *policy, const char *pattern, struct np_section **out);

/* Parse `text` as the value of `key` and store it in `sec` as set on `line`
 * of file `file` (an index). Input error (without the key's name) on a bad
 * value, leaving `sec` as it was; -ENOMEM. */
int np_section_set(struct np_policy *policy, struct np_section *sec, enum np_key key,
		   const char *text, unsigned file, unsigned line, struct np_err *err);

/* Append a diagnostic ("FILE:LINE: MSG"; line 0 for a whole file). -ENOMEM. */
int np_diags_vadd(struct np_diags *diags, const char *file, unsigned line, bool warning,
		  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Move every item of `from` to the end of `to` (NULL: just free them).
 * `from` is empty afterwards, even on -ENOMEM. */
int np_diags_move(struct np_diags *to, struct np_diags *from);

/* --- policy_load.c --- */

/* One load: the policy being built and every problem found so far
 * (policy_load.c runs it, policy_read.c feeds it). */
struct np_load {
	struct np_policy *policy;
	struct np_diags diags;
	unsigned nerrors;
	unsigned *ranks;  /* per diagnostic: index of its file among those read */
	unsigned ranks_cap;
	unsigned rank;    /* the rank of the file being read */
	int fatal;        /* -ENOMEM: stop and fail */
};

/* --- policy_read.c --- */

/* Record an error at FILE:LINE (line 0: the whole file); sets ld->fatal
 * when out of memory. */
void np_read_verror(struct np_load *ld, const char *file, unsigned line,
		    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void np_read_error(struct np_load *ld, const char *file, unsigned line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Feed the open file `f`, the policy's file number `index`, to inih: its
 * sections and keys go into ld->policy, its problems into `ld`. */
void np_read_stream(struct np_load *ld, FILE *f, unsigned index);

/* --- policy_keys.c --- */

/* The key spelled `name`, or -1 when the schema has none. */
int np_key_lookup(const char *name);

/* Parse `text` as the value of `key` into its field(s) of `dst` (strings
 * point at `text`). Input error "invalid …" naming the text otherwise. */
int np_key_parse(enum np_key key, const char *text, struct np_settings *dst,
		 struct np_err *err);

/* Copy the field(s) of `key` and its origin from `src` to `dst`. */
void np_settings_take(struct np_settings *dst, const struct np_settings *src, enum np_key key);

/* The name of value `v` of an enumerated key ("spread" for strategy 1);
 * NULL for a key that is not an enumeration. */
const char *np_key_value_name(enum np_key key, unsigned v);

#endif
