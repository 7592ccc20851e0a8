/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/policy: loading the INI policy with drop-ins, resolving guests, and
 * every kind of problem reported at its exact FILE:LINE. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "cpulist.h"
#include "policy.h"
#include "topology.h"

/* A scratch directory holding `numaplace.conf` and `numaplace.conf.d/`. */
struct fx {
	char *dir;
	char *main;
	char *dropins;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char tmpl[] = "/tmp/np-policy-XXXXXX";

	assert_non_null(fx);
	assert_non_null(mkdtemp(tmpl));
	fx->dir = strdup(tmpl);
	assert_true(asprintf(&fx->main, "%s/numaplace.conf", tmpl) > 0);
	assert_true(asprintf(&fx->dropins, "%s/numaplace.conf.d", tmpl) > 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx->dir);
	free(fx->main);
	free(fx->dropins);
	free(fx);
	return 0;
}

static void write_raw(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_main(struct fx *fx, const char *text)
{
	write_raw(fx->main, text, strlen(text));
}

/* Write drop-in `name`; returns its path (freed by the caller). */
static char *write_dropin(struct fx *fx, const char *name, const char *text)
{
	char *path = NULL;

	mkdir(fx->dropins, 0755);
	assert_true(asprintf(&path, "%s/%s", fx->dropins, name) > 0);
	write_raw(path, text, strlen(text));
	return path;
}

/* Load and expect success; no diagnostic at all. */
static struct np_policy *load_ok(struct fx *fx)
{
	struct np_diags diags = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_policy *p = NULL;
	int r = np_policy_load(fx->main, false, &p, &diags, &err);

	if (r < 0)
		fail_msg("load failed: %s", err.msg);
	assert_int_equal(diags.n, 0);
	assert_non_null(p);
	return p;
}

/* Load and expect failure, with *out untouched; diags returned. */
static void load_fail(struct fx *fx, struct np_diags *diags, struct np_err *err)
{
	struct np_policy *sentinel = (struct np_policy *)(uintptr_t)0x1;
	struct np_policy *p = sentinel;

	assert_int_equal(np_policy_load(fx->main, false, &p, diags, err), -EINVAL);
	assert_ptr_equal(p, sentinel);
	assert_true(err->input);
	assert_true(diags->n > 0);
}

static struct np_settings resolve(const struct np_policy *p, const char *name)
{
	struct np_err err = NP_ERR_INIT;
	struct np_settings s;

	if (np_policy_resolve(p, name, &s, &err) < 0)
		fail_msg("resolve %s: %s", name, err.msg);
	return s;
}

/* The file name part after the scratch dir, "" for NULL. */
static const char *tail(const struct fx *fx, const char *file)
{
	size_t n = strlen(fx->dir);

	if (!file)
		return "";
	return strncmp(file, fx->dir, n) == 0 ? file + n + 1 : file;
}

static void assert_origin(const struct fx *fx, const struct np_settings *s, enum np_key key,
			  const char *file, unsigned line)
{
	assert_string_equal(tail(fx, s->origin[key].file), file);
	assert_int_equal(s->origin[key].line, line);
}

/* Exactly one diagnostic at FILE (relative to the scratch dir):LINE, and
 * its message contains `what`. */
static void assert_diag(const struct fx *fx, const struct np_diags *d, const char *file,
			unsigned line, const char *what)
{
	unsigned found = 0;

	for (unsigned i = 0; i < d->n; i++) {
		if (strcmp(tail(fx, d->items[i].file), file) != 0 || d->items[i].line != line)
			continue;
		found++;
		if (!strstr(d->items[i].msg, what))
			fail_msg("%s:%u: \"%s\" lacks \"%s\"", file, line, d->items[i].msg, what);
	}
	if (found != 1)
		fail_msg("%u diagnostics at %s:%u (wanted 1 with \"%s\")", found, file, line, what);
}

static void free_result(struct np_diags *d, struct np_err *err)
{
	np_diags_clear(d);
	np_err_clear(err);
}

/* --- defaults, missing files --- */

static void test_defaults(void **state)
{
	struct np_policy *p = NULL;
	struct np_settings s;

	(void)state;
	assert_int_equal(np_policy_defaults(&p, NULL), 0);
	s = resolve(p, "anything");
	assert_int_equal(s.advisor, NP_ADVISOR_BUILTIN);
	assert_int_equal(s.fallback, NP_FALLBACK_BUILTIN);
	assert_string_equal(s.numad, "numad");
	assert_int_equal(s.numad_timeout_ms, 5000);
	assert_int_equal(s.strategy, NP_STRATEGY_PACK);
	assert_false(s.exclusive);
	assert_int_equal(s.memory_mode, NP_MEMORY_STRICT);
	assert_true(s.memory_migrate);
	assert_null(s.cgroup_parent);
	assert_int_equal(s.lock_timeout_ms, 30000);
	assert_int_equal(s.on_no_fit, NP_NO_FIT_FAIL);
	assert_int_equal(s.cpu_overcommit_pct, 100);
	assert_int_equal(s.memory_overcommit_pct, 100);
	assert_int_equal(s.vcpus, 0);
	assert_int_equal(s.memory, 0);
	assert_false(s.has_cpus);
	assert_false(s.has_mems);
	assert_null(s.rule);
	for (int k = 0; k < NP_KEY_COUNT; k++)
		assert_null(s.origin[k].file);
	np_policy_free(p);
}

static void test_missing_main(void **state)
{
	struct fx *fx = *state;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_policy *p = load_ok(fx);
	unsigned n;

	np_policy_files(p, &n);
	assert_int_equal(n, 0);
	np_policy_free(p);
	p = NULL;
	assert_int_equal(np_policy_load(fx->main, true, &p, &d, &err), -EINVAL);
	assert_null(p);
	assert_true(err.input);
	assert_diag(fx, &d, "numaplace.conf", 0, "No such file");
	free_result(&d, &err);
}

static void test_missing_main_with_dropin(void **state)
{
	struct fx *fx = *state;
	struct np_policy *p;
	struct np_settings s;

	free(write_dropin(fx, "10-a.conf", "[placement]\nvcpus = 3\n"));
	p = load_ok(fx);
	s = resolve(p, "g");

	assert_int_equal(s.vcpus, 3);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf.d/10-a.conf", 2);
	np_policy_free(p);
}

/* --- order of files --- */

static void test_override_order(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "[placement]\nvcpus = 2\nmemory = 1G\n");
	a = write_dropin(fx, "10-a.conf", "[placement]\n\nvcpus = 3\nstrategy = spread\n");
	b = write_dropin(fx, "20-b.conf", "[placement]\nvcpus = 4\n");
	p = load_ok(fx);
	s = resolve(p, "g");
	assert_int_equal(s.vcpus, 4);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf.d/20-b.conf", 2);
	assert_int_equal(s.memory, UINT64_C(1) << 30);
	assert_origin(fx, &s, NP_KEY_MEMORY, "numaplace.conf", 3);
	assert_int_equal(s.strategy, NP_STRATEGY_SPREAD);
	assert_origin(fx, &s, NP_KEY_STRATEGY, "numaplace.conf.d/10-a.conf", 4);
	assert_origin(fx, &s, NP_KEY_ADVISOR, "", 0);
	np_policy_free(p);
}

