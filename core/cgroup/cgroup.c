/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handle, and writing cpus then mems into a group with a read-back. */
#include "cgroup_internal.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"

int np_cgroup_new(const char *mount, enum np_cgroup_version version, const char *proc,
		  const struct np_cgroup_backend *backend, struct np_cgroup **out,
		  struct np_err *err)
{
	struct np_cgroup *cg;

	if (version != NP_CGROUP_V1 && version != NP_CGROUP_V2)
		return np_err_input(err, "cgroup: unknown version %d", (int)version);
	if (!mount || !*mount || !proc || !*proc)
		return np_err_input(err, "cgroup: the mount point and the proc root must be given");
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return np_err_set(err, -ENOMEM, "cgroup: out of memory");
	cg->mount = strdup(mount);
	cg->proc = strdup(proc);
	cg->ops = version == NP_CGROUP_V1 ? &np_cgroup_v1_ops : &np_cgroup_v2_ops;
	cg->backend = backend;
	if (!cg->mount || !cg->proc) {
		np_cgroup_close(cg);
		return np_err_set(err, -ENOMEM, "cgroup: out of memory");
	}
	*out = cg;
	return 0;
}

int np_cgroup_open_at(const char *mount, enum np_cgroup_version version,
		      const char *proc, struct np_cgroup **out, struct np_err *err)
{
	return np_cgroup_new(mount, version, proc, &np_cgroup_fs_backend, out, err);
}

void np_cgroup_close(struct np_cgroup *cg)
{
	if (!cg)
		return;
	free(cg->mount);
	free(cg->proc);
	free(cg);
}

enum np_cgroup_version np_cgroup_version(const struct np_cgroup *cg)
{
	return cg->ops->version;
}

const char *np_cgroup_mount(const struct np_cgroup *cg)
{
	return cg->mount;
}

/* Write the set `s` into `group`/`file` through the backend. */
static int np_cgroup_write_set(struct np_cgroup *cg, const char *group, const char *file,
			       const struct np_cpuset *s, struct np_err *err)
{
	_cleanup_free_ char *text = np_cpulist_format(s);

	if (!text)
		return np_cgroup_fail(err, -ENOMEM, group, file);
	return cg->backend->write(cg, group, file, text, err);
}

/* Check that `group`/`file` reads back as `want`. */
static int np_cgroup_verify_set(struct np_cgroup *cg, const char *group, const char *file,
				const struct np_cpuset *want, struct np_err *err)
{
	_cleanup_free_ char *got_text = NULL;
	_cleanup_free_ char *want_text = NULL;
	struct np_cpuset got;
	int r;

	r = np_cgroup_read_set(cg, group, file, &got, err);
	if (r < 0 || np_cpuset_equal(&got, want))
		return r;
	got_text = np_cpulist_format(&got);
	want_text = np_cpulist_format(want);
	return np_err_set(err, -EINVAL, "cgroup %s: %s: reads \"%s\" after \"%s\" was written",
			  group, file, got_text ? got_text : "?", want_text ? want_text : "?");
}

int np_cgroup_check_placement(const struct np_cgroup_placement *pl, struct np_err *err)
{
	if (np_cpuset_empty(&pl->cpus))
		return np_err_input(err, "cgroup: the cpus to write are empty");
	if (np_cpuset_empty(&pl->mems))
		return np_err_input(err, "cgroup: the mems to write are empty");
	return 0;
}

int np_cgroup_write_placement(struct np_cgroup *cg, const char *group,
			      const struct np_cgroup_placement *pl, struct np_err *err)
{
	int r;

	r = cg->ops->set_migrate(cg, group, pl->memory_migrate, err);
	if (r == 0)
		r = np_cgroup_write_set(cg, group, "cpuset.cpus", &pl->cpus, err);
	if (r == 0)
		r = np_cgroup_write_set(cg, group, "cpuset.mems", &pl->mems, err);
	if (r == 0)
		r = np_cgroup_verify_set(cg, group, cg->ops->verify_cpus, &pl->cpus, err);
	if (r == 0)
		r = np_cgroup_verify_set(cg, group, cg->ops->verify_mems, &pl->mems, err);
	return r;
}

/* What a group held before np_cgroup_apply wrote into it. */
struct np_cgroup_saved {
	char *cpus;
	char *mems;
	bool migrate;   /* v1 cpuset.memory_migrate; v2 has none */
};

static void np_cgroup_saved_clear(struct np_cgroup_saved *old)
{
	free(old->cpus);
	free(old->mems);
}

static int np_cgroup_save(struct np_cgroup *cg, const char *group, struct np_cgroup_saved *old,
			  struct np_err *err)
{
	_cleanup_free_ char *migrate = NULL;
	int r;

