/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/cgroup on a fake hierarchy in a temporary directory: path checks,
 * the v2 subtree_control handling, the effective file names of each
 * version, rollback of what a failed create made, /proc parsing. The real
 * kernel is exercised by tests/integration/test_cgroup.sh. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cpulist.h"

struct fake {
	char dir[64];    /* the temporary directory */
	char mount[96];  /* DIR/cg: the fake hierarchy */
	char proc[96];   /* DIR/proc: the fake procfs */
	struct np_cgroup *cg;
	struct np_err err;
};

/* Write `content` into DIR/REL, making the directories on the way. */
static void put(struct fake *f, const char *rel, const char *content)
{
	_cleanup_free_ char *path = NULL;
	FILE *fp;

	assert_true(asprintf(&path, "%s/%s", f->dir, rel) > 0);
	for (char *s = strchr(path + strlen(f->dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

/* The content of DIR/REL, or NULL when it does not exist. */
static char *get(struct fake *f, const char *rel)
{
	_cleanup_free_ char *path = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_true(asprintf(&path, "%s/%s", f->dir, rel) > 0);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	if (getdelim(&buf, &len, '\0', fp) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(fp);
	return buf;
}

static bool exists(struct fake *f, const char *rel)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", f->dir, rel) > 0);
	return access(path, F_OK) == 0;
}

static void expect_file(struct fake *f, const char *rel, const char *want)
{
	_cleanup_free_ char *got = get(f, rel);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state, enum np_cgroup_version version)
{
	struct fake *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/np-cgroup-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->mount, sizeof(f->mount), "%s/cg", f->dir);
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->dir);
	mkdir(f->mount, 0755);
	mkdir(f->proc, 0755);
	if (np_cgroup_open_at(f->mount, version, f->proc, &f->cg, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int setup_v1(void **state)
{
	return setup(state, NP_CGROUP_V1);
}

static int setup_v2(void **state)
{
	return setup(state, NP_CGROUP_V2);
}

static int teardown(void **state)
{
	struct fake *f = *state;

	np_cgroup_close(f->cg);
	np_err_clear(&f->err);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct np_cgroup_placement placement(const char *cpus, const char *mems, bool migrate)
{
	struct np_cgroup_placement pl = { .memory_migrate = migrate };

	assert_int_equal(np_cpulist_parse(cpus, NP_CPULIST_KERNEL, &pl.cpus, NULL), 0);
	assert_int_equal(np_cpulist_parse(mems, NP_CPULIST_KERNEL, &pl.mems, NULL), 0);
	return pl;
}

static void expect_err(struct fake *f, int r, int code, const char *part)
{
	assert_int_equal(r, code);
	assert_int_equal(f->err.code, code);
	assert_non_null(f->err.msg);
	if (!strstr(f->err.msg, part))
		fail_msg("error \"%s\" lacks \"%s\"", f->err.msg, part);
	np_err_clear(&f->err);
}

/* A v2 group that exists with cpuset files, as the kernel would show it. */
static void v2_group(struct fake *f, const char *group, const char *enabled,
		     const char *cpus, const char *effective)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "cg/%s/cgroup.controllers", group);
	put(f, rel, "cpuset cpu io memory pids\n");
	snprintf(rel, sizeof(rel), "cg/%s/cgroup.subtree_control", group);
	put(f, rel, enabled);
	snprintf(rel, sizeof(rel), "cg/%s/cgroup.procs", group);
	put(f, rel, "");
	snprintf(rel, sizeof(rel), "cg/%s/cpuset.cpus", group);
	put(f, rel, cpus);
	snprintf(rel, sizeof(rel), "cg/%s/cpuset.mems", group);
	put(f, rel, "");
	snprintf(rel, sizeof(rel), "cg/%s/cpuset.cpus.effective", group);
	put(f, rel, effective);
	snprintf(rel, sizeof(rel), "cg/%s/cpuset.mems.effective", group);
	put(f, rel, "0\n");
}

/* Parent paths are checked component by component; guest names with
 * np_name_validate; nothing reaches the file system. */
static void test_create_refuses_bad_paths(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);
	static const char *const parents[] = { "", "/abs", "a//b", "a/", "../x", "a/../b",
					       "a/.hidden", "a/cgroup.procs", "a/b c" };
	static const char *const guests[] = { "", "..", "a/b", "tasks", "-x", "cpuset.cpus" };

	for (size_t i = 0; i < NP_ARRAY_SIZE(parents); i++) {
		int r = np_cgroup_create(f->cg, parents[i], "g", &pl, 0, &f->err);

		assert_int_equal(r, -EINVAL);
		assert_true(f->err.input);
		np_err_clear(&f->err);
	}
	for (size_t i = 0; i < NP_ARRAY_SIZE(guests); i++) {
		assert_int_equal(np_cgroup_create(f->cg, "numaplace", guests[i], &pl, 0, &f->err), -EINVAL);
		assert_true(f->err.input);
		np_err_clear(&f->err);
	}
	assert_false(exists(f, "cg/a"));
	assert_false(exists(f, "cg/numaplace"));
}

/* Attach mode: no root group, no absolute path, no "..", no empty component. */
static void test_apply_refuses_bad_groups(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);
	static const char *const groups[] = { "", "/lxc.payload.c1", "..", "a/../b", "a//b",
					      "a/", "./a", "a b", "a\nb" };

	for (size_t i = 0; i < NP_ARRAY_SIZE(groups); i++) {
		assert_int_equal(np_cgroup_apply(f->cg, groups[i], &pl, &f->err), -EINVAL);
		assert_true(f->err.input);
		assert_null(strchr(f->err.msg, '\n'));
		np_err_clear(&f->err);
	}
}

static void test_refuses_empty_sets(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);

	np_cpuset_zero(&pl.mems);
	expect_err(f, np_cgroup_create(f->cg, "numaplace", "g", &pl, 0, &f->err), -EINVAL, "mems");
	pl = placement("0", "0", true);
	np_cpuset_zero(&pl.cpus);
	expect_err(f, np_cgroup_apply(f->cg, "x", &pl, &f->err), -EINVAL, "cpus");
	assert_false(exists(f, "cg/numaplace"));
}

/* v2: +cpuset goes into every ancestor's subtree_control that lacks it,
 * and only there. The fake kernel makes no cpuset files in a new group, so
 * the write of cpuset.cpus fails: the guest group goes, the ancestors that
 * existed stay. */
static void test_v2_enables_cpuset_in_ancestors(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0-1", "0", true);

	v2_group(f, "", "cpu memory\n", "", "0-3\n");
	v2_group(f, "a", "", "", "0-3\n");
	v2_group(f, "a/b", "cpuset\n", "", "0-3\n");
	expect_err(f, np_cgroup_create(f->cg, "a/b", "g", &pl, 0, &f->err), -ENOENT,
		   "cgroup a/b/g: cpuset.cpus: No such file or directory");
	expect_file(f, "cg/cgroup.subtree_control", "+cpuset");
	expect_file(f, "cg/a/cgroup.subtree_control", "+cpuset");
	expect_file(f, "cg/a/b/cgroup.subtree_control", "cpuset\n");
	assert_false(exists(f, "cg/a/b/g"));
	assert_true(exists(f, "cg/a/b"));
}

/* v2: an ancestor this call made is removed again when a later step fails
 * (here its own subtree_control, which the fake kernel did not make). */
static void test_v2_rollback_removes_made_ancestors(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);

	v2_group(f, "", "cpuset\n", "", "0-3\n");
	expect_err(f, np_cgroup_create(f->cg, "numaplace.slice/x", "g", &pl, 0, &f->err), -ENOENT,
		   "cgroup numaplace.slice: cgroup.subtree_control");
	assert_false(exists(f, "cg/numaplace.slice"));
	expect_file(f, "cg/cgroup.subtree_control", "cpuset\n");
}