static void test_dropin_lexical_and_ignored(void **state)
{
	struct fx *fx = *state;
	static const char *const names[] = {
		"20-b.conf", "10-a.conf", "30-c.conf.sample", "README", ".hidden.conf",
		"40-d.conf~", "9-z.conf",
	};
	const char *const *files;
	struct np_policy *p;
	struct np_settings s;
	unsigned n;

	write_main(fx, "[placement]\nvcpus = 1\n");
	for (size_t i = 0; i < NP_ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *text = NULL;

		assert_true(asprintf(&text, "[placement]\nvcpus = %zu\n", i + 2) > 0);
		free(write_dropin(fx, names[i], text));
	}
	p = load_ok(fx);
	files = np_policy_files(p, &n);
	assert_int_equal(n, 4);
	assert_string_equal(tail(fx, files[0]), "numaplace.conf");
	assert_string_equal(tail(fx, files[1]), "numaplace.conf.d/10-a.conf");
	assert_string_equal(tail(fx, files[2]), "numaplace.conf.d/20-b.conf");
	assert_string_equal(tail(fx, files[3]), "numaplace.conf.d/9-z.conf");
	s = resolve(p, "g");
	assert_int_equal(s.vcpus, 8); /* 9-z.conf sorts last, byte-wise */
	np_policy_free(p);
}