	r = np_cgroup_fs_read(cg, group, "cpuset.cpus", &old->cpus, err);
	if (r == 0)
		r = np_cgroup_fs_read(cg, group, "cpuset.mems", &old->mems, err);
	if (r == 0 && cg->ops->version == NP_CGROUP_V1)
		r = np_cgroup_fs_read(cg, group, "cpuset.memory_migrate", &migrate, err);
	if (r == 0)
		old->migrate = migrate && strcmp(migrate, "1") == 0;
	return r;
}

/* Put back the cpus, mems and memory_migrate saved before a failed write,
 * each whatever became of the others; a step that fails is added to `err`
 * (its code kept: the failure being undone). */
static void np_cgroup_restore(struct np_cgroup *cg, const char *group,
			      const struct np_cgroup_saved *old, struct np_err *err)
{
	struct np_err first = NP_ERR_INIT, more = NP_ERR_INIT;
	bool input;

	cg->backend->write(cg, group, "cpuset.cpus", old->cpus, &first);
	cg->backend->write(cg, group, "cpuset.mems", old->mems, first.code ? &more : &first);
	np_err_clear(&more);
	cg->ops->set_migrate(cg, group, old->migrate, first.code ? &more : &first);
	np_err_clear(&more);
	if (first.code == 0 || !err || err->code == 0) {
		np_err_clear(&first);
		return;
	}
	input = err->input;
	np_err_set(err, err->code, "%s; restoring the group's former cpus, mems and "
		   "memory_migrate failed: %s", err->msg, first.msg);
	err->input = input;
	np_err_clear(&first);
}

int np_cgroup_apply(struct np_cgroup *cg, const char *group,
		    const struct np_cgroup_placement *pl, struct np_err *err)
{
	struct np_cgroup_saved old = { 0 };
	int r;

	r = np_cgroup_check_group(group, err);
	if (r == 0)
		r = np_cgroup_check_placement(pl, err);
	if (r == 0)
		r = np_cgroup_save(cg, group, &old, err);
	if (r == 0) {
		r = np_cgroup_write_placement(cg, group, pl, err);
		if (r < 0)
			np_cgroup_restore(cg, group, &old, err);
	}
	np_cgroup_saved_clear(&old);
	return r;
}

int np_cgroup_update(struct np_cgroup *cg, const char *parent, const char *guest,
		     const struct np_cgroup_placement *pl, struct np_err *err)
{
	_cleanup_free_ char *group = NULL;
	int r;

	r = np_cgroup_join(parent, guest, &group, err);
	if (r < 0)
		return r;
	return np_cgroup_apply(cg, group, pl, err);
}

int np_cgroup_widen(struct np_cgroup *cg, const char *group,
		    const struct np_cgroup_placement *pl, struct np_err *err)
{
	int r = np_cgroup_check_group(group, err);

	if (r < 0)
		return r;
	for (const char *p = strchr(group, '/'); p; p = strchr(p + 1, '/')) {
		_cleanup_free_ char *prefix = strndup(group, (size_t)(p - group));
		_cleanup_free_ char *up = prefix ? np_cgroup_dirname(prefix) : NULL;

		if (!up)
			return np_cgroup_fail(err, -ENOMEM, group, "widen");
		r = cg->ops->widen(cg, prefix, up, pl, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int np_cgroup_attach(struct np_cgroup *cg, const char *group, pid_t pid,
		     struct np_err *err)
{
	_cleanup_free_ char *now = NULL;
	int r = np_cgroup_check_group(group, err);

	if (r == 0)
		r = np_cgroup_pid_group(cg, pid, &now, err);
	if (r < 0 || strcmp(now, group) == 0)
		return r;
	return np_cgroup_move(cg, group, pid, err);
}

int np_cgroup_exists(struct np_cgroup *cg, const char *group, struct np_err *err)
{
	int r;

	if (*group) {
		r = np_cgroup_check_group(group, err);
		if (r < 0)
			return r;
	}
	r = np_cgroup_dir_exists(cg, group);
	if (r < 0)
		return np_cgroup_fail(err, r, group, "stat");
	return r;
}

int np_cgroup_read(struct np_cgroup *cg, const char *group,
		   struct np_cgroup_state *out, struct np_err *err)
{
	struct np_cgroup_state st;
	bool configured = *group || cg->ops->root_configurable;
	int r;

	r = *group ? np_cgroup_check_group(group, err) : 0;
	if (r == 0)
		r = np_cgroup_read_set(cg, group, cg->ops->effective_cpus, &st.effective_cpus, err);
	if (r == 0)
		r = np_cgroup_read_set(cg, group, cg->ops->effective_mems, &st.effective_mems, err);
	st.cpus = st.effective_cpus;
	st.mems = st.effective_mems;
	if (r == 0 && configured)
		r = np_cgroup_read_set(cg, group, "cpuset.cpus", &st.cpus, err);
	if (r == 0 && configured)
		r = np_cgroup_read_set(cg, group, "cpuset.mems", &st.mems, err);
	if (r == 0)
		*out = st;
	return r;
}