static void test_v2_cpuset_unavailable(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);

	put(f, "cg/cgroup.controllers", "cpu io memory\n");
	put(f, "cg/cgroup.subtree_control", "");
	expect_err(f, np_cgroup_create(f->cg, "numaplace.slice", "g", &pl, 0, &f->err), -ENOENT,
		   "cpuset controller is not available");
	expect_file(f, "cg/cgroup.subtree_control", "");
	assert_false(exists(f, "cg/numaplace.slice"));
}

/* v2 checks the effective files: the kernel takes cpus outside the
 * parent's and silently narrows them. Failure puts the old values back. */
static void test_v2_apply_checks_effective(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0-3", "0", false);

	v2_group(f, "lxc.payload.c1", "", "", "0-3\n");
	assert_int_equal(np_cgroup_apply(f->cg, "lxc.payload.c1", &pl, &f->err), 0);
	expect_file(f, "cg/lxc.payload.c1/cpuset.cpus", "0-3");
	expect_file(f, "cg/lxc.payload.c1/cpuset.mems", "0");
	assert_false(exists(f, "cg/lxc.payload.c1/cpuset.memory_migrate"));

	pl = placement("2,7", "0", false);
	expect_err(f, np_cgroup_apply(f->cg, "lxc.payload.c1", &pl, &f->err), -EINVAL,
		   "cgroup lxc.payload.c1: cpuset.cpus.effective: reads \"0-3\" after \"2,7\"");
	expect_file(f, "cg/lxc.payload.c1/cpuset.cpus", "0-3");
}