/* --- matching --- */

static const char rules[] =
	"[placement]\n"
	"memory = 2G\n"
	"[guest db1]\n"
	"vcpus = 1\n"
	"[guest db*]\n"
	"vcpus = 2\n"
	"[guest *]\n"
	"vcpus = 3\n"
	"strategy = spread\n"
	"[guest web-?]\n"
	"vcpus = 4\n";

static void test_exact_beats_glob(void **state)
{
	struct fx *fx = *state;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, rules);
	p = load_ok(fx);
	s = resolve(p, "db1");
	assert_int_equal(s.vcpus, 1);
	assert_string_equal(s.rule, "db1");
	assert_int_equal(s.memory, UINT64_C(2) << 30);
	assert_origin(fx, &s, NP_KEY_MEMORY, "numaplace.conf", 2);
	np_policy_free(p);
}

static void test_last_glob_wins(void **state)
{
	struct fx *fx = *state;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, rules);
	p = load_ok(fx);
	s = resolve(p, "db2"); /* db* and *: * came later */
	assert_int_equal(s.vcpus, 3);
	assert_string_equal(s.rule, "*");
	s = resolve(p, "web-1"); /* web-? came last */
	assert_int_equal(s.vcpus, 4);
	assert_string_equal(s.rule, "web-?");
	assert_int_equal(s.strategy, NP_STRATEGY_PACK); /* rules do not stack */
	assert_int_equal(s.memory, UINT64_C(2) << 30);
	s = resolve(p, "web-10"); /* ? is one character */
	assert_int_equal(s.vcpus, 3);
	np_policy_free(p);
}

static void test_reopened_section_keeps_position(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "[guest *]\nvcpus = 1\n[guest web-*]\nvcpus = 2\n");
	a = write_dropin(fx, "50-a.conf", "[guest *]\nmemory = 1G\n");
	p = load_ok(fx);
	s = resolve(p, "web-1");
	assert_int_equal(s.vcpus, 2);
	assert_string_equal(s.rule, "web-*");
	assert_int_equal(s.memory, 0);
	s = resolve(p, "other");
	assert_int_equal(s.vcpus, 1);
	assert_int_equal(s.memory, UINT64_C(1) << 30);
	assert_origin(fx, &s, NP_KEY_MEMORY, "numaplace.conf.d/50-a.conf", 2);
	np_policy_free(p);
}

/* The "done when": a drop-in changing vcpus for [guest web-*]. */
static void test_dropin_changes_web_not_db(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "[placement]\nvcpus = 1\n[guest web-*]\nvcpus = 4\nmemory = 8G\n"
		   "[guest db1]\nadvisor = static\ncpus = 2-3\nmems = 0\n");
	a = write_dropin(fx, "60-web.conf", "[guest web-*]\nvcpus = 6\n");
	p = load_ok(fx);
	s = resolve(p, "web-1");
	assert_int_equal(s.vcpus, 6);
	assert_int_equal(s.memory, UINT64_C(8) << 30);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf.d/60-web.conf", 2);
	s = resolve(p, "db1");
	assert_int_equal(s.vcpus, 1);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf", 2);
	assert_int_equal(s.advisor, NP_ADVISOR_STATIC);
	assert_int_equal(np_cpuset_count(&s.cpus), 2);
	assert_true(np_cpuset_has(&s.cpus, 2) && np_cpuset_has(&s.cpus, 3));
	np_policy_free(p);
}

