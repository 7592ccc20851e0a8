/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a policy: the main file, then its drop-ins, then the checks that
 * need every file; all problems collected, all or nothing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "policy_priv.h"

/* Open `path` for reading without blocking on a FIFO (O_NONBLOCK does
 * nothing to a regular file's reads). NULL with errno set on failure. */
static FILE *np_load_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* Read one file; a missing one is fine unless `required`. */
static void np_load_file(struct np_load *ld, const char *path, bool required)
{
	_cleanup_fclose_ FILE *f = np_load_open(path);
	struct stat st;
	unsigned index;

	ld->rank = ld->policy->nfiles;
	if (!f) {
		if (errno != ENOENT || required)
			np_read_error(ld, path, 0, "cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		np_read_error(ld, path, 0, "not a regular file");
		return;
	}
	if (np_policy_add_file(ld->policy, path, &index) < 0) {
		ld->fatal = -ENOMEM;
		return;
	}
	np_read_stream(ld, f, index);
}

/* Drop-ins: names ending in ".conf", hidden files aside. */
static int np_dropin_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

/* Byte order, whatever the locale. */
static int np_dropin_compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void np_load_dropins(struct np_load *ld, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	struct dirent **names = NULL;
	int n;

	if (asprintf(&dir, "%s.d", path) < 0) {
		ld->fatal = -ENOMEM;
		return;
	}
	n = scandir(dir, &names, np_dropin_filter, np_dropin_compare);
	if (n < 0) {
		if (errno != ENOENT)
			np_read_error(ld, dir, 0, "cannot read the drop-in directory: %s",
				      strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *file = NULL;

		if (!ld->fatal && asprintf(&file, "%s/%s", dir, names[i]->d_name) < 0)
			ld->fatal = -ENOMEM;
		if (!ld->fatal)
			np_load_file(ld, file, true);
		free(names[i]);
	}
	free(names);
}

/* Index of `file` (a string the policy owns) among the files read. */
static unsigned np_load_file_rank(const struct np_policy *p, const char *file)
{
	unsigned i = 0;

	while (i < p->nfiles && p->files[i] != file)
		i++;
	return i;
}

/* `advisor = static` (or `fallback = static`) needs cpus from the same
 * section or from [placement]: a guest's cpus can come from nowhere else. */
static void np_load_check_static(struct np_load *ld)
{
	const struct np_policy *p = ld->policy;

	if (p->sections[0]->set[NP_KEY_CPUS])
		return;
	for (unsigned i = 0; i < p->nsections; i++) {
		const struct np_section *sec = p->sections[i];
		const struct np_origin *o;

		if (sec->set[NP_KEY_CPUS])
			continue;
		if (sec->set[NP_KEY_ADVISOR] && sec->values.advisor == NP_ADVISOR_STATIC) {
			o = &sec->values.origin[NP_KEY_ADVISOR];
			ld->rank = np_load_file_rank(p, o->file);
			np_read_error(ld, o->file, o->line, "advisor = static needs cpus, "
				      "in this section or in [placement]");
		}
		if (sec->set[NP_KEY_FALLBACK] && sec->values.fallback == NP_FALLBACK_STATIC) {
			o = &sec->values.origin[NP_KEY_FALLBACK];
			ld->rank = np_load_file_rank(p, o->file);
			np_read_error(ld, o->file, o->line, "fallback = static needs cpus, "
				      "in this section or in [placement]");
		}
	}
}

/* A diagnostic with what orders it: its file's rank, its line, then the
 * order it was found in. */
struct np_ranked {
	unsigned rank;
	unsigned seq;
	struct np_diag diag;
};

static int np_ranked_compare(const void *pa, const void *pb)
{
	const struct np_ranked *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->diag.line != b->diag.line)
		return a->diag.line < b->diag.line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Put the problems in file order, then line order (the checks made after
 * reading every file add theirs at the end). */
static void np_load_sort(struct np_load *ld)
{
	struct np_ranked *r = calloc(ld->diags.n, sizeof(*r));

	if (!r)
		return;
	for (unsigned i = 0; i < ld->diags.n; i++)
		r[i] = (struct np_ranked){ ld->ranks[i], i, ld->diags.items[i] };
	qsort(r, ld->diags.n, sizeof(*r), np_ranked_compare);
	for (unsigned i = 0; i < ld->diags.n; i++)
		ld->diags.items[i] = r[i].diag;
	free(r);
}

/* The input error for a failed load: its first problem, and how many more. */
static int np_load_summary(const struct np_load *ld, struct np_err *err)
{
	const struct np_diag *d = &ld->diags.items[0];
	_cleanup_free_ char *where = NULL;
	unsigned more = ld->nerrors - 1;
	int r;

	r = d->line ? asprintf(&where, "%s:%u", d->file, d->line) : asprintf(&where, "%s", d->file);
	if (r < 0)
		return np_err_set(err, -ENOMEM, "policy: out of memory");
	if (more)
		return np_err_input(err, "%s: %s (and %u more problem%s)", where, d->msg, more,
				    more == 1 ? "" : "s");
	return np_err_input(err, "%s: %s", where, d->msg);
}

static int np_load_finish(struct np_load *ld, struct np_policy **out, struct np_diags *diags,
			  struct np_err *err)
{
	int r = 0;

	if (!ld->fatal && ld->nerrors) {
		np_load_sort(ld);
		r = np_load_summary(ld, err);
	}
	free(ld->ranks);
	if (np_diags_move(diags, &ld->diags) < 0)
		ld->fatal = -ENOMEM;
	if (ld->fatal)
		r = np_err_set(err, ld->fatal, "policy: out of memory");
	if (r < 0) {
		np_policy_free(ld->policy);
		return r;
	}
	*out = ld->policy;
	return 0;
}

int np_policy_load(const char *path, bool path_required, struct np_policy **out,
		   struct np_diags *diags, struct np_err *err)
{
	struct np_load ld = { 0 };

	if (np_policy_new(&ld.policy) < 0)
		return np_err_set(err, -ENOMEM, "policy: out of memory");
	if (!path)
		path = NP_DEFAULT_CONFIG;
	np_load_file(&ld, path, path_required);
	if (!ld.fatal)
		np_load_dropins(&ld, path);
	if (!ld.fatal)
		np_load_check_static(&ld);
	return np_load_finish(&ld, out, diags, err);
}