/* v1 checks the configured files and writes memory_migrate first. */
static void test_v1_apply_order_and_migrate(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/g/cpuset.cpus", "0-1\n");
	put(f, "cg/g/cpuset.mems", "0\n");
	put(f, "cg/g/cpuset.memory_migrate", "0\n");
	assert_int_equal(np_cgroup_apply(f->cg, "g", &pl, &f->err), 0);
	expect_file(f, "cg/g/cpuset.cpus", "1");
	expect_file(f, "cg/g/cpuset.memory_migrate", "1");
	pl.memory_migrate = false;
	assert_int_equal(np_cgroup_update(f->cg, "g", "..", &pl, &f->err), -EINVAL);
	np_err_clear(&f->err);
	expect_file(f, "cg/g/cpuset.memory_migrate", "1");
}

/* Point DIR/REL at `target` (a file that reads but will not hold what is
 * written, or will not be written at all). */
static void link_to(struct fake *f, const char *rel, const char *target)
{
	_cleanup_free_ char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", f->dir, rel) > 0);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/* issue 17 item 13: a failed apply gives the group back its cpus, mems and
 * memory_migrate. cpuset.mems here reads nothing back (/dev/null). */
static void test_v1_apply_restores_all(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/g/cpuset.cpus", "0-1\n");
	put(f, "cg/g/cpuset.memory_migrate", "0\n");
	link_to(f, "cg/g/cpuset.mems", "/dev/null");
	expect_err(f, np_cgroup_apply(f->cg, "g", &pl, &f->err), -EINVAL,
		   "cgroup g: cpuset.mems: reads \"\" after \"0\" was written");
	expect_file(f, "cg/g/cpuset.cpus", "0-1");
	expect_file(f, "cg/g/cpuset.memory_migrate", "0");
}

/* ... and says so when that fails too: memory_migrate here takes no write
 * (/proc/version), so neither the apply nor the restore can write it. */
static void test_v1_apply_reports_failed_restore(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/g/cpuset.cpus", "0-1\n");
	put(f, "cg/g/cpuset.mems", "0\n");
	link_to(f, "cg/g/cpuset.memory_migrate", "/proc/version");
	assert_int_equal(np_cgroup_apply(f->cg, "g", &pl, &f->err), -EIO);
	assert_non_null(strstr(f->err.msg, "cgroup g: cpuset.memory_migrate: Input/output error; "
				 "restoring the group's former cpus, mems and memory_migrate failed: "
				 "cgroup g: cpuset.memory_migrate: Input/output error"));
	assert_false(f->err.input);
	np_err_clear(&f->err);
	expect_file(f, "cg/g/cpuset.cpus", "0-1");
	expect_file(f, "cg/g/cpuset.mems", "0");
}

/* A group without cpuset.mems is refused before anything is written. */
static void test_v1_apply_reads_before_writing(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/g/cpuset.cpus", "0\n");
	put(f, "cg/g/cpuset.memory_migrate", "0\n");
	expect_err(f, np_cgroup_apply(f->cg, "g", &pl, &f->err), -ENOENT,
		   "cgroup g: cpuset.mems: No such file or directory");
	expect_file(f, "cg/g/cpuset.cpus", "0\n");
	expect_file(f, "cg/g/cpuset.memory_migrate", "0\n");
}

/* v1: a new ancestor is filled from its parent (cpus, then mems); one that
 * already has values keeps them. */
static void test_v1_fills_made_ancestors(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/cpuset.cpus", "0-3\n");
	put(f, "cg/cpuset.mems", "0\n");
	put(f, "cg/keep/cpuset.cpus", "1-2\n");
	put(f, "cg/keep/cpuset.mems", "0\n");
	/* np-a does not exist: made, then its files are missing in the fake */
	expect_err(f, np_cgroup_create(f->cg, "keep/np-a", "g", &pl, 0, &f->err), -ENOENT,
		   "cgroup keep/np-a: cpuset.cpus: No such file or directory");
	assert_false(exists(f, "cg/keep/np-a"));
	expect_file(f, "cg/keep/cpuset.cpus", "1-2\n");
}

static void test_v1_fill_copies_parent(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("1", "0", true);

	put(f, "cg/cpuset.cpus", "0-3\n");
	put(f, "cg/cpuset.mems", "0\n");
	put(f, "cg/empty/cpuset.cpus", "\n");
	put(f, "cg/empty/cpuset.mems", "\n");
	/* the guest cannot be made in the fake (no files), but the existing
	 * empty ancestor was made usable first */
	expect_err(f, np_cgroup_create(f->cg, "empty", "g", &pl, 0, &f->err), -ENOENT,
		   "cgroup empty/g: cpuset.memory_migrate");
	expect_file(f, "cg/empty/cpuset.cpus", "0-3");
	expect_file(f, "cg/empty/cpuset.mems", "0");
	assert_false(exists(f, "cg/empty/g"));
}

/* v1 after CPU 3 went offline and came back: the root has it again, the
 * ancestors lost it. Widening gives each ancestor, top-level first, what of
 * the placement its parent has; the group itself is left to apply. */
static void test_v1_widen_ancestors(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("2-3", "0-1", true);

	put(f, "cg/cpuset.cpus", "0-3\n");
	put(f, "cg/cpuset.mems", "0-1\n");
	put(f, "cg/np/cpuset.cpus", "0-2\n");
	put(f, "cg/np/cpuset.mems", "0-1\n");
	put(f, "cg/np/sub/cpuset.cpus", "1\n");
	put(f, "cg/np/sub/cpuset.mems", "0\n");
	put(f, "cg/np/sub/g/cpuset.cpus", "2\n");
	put(f, "cg/np/sub/g/cpuset.mems", "0\n");
	assert_int_equal(np_cgroup_widen(f->cg, "np/sub/g", &pl, &f->err), 0);
	expect_file(f, "cg/np/cpuset.cpus", "0-3");
	expect_file(f, "cg/np/cpuset.mems", "0-1\n");
	expect_file(f, "cg/np/sub/cpuset.cpus", "1-3");
	expect_file(f, "cg/np/sub/cpuset.mems", "0-1");
	expect_file(f, "cg/np/sub/g/cpuset.cpus", "2\n");
}

/* Only what the parent has is added; a top-level group has no ancestor to
 * widen; a bad path is refused. */
static void test_v1_widen_only_from_parent(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("3", "0", true);

	put(f, "cg/cpuset.cpus", "0-2\n");
	put(f, "cg/cpuset.mems", "0\n");
	put(f, "cg/np/cpuset.cpus", "0-1\n");
	put(f, "cg/np/cpuset.mems", "0\n");
	assert_int_equal(np_cgroup_widen(f->cg, "np/g", &pl, &f->err), 0);
	expect_file(f, "cg/np/cpuset.cpus", "0-1\n");
	assert_int_equal(np_cgroup_widen(f->cg, "np", &pl, &f->err), 0);
	expect_file(f, "cg/np/cpuset.cpus", "0-1\n");
	assert_int_equal(np_cgroup_widen(f->cg, "np/../g", &pl, &f->err), -EINVAL);
	np_err_clear(&f->err);
}

/* v2 keeps cpuset.cpus through hotplug: nothing is read or written. */
static void test_v2_widen_does_nothing(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("3", "0", true);

	assert_int_equal(np_cgroup_widen(f->cg, "np/g", &pl, &f->err), 0);
	assert_false(exists(f, "cg/np"));
}

static void test_create_existing_guest(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);

	if (np_cgroup_version(f->cg) == NP_CGROUP_V2) {
		v2_group(f, "", "cpuset\n", "", "0\n");
		v2_group(f, "numaplace", "cpuset\n", "", "0\n");
	}
	put(f, "cg/numaplace/cpuset.cpus", "0\n");
	put(f, "cg/numaplace/cpuset.mems", "0\n");
	put(f, "cg/numaplace/web1/cpuset.cpus", "0\n");
	expect_err(f, np_cgroup_create(f->cg, "numaplace", "web1", &pl, 0, &f->err), -EEXIST,
		   "cgroup numaplace/web1: mkdir: File exists");
	expect_file(f, "cg/numaplace/web1/cpuset.cpus", "0\n");
}