static void test_resolve_rejects_bad_name(void **state)
{
	struct np_err err = NP_ERR_INIT;
	struct np_policy *p = NULL;
	struct np_settings s;

	(void)state;
	assert_int_equal(np_policy_defaults(&p, NULL), 0);
	assert_int_equal(np_policy_resolve(p, "../etc", &s, &err), -EINVAL);
	assert_true(err.input);
	np_err_clear(&err);
	np_policy_free(p);
}

/* --- errors, each at its exact line --- */

struct error_row {
	const char *text;
	unsigned line;
	const char *what;
};

static const struct error_row error_rows[] = {
	{ "[placement]\n[frob]\n", 2, "unknown section \"frob\"" },
	{ "[placement]\nvcpu = 2\n", 2, "unknown key \"vcpu\"" },
	{ "vcpus = 2\n", 1, "before any section" },
	{ "[placement]\njunk\n", 2, "expected KEY = VALUE" },
	{ "[placement]\nvcpus = 2\n  memory = 1G\n", 3, "indented line" },
	{ "[placement]\n\tvcpus = 2\n", 2, "indented line" },
	{ "[guest web[1]\nvcpus = 1\n", 1, "'[' in a section name" },
	{ "[guest web]1]\n", 1, "']' in a section name" },
	{ "[guest web] x\n", 1, "text after the section header" },
	{ "[guest web ;x]\n", 1, "without its closing ']'" },
	{ "[guest web\n", 1, "without its closing ']'" },
	{ "[guest]\n", 1, "needs a guest name" },
	{ "[guest .web*]\n", 1, "must not start with '.'" },
	{ "[guest cgroup.*]\n", 1, "cgroup." },
	{ "[guest we/b*]\n", 1, "only A-Z" },
	{ "[guest tasks]\n", 1, "reserved" },
	{ "[placement]\nadvisor = magic\n", 2, "advisor: invalid value \"magic\": expected builtin, numad or static" },
	{ "[placement]\nfallback = numad\n", 2, "expected builtin, static or none" },
	{ "[placement]\nstrategy = fill\n", 2, "expected pack or spread" },
	{ "[placement]\nmemory-mode = bind\n", 2, "expected strict, preferred or interleave" },
	{ "[placement]\non-no-fit = wait\n", 2, "expected fail or spread" },
	{ "[placement]\nexclusive = maybe\n", 2, "expected yes or no" },
	{ "[placement]\nmemory-migrate = 2\n", 2, "expected yes or no" },
	{ "[placement]\nmemory = 8X\n", 2, "memory: invalid size \"8X\"" },
	{ "[placement]\nmemory = 0\n", 2, "more than 0" },
	{ "[placement]\nnumad-timeout = 5x\n", 2, "invalid duration" },
	{ "[placement]\nnumad-timeout = 0\n", 2, "between 1ms and 24h" },
	{ "[placement]\nlock-timeout = 25h\n", 2, "between 0 and 24h" },
	{ "[placement]\ncpus = 0-x\n", 2, "cpus: invalid" },
	{ "[placement]\ncpus = ,\n", 2, "empty" },
	{ "[placement]\nmems = 3-1\n", 2, "mems: invalid" },
	{ "[placement]\nvcpus = 0\n", 2, "between 1 and" },
	{ "[placement]\nvcpus = 4 # four\n", 2, "'#' starts a comment" },
	{ "[placement]\nvcpus =\n", 2, "empty value" },
	{ "[placement]\n= 4\n", 2, "missing key" },
	{ "[placement]\ncpu-overcommit = 1.234\n", 2, "at most 2 decimals" },
	{ "[placement]\nmemory-overcommit = 0\n", 2, "0.01 to 100" },
	{ "[placement]\ncpu-overcommit = 101\n", 2, "0.01 to 100" },
	{ "[placement]\ncpu-overcommit = .5\n", 2, "0.01 to 100" },
	{ "[placement]\ncpu-overcommit = 1.\n", 2, "0.01 to 100" },
	{ "[placement]\ncgroup-parent = /numaplace\n", 2, "relative" },
	{ "[placement]\ncgroup-parent = a//b\n", 2, "empty path component" },
	{ "[placement]\ncgroup-parent = a/\n", 2, "empty path component" },
	{ "[placement]\ncgroup-parent = a/../b\n", 2, "each component must be a valid name" },
	{ "[placement]\ncgroup-parent = a/cpuset.x\n", 2, "cpuset." },
	{ "[placement]\nnumad = bin/numad\n", 2, "absolute path or a command name" },
	{ "[placement]\nnumad = numad -v\n", 2, "options cannot be given here" },
	{ "[placement]\nvcpus = 1\x01\n", 2, "control character '\\x01' in column 10" },
	{ "[placement]\nadvisor = static\n", 2, "advisor = static needs cpus" },
	{ "[guest db1]\nfallback = static\n", 2, "fallback = static needs cpus" },
	{ "[guest db1]\nadvisor = static\nmems = 0\n", 2, "advisor = static needs cpus" },
	{ "[frob]\n\nvcpu = 1\n", 3, "unknown key \"vcpu\"" }, /* checked under a bad header */
};

static void test_each_error_line(void **state)
{
	struct fx *fx = *state;

	for (size_t i = 0; i < NP_ARRAY_SIZE(error_rows); i++) {
		struct np_diags d = { 0 };
		struct np_err err = NP_ERR_INIT;

		write_main(fx, error_rows[i].text);
		load_fail(fx, &d, &err);
		assert_diag(fx, &d, "numaplace.conf", error_rows[i].line, error_rows[i].what);
		assert_int_equal(d.n, i + 1 == NP_ARRAY_SIZE(error_rows) ? 2 : 1);
		assert_non_null(strstr(err.msg, "numaplace.conf:"));
		free_result(&d, &err);
	}
}

static void test_static_with_cpus_is_fine(void **state)
{
	struct fx *fx = *state;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "[placement]\ncpus = 0-1\n[guest db1]\nadvisor = static\n"
		   "[guest db2]\nfallback = static\ncpus = 1\n");
	p = load_ok(fx);
	s = resolve(p, "db1");
	assert_int_equal(s.advisor, NP_ADVISOR_STATIC);
	assert_int_equal(np_cpuset_count(&s.cpus), 2);
	assert_origin(fx, &s, NP_KEY_CPUS, "numaplace.conf", 2);
	s = resolve(p, "db2");
	assert_int_equal(s.fallback, NP_FALLBACK_STATIC);
	assert_int_equal(np_cpuset_count(&s.cpus), 1);
	np_policy_free(p);
}

static void test_duplicate_key(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_policy *p;

	/* The same key in another file is an override, not a duplicate. */
	write_main(fx, "[guest a]\nvcpus = 2\n");
	a = write_dropin(fx, "10-a.conf", "[guest a]\nvcpus = 3\n");
	p = load_ok(fx);
	assert_int_equal(resolve(p, "a").vcpus, 3);
	np_policy_free(p);
	/* Twice in one file, even in a re-opened section, is an error naming both. */
	write_main(fx, "[guest a]\nvcpus = 2\n[placement]\nvcpus = 1\n[guest a]\nvcpus = 2\n");
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 1);
	assert_diag(fx, &d, "numaplace.conf", 6, "vcpus given twice in this section (first on line 2)");
	free_result(&d, &err);
}