static void test_read_effective_files(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_state st;
	struct np_cgroup_state want;
	bool v2 = np_cgroup_version(f->cg) == NP_CGROUP_V2;

	put(f, "cg/g/cpuset.cpus", "0-3\n");
	put(f, "cg/g/cpuset.mems", "0-1\n");
	put(f, v2 ? "cg/g/cpuset.cpus.effective" : "cg/g/cpuset.effective_cpus", "2-3\n");
	put(f, v2 ? "cg/g/cpuset.mems.effective" : "cg/g/cpuset.effective_mems", "1\n");
	assert_int_equal(np_cgroup_read(f->cg, "g", &st, &f->err), 0);
	assert_int_equal(np_cpulist_parse("0-3", NP_CPULIST_KERNEL, &want.cpus, NULL), 0);
	assert_int_equal(np_cpulist_parse("0-1", NP_CPULIST_KERNEL, &want.mems, NULL), 0);
	assert_int_equal(np_cpulist_parse("2-3", NP_CPULIST_KERNEL, &want.effective_cpus, NULL), 0);
	assert_int_equal(np_cpulist_parse("1", NP_CPULIST_KERNEL, &want.effective_mems, NULL), 0);
	assert_true(np_cpuset_equal(&st.cpus, &want.cpus));
	assert_true(np_cpuset_equal(&st.mems, &want.mems));
	assert_true(np_cpuset_equal(&st.effective_cpus, &want.effective_cpus));
	assert_true(np_cpuset_equal(&st.effective_mems, &want.effective_mems));
	assert_int_equal(np_cgroup_exists(f->cg, "g", &f->err), 1);
	assert_int_equal(np_cgroup_exists(f->cg, "h", &f->err), 0);
	assert_int_equal(np_cgroup_exists(f->cg, "", &f->err), 1);
	assert_int_equal(np_cgroup_exists(f->cg, "../etc", &f->err), -EINVAL);
	np_err_clear(&f->err);
	expect_err(f, np_cgroup_read(f->cg, "h", &st, &f->err), -ENOENT, "cgroup h: cpuset.");
}