static void test_long_line(void **state)
{
	struct fx *fx = *state;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	char text[512];
	struct np_policy *p;
	int n;

	/* 199 bytes: "numad = /" and 190 more. */
	n = snprintf(text, sizeof(text), "[placement]\nnumad = /%0190d\r\n", 0);
	assert_int_equal(n, 12 + 199 + 2);
	write_main(fx, text);
	p = load_ok(fx);
	assert_int_equal(strlen(resolve(p, "g").numad), 191);
	np_policy_free(p);
	/* 200 bytes is an error, not a cut value, and the next line counts right. */
	snprintf(text, sizeof(text), "[placement]\nnumad = /%0191d\nvcpu = 1\n", 0);
	write_main(fx, text);
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 2);
	assert_diag(fx, &d, "numaplace.conf", 2, "line of 200 bytes: inih reads at most 199");
	assert_diag(fx, &d, "numaplace.conf", 3, "unknown key");
	free_result(&d, &err);
}

static void test_long_section_name(void **state)
{
	struct fx *fx = *state;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	char text[256];
	struct np_policy *p;

	/* "guest " + 43 = 49 bytes: kept whole. */
	snprintf(text, sizeof(text), "[guest %043d]\nvcpus = 2\n", 7);
	write_main(fx, text);
	p = load_ok(fx);
	snprintf(text, sizeof(text), "%043d", 7);
	assert_int_equal(resolve(p, text).vcpus, 2);
	np_policy_free(p);
	/* 50 bytes: inih would cut it to 49. */
	snprintf(text, sizeof(text), "[placement]\n[guest %044d]\nvcpus = 2\n", 7);
	write_main(fx, text);
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 1);
	assert_diag(fx, &d, "numaplace.conf", 2, "section name of 50 bytes: inih keeps only 49");
	free_result(&d, &err);
}

/* --- encodings, comments, empty files --- */

static void test_crlf_and_bom(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "\xEF\xBB\xBF[placement]\r\nvcpus = 2\r\n\r\n; c\r\n"
				   "[guest a*]\r\nmemory = 1G\r\nbogus = 1\r\n";
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_policy *p;
	struct np_settings s;

	write_raw(fx->main, text, strlen(text) - strlen("bogus = 1\r\n"));
	p = load_ok(fx);
	s = resolve(p, "ab");
	assert_int_equal(s.vcpus, 2);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf", 2);
	assert_int_equal(s.memory, UINT64_C(1) << 30);
	assert_origin(fx, &s, NP_KEY_MEMORY, "numaplace.conf", 6);
	np_policy_free(p);
	write_raw(fx->main, text, strlen(text));
	load_fail(fx, &d, &err);
	assert_diag(fx, &d, "numaplace.conf", 7, "unknown key \"bogus\"");
	free_result(&d, &err);
}

static void test_nul_byte(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "[placement]\nvcpus = 1\0x\nmemory = 1G\n";
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;

	write_raw(fx->main, text, sizeof(text) - 1);
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 1);
	assert_diag(fx, &d, "numaplace.conf", 2, "control character '\\0' in column 10");
	free_result(&d, &err);
}

static void test_comments(void **state)
{
	struct fx *fx = *state;
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "# hash comment\n; semicolon comment\n[placement] ; after a header\n"
		   "vcpus = 3 ; inline\n#vcpus = 9\n;vcpus = 9\n    # indented comment\n"
		   "numad = /opt/a;b#c\ncpus = 0-3:1/2\n");
	p = load_ok(fx);
	s = resolve(p, "g");
	assert_int_equal(s.vcpus, 3);
	assert_origin(fx, &s, NP_KEY_VCPUS, "numaplace.conf", 4);
	assert_string_equal(s.numad, "/opt/a;b#c");
	assert_int_equal(np_cpuset_count(&s.cpus), 2);
	assert_true(np_cpuset_has(&s.cpus, 0) && np_cpuset_has(&s.cpus, 2));
	np_policy_free(p);
}

static void test_empty_files(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct np_policy *p;
	unsigned n;

	write_main(fx, "");
	a = write_dropin(fx, "10-empty.conf", "");
	b = write_dropin(fx, "20-comments.conf", "# nothing\n\n[guest x]\n");
	p = load_ok(fx);
	np_policy_files(p, &n);
	assert_int_equal(n, 3);
	assert_int_equal(resolve(p, "x").vcpus, 0);
	assert_string_equal(resolve(p, "x").rule, "x");
	np_policy_free(p);
}