/* The v2 root has only the effective files; v1's has the configured ones. */
static void test_read_root(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_state st;
	bool v2 = np_cgroup_version(f->cg) == NP_CGROUP_V2;

	put(f, v2 ? "cg/cpuset.cpus.effective" : "cg/cpuset.effective_cpus", "0-7\n");
	put(f, v2 ? "cg/cpuset.mems.effective" : "cg/cpuset.effective_mems", "0-1\n");
	if (!v2)
		expect_err(f, np_cgroup_read(f->cg, "", &st, &f->err), -ENOENT, "cgroup /: cpuset.cpus");
	put(f, "cg/cpuset.cpus", v2 ? "" : "0-3\n");
	put(f, "cg/cpuset.mems", v2 ? "" : "0\n");
	assert_int_equal(np_cgroup_read(f->cg, "", &st, &f->err), 0);
	assert_int_equal(np_cpuset_count(&st.cpus), v2 ? 8 : 4);
	assert_int_equal(np_cpuset_count(&st.mems), v2 ? 2 : 1);
	assert_int_equal(np_cpuset_count(&st.effective_cpus), 8);
}

/* A hybrid machine's /proc/PID/cgroup: the v1 cpuset line (possibly
 * co-mounted with other controllers) versus the unified "0::" line. */