static void test_values(void **state)
{
	struct fx *fx = *state;
	static const struct { enum np_key key; const char *want; } rows[] = {
		{ NP_KEY_ADVISOR, "numad" }, { NP_KEY_FALLBACK, "none" },
		{ NP_KEY_NUMAD, "/usr/bin/numad" }, { NP_KEY_NUMAD_TIMEOUT, "500ms" },
		{ NP_KEY_STRATEGY, "spread" }, { NP_KEY_EXCLUSIVE, "yes" },
		{ NP_KEY_MEMORY_MODE, "interleave" }, { NP_KEY_MEMORY_MIGRATE, "no" },
		{ NP_KEY_CGROUP_PARENT, "machine.slice/np" }, { NP_KEY_LOCK_TIMEOUT, "2m" },
		{ NP_KEY_ON_NO_FIT, "spread" }, { NP_KEY_CPU_OVERCOMMIT, "1.25" },
		{ NP_KEY_MEMORY_OVERCOMMIT, "0.5" }, { NP_KEY_VCPUS, "16" },
		{ NP_KEY_MEMORY, "1536M" }, { NP_KEY_CPUS, "0-3,8" }, { NP_KEY_MEMS, "0-1" },
	};
	struct np_policy *p;
	struct np_settings s;

	write_main(fx, "[placement]\nadvisor = numad\nfallback = none\nnumad = /usr/bin/numad\n"
		   "numad-timeout = 500ms\nstrategy = spread\nexclusive = TRUE\n"
		   "memory-mode = interleave\nmemory-migrate = off\n"
		   "cgroup-parent = machine.slice/np\nlock-timeout = 120\non-no-fit = spread\n"
		   "cpu-overcommit = 1.25\nmemory-overcommit = 0.50\nvcpus = 16\n"
		   "memory = 1536M\ncpus = 0-2,3,8\nmems = 0,1\n");
	p = load_ok(fx);
	s = resolve(p, "g");
	assert_int_equal(s.cpu_overcommit_pct, 125);
	assert_int_equal(s.memory_overcommit_pct, 50);
	assert_int_equal(s.lock_timeout_ms, 120000);
	for (size_t i = 0; i < NP_ARRAY_SIZE(rows); i++) {
		_cleanup_free_ char *v = np_settings_value(&s, rows[i].key);

		assert_string_equal(v, rows[i].want);
		assert_origin(fx, &s, rows[i].key, "numaplace.conf", (unsigned)i + 2);
	}
	np_policy_free(p);
}

/* --- all problems at once, all or nothing --- */

static void test_all_problems_one_run(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;

	write_main(fx, "[placement]\nvcpus = x\n[nope]\n");
	a = write_dropin(fx, "10-a.conf", "[guest web-*]\nmemory = lots\n");
	b = write_dropin(fx, "20-b.conf", "\n\n[guest db1]\nadvisor = static\n  cpus = 1\n");
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 5);
	assert_diag(fx, &d, "numaplace.conf", 2, "vcpus: invalid count");
	assert_diag(fx, &d, "numaplace.conf", 3, "unknown section");
	assert_diag(fx, &d, "numaplace.conf.d/10-a.conf", 2, "memory: invalid size");
	assert_diag(fx, &d, "numaplace.conf.d/20-b.conf", 5, "indented line");
	assert_diag(fx, &d, "numaplace.conf.d/20-b.conf", 4, "advisor = static needs cpus");
	/* In file order, then line order, whichever check found them. */
	for (unsigned i = 0; i < d.n; i++)
		assert_int_equal(d.items[i].line, ((const unsigned[]){ 2, 3, 2, 4, 5 })[i]);
	assert_string_equal(tail(fx, d.items[3].file), "numaplace.conf.d/20-b.conf");
	assert_non_null(strstr(err.msg, "numaplace.conf:2: vcpus: invalid count"));
	assert_non_null(strstr(err.msg, "(and 4 more problems)"));
	free_result(&d, &err);
}