static void test_pid_group(void **state)
{
	struct fake *f = *state;
	_cleanup_free_ char *group = NULL;
	bool v2 = np_cgroup_version(f->cg) == NP_CGROUP_V2;

	put(f, "proc/42/cgroup", "5:memory:/m\n4:cpu,cpuset,cpuacct:/numaplace/web1\n0::/user.slice/x\n");
	assert_int_equal(np_cgroup_pid_group(f->cg, 42, &group, &f->err), 0);
	assert_string_equal(group, v2 ? "user.slice/x" : "numaplace/web1");
	free(group);
	group = NULL;
	put(f, "proc/43/cgroup", "3:cpuset:/\n0::/\n");
	assert_int_equal(np_cgroup_pid_group(f->cg, 43, &group, &f->err), 0);
	assert_string_equal(group, "");
	put(f, "proc/44/cgroup", "3:cpusetx:/a\n");
	assert_int_equal(np_cgroup_pid_group(f->cg, 44, &group, &f->err), -ENOENT);
	np_err_clear(&f->err);
	expect_err(f, np_cgroup_pid_group(f->cg, 45, &group, &f->err), -ESRCH, "pid 45");
	assert_string_equal(group, "");
}

static void test_tasks(void **state)
{
	struct fake *f = *state;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 99;

	put(f, "cg/g/cgroup.procs", "12\n345\n");
	assert_int_equal(np_cgroup_tasks(f->cg, "g", &pids, &n, &f->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 345);
	free(pids);
	pids = NULL;
	put(f, "cg/h/cgroup.procs", "");
	assert_int_equal(np_cgroup_tasks(f->cg, "h", &pids, &n, &f->err), 0);
	assert_int_equal(n, 0);
	put(f, "cg/i/cgroup.procs", "12\nx\n");
	expect_err(f, np_cgroup_tasks(f->cg, "i", &pids, &n, &f->err), -EBADMSG, "cgroup i: cgroup.procs");
}

/* A PID in cgroup.procs is plain digits, 1 .. INT_MAX: nothing wraps
 * ("4294967297" is not pid 1), nothing is skipped. */
static void test_tasks_strict(void **state)
{
	static const char *const bad[] = {
		"4294967297", "2147483648", "99999999999999999999", "0", "-1", "+12", " 12",
		"12 ", "12\n\n13",
	};
	struct fake *f = *state;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	put(f, "cg/j/cgroup.procs", "2147483647\n1\n");
	assert_int_equal(np_cgroup_tasks(f->cg, "j", &pids, &n, &f->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 2147483647);
	assert_int_equal(pids[1], 1);
	for (size_t i = 0; i < NP_ARRAY_SIZE(bad); i++) {
		free(pids);
		pids = NULL;
		put(f, "cg/j/cgroup.procs", bad[i]);
		if (np_cgroup_tasks(f->cg, "j", &pids, &n, &f->err) != -EBADMSG)
			fail_msg("accepted cgroup.procs %s", bad[i]);
		assert_non_null(strstr(f->err.msg, "cgroup j: cgroup.procs"));
		assert_null(pids);
		np_err_clear(&f->err);
	}
}

/* Removal: a missing group is success; live tasks refuse it (a zombie does
 * not count); the PID of a dead process given to create is refused before
 * anything is made. */
static void test_remove(void **state)
{
	struct fake *f = *state;
	struct np_cgroup_placement pl = placement("0", "0", true);

	assert_int_equal(np_cgroup_remove(f->cg, "numaplace", "gone", false, &f->err), 0);
	put(f, "cg/numaplace/busy/cgroup.procs", "77\n");
	put(f, "proc/77/stat", "77 (sleep (1)) S 1 77 77 0 -1\n");
	expect_err(f, np_cgroup_remove(f->cg, "numaplace", "busy", false, &f->err), -EBUSY,
		   "cgroup numaplace/busy: it holds 1 live task (pid 77)");
	assert_true(exists(f, "cg/numaplace/busy"));
	put(f, "proc/77/stat", "77 (sleep (1)) Z 1 77 77 0 -1\n");
	expect_err(f, np_cgroup_remove(f->cg, "numaplace", "busy", false, &f->err), -ENOTEMPTY,
		   "cgroup numaplace/busy: rmdir");
	expect_err(f, np_cgroup_create(f->cg, "numaplace", "g", &pl, 4242, &f->err), -ESRCH,
		   "cgroup numaplace/g: pid 4242: No such process");
	assert_false(exists(f, "cg/numaplace/g"));
}

static void test_open_at_checks(void **state)
{
	struct fake *f = *state;
	struct np_cgroup *cg = NULL;

	assert_int_equal(np_cgroup_open_at(f->mount, 3, f->proc, &cg, &f->err), -EINVAL);
	np_err_clear(&f->err);
	assert_int_equal(np_cgroup_open_at("", NP_CGROUP_V1, f->proc, &cg, &f->err), -EINVAL);
	np_err_clear(&f->err);
	assert_null(cg);
	assert_string_equal(np_cgroup_mount(f->cg), f->mount);
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_v1, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_v2, teardown)
#define V1(t) cmocka_unit_test_setup_teardown(t, setup_v1, teardown)
#define V2(t) cmocka_unit_test_setup_teardown(t, setup_v2, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_create_refuses_bad_paths),
		BOTH(test_apply_refuses_bad_groups),
		BOTH(test_refuses_empty_sets),
		V2(test_v2_enables_cpuset_in_ancestors),
		V2(test_v2_rollback_removes_made_ancestors),
		V2(test_v2_cpuset_unavailable),
		V2(test_v2_apply_checks_effective),
		V1(test_v1_apply_order_and_migrate),
		V1(test_v1_apply_reads_before_writing),
		V1(test_v1_apply_restores_all),
		V1(test_v1_apply_reports_failed_restore),
		V1(test_v1_fills_made_ancestors),
		V1(test_v1_fill_copies_parent),
		V1(test_v1_widen_ancestors),
		V1(test_v1_widen_only_from_parent),
		V2(test_v2_widen_does_nothing),
		BOTH(test_create_existing_guest),
		BOTH(test_read_effective_files),
		BOTH(test_read_root),
		BOTH(test_pid_group),
		BOTH(test_tasks),
		BOTH(test_tasks_strict),
		BOTH(test_remove),
		BOTH(test_open_at_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