static void test_all_or_nothing(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL;
	struct np_diags d = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_policy *good;

	write_main(fx, "[guest web-*]\nvcpus = 4\n");
	good = load_ok(fx);
	a = write_dropin(fx, "50-bad.conf", "[guest web-*]\nvcpus = 6\nmemory = 1Q\n");
	load_fail(fx, &d, &err);
	assert_int_equal(d.n, 1);
	assert_diag(fx, &d, "numaplace.conf.d/50-bad.conf", 3, "memory");
	assert_int_equal(resolve(good, "web-1").vcpus, 4);
	free_result(&d, &err);
	np_policy_free(good);
}

/* --- the machine --- */

/* Two nodes: 0 with CPUs 0-3, 1 with CPUs 4-7. */
static void make_topology(struct np_topology *t, struct np_node nodes[2])
{
	memset(t, 0, sizeof(*t));
	memset(nodes, 0, 2 * sizeof(*nodes));
	for (unsigned i = 0; i < 2; i++) {
		nodes[i].id = i;
		np_cpuset_add_range(&nodes[i].cpus, 4 * i, 4 * i + 3);
		np_cpuset_add(&t->node_ids, i);
	}
	np_cpuset_add_range(&t->cpus, 0, 7);
	t->nnodes = 2;
	t->nodes = nodes;
}

static void test_machine_check(void **state)
{
	struct fx *fx = *state;
	struct np_err err = NP_ERR_INIT;
	struct np_diags d = { 0 };
	struct np_node nodes[2];
	struct np_topology t;
	struct np_policy *p;
	struct np_settings s;

	make_topology(&t, nodes);
	write_main(fx, "[placement]\ncpus = 0-7\n[guest big]\ncpus = 4-11\nmems = 0-2\n"
		   "[guest ok]\ncpus = 4-5\nmems = 1\n");
	p = load_ok(fx);
	assert_int_equal(np_policy_check_machine(p, &t, &d, &err), 2);
	assert_int_equal(d.n, 2);
	assert_true(d.items[0].warning && d.items[1].warning);
	assert_diag(fx, &d, "numaplace.conf", 4, "cpus: CPUs 8-11 are not on this machine (it has 0-7)");
	assert_diag(fx, &d, "numaplace.conf", 5, "mems: node 2 is not on this machine (it has 0-1)");
	s = resolve(p, "big");
	assert_int_equal(np_settings_check_machine(&s, &t, &err), -EINVAL);
	assert_true(err.input);
	assert_non_null(strstr(err.msg, "numaplace.conf:4): CPUs 8-11 are not on this machine"));
	np_err_clear(&err);
	s = resolve(p, "ok");
	assert_int_equal(np_settings_check_machine(&s, &t, &err), 0);
	s = resolve(p, "other");
	assert_int_equal(np_settings_check_machine(&s, &t, &err), 0);
	free_result(&d, &err);
	np_policy_free(p);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(np_key_name(NP_KEY_NUMAD_TIMEOUT), "numad-timeout");
	assert_string_equal(np_key_name(NP_KEY_MEMORY_OVERCOMMIT), "memory-overcommit");
	assert_string_equal(np_advisor_name(NP_ADVISOR_STATIC), "static");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_missing_main),
		T(test_missing_main_with_dropin),
		T(test_override_order),
		T(test_dropin_lexical_and_ignored),
		T(test_exact_beats_glob),
		T(test_last_glob_wins),
		T(test_reopened_section_keeps_position),
		T(test_dropin_changes_web_not_db),
		T(test_resolve_rejects_bad_name),
		T(test_each_error_line),
		T(test_static_with_cpus_is_fine),
		T(test_duplicate_key),
		T(test_long_line),
		T(test_long_section_name),
		T(test_crlf_and_bom),
		T(test_nul_byte),
		T(test_comments),
		T(test_empty_files),
		T(test_values),
		T(test_all_problems_one_run),
		T(test_all_or_nothing),
		T(test_machine_check),
		T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
