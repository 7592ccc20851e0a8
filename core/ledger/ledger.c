/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ledger_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "fileio.h"
#include "name.h"

#define NP_LEDGER_LOCK_FILE ".lock"
#define NP_LEDGER_SUFFIX ".json"

static void np_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_closedir_ __attribute__((cleanup(np_closedirp)))

/* ---- open and close ---- */

static int np_ledger_open_dir(struct np_ledger *l, struct np_err *err)
{
	if (!l->opts.read_only && mkdir(l->dir, 0755) < 0 && errno != EEXIST)
		return np_err_set(err, -errno, "state dir %s: %s", l->dir, strerror(errno));
	l->dirfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd >= 0)
		return 0;
	if (errno == ENOENT && l->opts.read_only)
		return 0;
	if (errno == ENOTDIR)
		return np_err_set(err, -ENOTDIR, "state dir %s: not a directory", l->dir);
	return np_err_set(err, -errno, "state dir %s: %s", l->dir, strerror(errno));
}

int np_ledger_open(const char *dir, const struct np_ledger_options *opts,
		   struct np_ledger **out, struct np_err *err)
{
	struct np_ledger *l;
	int r;

	if (!dir || !dir[0])
		return np_err_input(err, "state dir: empty path");
	l = calloc(1, sizeof(*l));
	if (!l || !(l->dir = strdup(dir))) {
		free(l);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	l->dirfd = -1;
	l->lockfd = -1;
	l->genfd = -1;
	if (opts)
		l->opts = *opts;
	r = np_ledger_open_dir(l, err);
	if (r < 0) {
		np_ledger_close(l);
		return r;
	}
	*out = l;
	return 0;
}

void np_ledger_close(struct np_ledger *ledger)
{
	if (!ledger)
		return;
	np_ledger_unlock(ledger);
	if (ledger->dirfd >= 0)
		close(ledger->dirfd);
	free(ledger->dir);
	free(ledger);
}

const char *np_ledger_dir(const struct np_ledger *ledger)
{
	return ledger->dir;
}

void np_ledger_pause(const struct np_ledger *ledger, const char *point)
{
	if (ledger->opts.pause)
		ledger->opts.pause(point, ledger->opts.pause_data);
}

/* ---- the lock ---- */

/* The PID the holder wrote into the lock file, or 0 when it is not there. */
static long np_lock_holder(int fd)
{
	char buf[24];
	char *end;
	ssize_t n;
	long pid;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || end == buf || pid <= 0 || (*end != '\n' && *end != '\0'))
		return 0;
	return pid;
}

static int np_lock_timed_out(const struct np_ledger *l, int fd, struct np_err *err)
{
	uint64_t ms = l->opts.lock_timeout_ms;
	long holder = np_lock_holder(fd);
	char after[32];

	if (ms % 1000u == 0)
		snprintf(after, sizeof(after), "%llus", (unsigned long long)(ms / 1000u));
	else
		snprintf(after, sizeof(after), "%llums", (unsigned long long)ms);
	if (holder > 0)
		return np_err_set(err, -ETIMEDOUT, "timed out after %s waiting for the ledger "
				  "lock held by pid %ld", after, holder);
	return np_err_set(err, -ETIMEDOUT, "timed out after %s waiting for the ledger lock "
			  "held by an unknown process", after);
}

static int np_lock_write_pid(int fd)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	errno = 0;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return errno ? -errno : -EIO;
	return 0;
}

int np_ledger_lock(struct np_ledger *ledger, struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (ledger->opts.read_only)
		return np_err_set(err, -EROFS, "state dir %s: opened read-only", ledger->dir);
	if (ledger->lockfd >= 0)
		return np_err_set(err, -EBUSY, "state dir %s: the lock is already held",
				  ledger->dir);
	fd = openat(ledger->dirfd, NP_LEDGER_LOCK_FILE,
		    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
	if (fd < 0)
		return np_err_set(err, -errno, "%s/%s: %s", ledger->dir, NP_LEDGER_LOCK_FILE,
				  strerror(errno));
	r = np_clock_flock_until(fd, np_clock_deadline_ms(ledger->opts.lock_timeout_ms));
	if (r == -EWOULDBLOCK)
		return np_lock_timed_out(ledger, fd, err);
	if (r < 0)
		return np_err_set(err, r, "%s/%s: flock: %s", ledger->dir, NP_LEDGER_LOCK_FILE,
				  strerror(-r));
	/* The PID is only a hint for the message of a waiter that times out:
	 * a full state file system (ENOSPC) must not stop release or
	 * reconcile, which only free room. */
	(void)np_lock_write_pid(fd);
	ledger->lockfd = np_steal_fd(&fd);
	r = np_ledger_gen_load(ledger, err);
	if (r < 0) {
		np_ledger_unlock(ledger);
		return r;
	}
	np_ledger_pause(ledger, "after-lock");
	return 0;
}

void np_ledger_unlock(struct np_ledger *ledger)
{
	if (ledger->lockfd < 0)
		return;
	np_ledger_gen_close(ledger);
	/* Only a hint for waiters: the lock is released whatever this does. */
	(void)!ftruncate(ledger->lockfd, 0);
	flock(ledger->lockfd, LOCK_UN);
	close(ledger->lockfd);
	ledger->lockfd = -1;
}

bool np_ledger_locked(const struct np_ledger *ledger)
{
	return ledger->lockfd >= 0;
}

static int np_ledger_need_lock(const struct np_ledger *l, struct np_err *err)
{
	if (l->opts.read_only)
		return np_err_set(err, -EROFS, "state dir %s: opened read-only", l->dir);
	if (l->lockfd < 0)
		return np_err_set(err, -ENOLCK, "state dir %s: changed without holding the lock",
				  l->dir);
	return 0;
}

/* ---- reading ---- */

/* Open FILE in the state dir as a regular file for reading. A symbolic
 * link, a directory or a device is -EBADMSG (not a record). */
static int np_ledger_open_file(const struct np_ledger *l, const char *file, struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (l->dirfd < 0)
		return np_err_set(err, -ENOENT, "%s/%s: %s", l->dir, file, strerror(ENOENT));
	fd = openat(l->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return np_err_set(err, -EBADMSG, "%s/%s: a symbolic link, not a regular file", l->dir,
				  file);
	if (fd < 0)
		return np_err_set(err, -errno, "%s/%s: %s", l->dir, file, strerror(errno));
	if (fstat(fd, &st) < 0)
		return np_err_set(err, -errno, "%s/%s: %s", l->dir, file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return np_err_set(err, -EBADMSG, "%s/%s: not a regular file", l->dir, file);
	return np_steal_fd(&fd);
}

/* Read and parse FILE, the record of guest `name`. */
static int np_ledger_read_file(const struct np_ledger *l, const char *name, const char *file,
			       struct np_record *out, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	struct np_err bad = NP_ERR_INIT;
	struct np_record rec;
	size_t len = 0;
	int r;

	fd = np_ledger_open_file(l, file, err);
	if (fd < 0)
		return fd;
	r = np_read_fd(fd, NP_RECORD_TEXT_MAX, &text, &len);
	if (r == -EFBIG)
		return np_err_set(err, -EBADMSG, "%s/%s: larger than %u bytes", l->dir, file,
				  NP_RECORD_TEXT_MAX);
	if (r < 0)
		return np_err_set(err, r, "%s/%s: %s", l->dir, file, strerror(-r));
	if (np_record_from_json(text, len, &rec, &bad) < 0) {
		r = np_err_set(err, -EBADMSG, "%s/%s: %s", l->dir, file, bad.msg);
		np_err_clear(&bad);
		return r;
	}
	if (strcmp(rec.name, name) != 0) {
		r = np_err_set(err, -EBADMSG, "%s/%s: holds the record of guest %s", l->dir,
			       file, rec.name);
		np_record_clear(&rec);
		return r;
	}
	*out = rec;
	return 0;
}

static int np_record_file(const char *name, const char *prefix, const char *suffix,
			  char **out, struct np_err *err)
{
	int r = np_name_validate(name, err);

	if (r < 0)
		return r;
	if (asprintf(out, "%s%s%s", prefix, name, suffix) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

int np_ledger_read(struct np_ledger *ledger, const char *name, struct np_record *out,
		   struct np_err *err)
{
	_cleanup_free_ char *file = NULL;
	int r;

	r = np_record_file(name, "", NP_LEDGER_SUFFIX, &file, err);
	if (r < 0)
		return r;
	r = np_ledger_read_file(ledger, name, file, out, err);
	if (r == -ENOENT)
		return np_err_set(err, -ENOENT, "guest %s: no reservation in %s", name, ledger->dir);
	return r;
}

/* ---- listing ---- */

struct np_names {
	size_t n, cap;
	char **items;
};

static void np_names_clear(struct np_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->items[i]);
	free(names->items);
	memset(names, 0, sizeof(*names));
}

static int np_names_add(struct np_names *names, const char *s, size_t len)
{
	char *copy;

	if (names->n == names->cap) {
		size_t cap = names->cap ? names->cap * 2 : 16;
		char **grown = reallocarray(names->items, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		names->items = grown;
		names->cap = cap;
	}
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	names->items[names->n++] = copy;
	return 0;
}

/* The guest name of a directory entry NAME.json, with its length; 0 when
 * the entry is not a record (a dot file, another suffix, an invalid name). */
static size_t np_entry_guest(const char *entry)
{
	size_t len = strlen(entry), slen = strlen(NP_LEDGER_SUFFIX);
	char name[NP_NAME_MAX + 1];

	if (entry[0] == '.' || len <= slen || len - slen > NP_NAME_MAX ||
	    strcmp(entry + len - slen, NP_LEDGER_SUFFIX) != 0)
		return 0;
	memcpy(name, entry, len - slen);
	name[len - slen] = '\0';
	return np_name_validate(name, NULL) == 0 ? len - slen : 0;
}

static int np_strcmpp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What to keep of a directory entry's name: its first n bytes, 0 to skip it. */
typedef size_t (*np_entry_keep_fn)(const char *entry);

/* The names `keep` keeps of the state dir's entries, ascending. */
static int np_ledger_scan(const struct np_ledger *l, np_entry_keep_fn keep,
			  struct np_names *names, struct np_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd;

	if (l->dirfd < 0)
		return 0;
	fd = dup(l->dirfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return np_err_set(err, -errno, "state dir %s: %s", l->dir, strerror(errno));
	}
	rewinddir(d);
	while ((errno = 0, e = readdir(d))) {
		size_t len = keep(e->d_name);

		if (len && np_names_add(names, e->d_name, len) < 0)
			return np_err_set(err, -ENOMEM, "out of memory");
	}
	if (errno)
		return np_err_set(err, -errno, "state dir %s: %s", l->dir, strerror(errno));
	if (names->n)
		qsort(names->items, names->n, sizeof(*names->items), np_strcmpp);
	return 0;
}

static int np_list_add_corrupt(struct np_ledger_list *list, const char *name,
			       const struct np_err *why)
{
	struct np_ledger_corrupt *grown, *c;

	grown = reallocarray(list->corrupt, list->ncorrupt + 1u, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	list->corrupt = grown;
	c = &grown[list->ncorrupt];
	c->name = strdup(name);
	c->why = strdup(why->msg ? why->msg : "corrupt");
	if (!c->name || !c->why) {
		free(c->name);
		free(c->why);
		return -ENOMEM;
	}
	list->ncorrupt++;
	return 0;
}

/* Read record `name` into the listing: skipped when it vanished meanwhile,
 * set aside in list->corrupt when corrupt and `collect` says so. */
static int np_list_read_one(const struct np_ledger *l, const char *name, bool collect,
			    struct np_ledger_list *list, struct np_err *err)
{
	_cleanup_free_ char *file = NULL;
	struct np_err local = NP_ERR_INIT;
	int r;

	if (asprintf(&file, "%s%s", name, NP_LEDGER_SUFFIX) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_ledger_read_file(l, name, file, &list->records[list->nrecords], &local);
	if (r == 0) {
		list->nrecords++;
		return 0;
	}
	if (r == -EBADMSG && collect) {
		r = np_list_add_corrupt(list, name, &local);
		np_err_clear(&local);
		return r < 0 ? np_err_set(err, r, "out of memory") : 0;
	}
	if (r == -ENOENT) {
		np_err_clear(&local);
		return 0;
	}
	return np_err_move(err, &local);
}

int np_ledger_list(struct np_ledger *ledger, bool collect_corrupt, struct np_ledger_list *out,
		   struct np_err *err)
{
	struct np_names names = { 0 };
	struct np_ledger_list list = { 0 };
	int r;

	r = np_ledger_scan(ledger, np_entry_guest, &names, err);
	if (r == 0 && names.n &&
	    !(list.records = calloc(names.n, sizeof(*list.records))))
		r = np_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < names.n; i++)
		r = np_list_read_one(ledger, names.items[i], collect_corrupt, &list, err);
	np_names_clear(&names);
	if (r < 0) {
		np_ledger_list_clear(&list);
		return r;
	}
	*out = list;
	return 0;
}

void np_ledger_list_clear(struct np_ledger_list *list)
{
	for (unsigned i = 0; i < list->nrecords; i++)
		np_record_clear(&list->records[i]);
	free(list->records);
	for (unsigned i = 0; i < list->ncorrupt; i++) {
		free(list->corrupt[i].name);
		free(list->corrupt[i].why);
	}
	free(list->corrupt);
	memset(list, 0, sizeof(*list));
}

/* ---- changing ---- */

static int np_sync_dir(const struct np_ledger *l, struct np_err *err)
{
	if (fsync(l->dirfd) < 0)
		return np_err_set(err, -errno, "state dir %s: fsync: %s", l->dir, strerror(errno));
	return 0;
}

static int np_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create TMP holding `text` and sync it to disk. */
static int np_ledger_write_tmp(const struct np_ledger *l, const char *tmp, const char *text,
			       struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(l->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
				   O_NOCTTY, 0644);
	if (fd < 0)
		return np_err_set(err, -errno, "%s/%s: %s", l->dir, tmp, strerror(errno));
	r = np_write_all(fd, text, strlen(text));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && close(np_steal_fd(&fd)) < 0)
		r = -errno;
	if (r < 0)
		return np_err_set(err, r, "%s/%s: %s", l->dir, tmp, strerror(-r));
	return 0;
}

/* Write `text` as FILE by way of TMP: write, fsync, rename, fsync the dir. */
static int np_ledger_replace(const struct np_ledger *l, const char *tmp, const char *file,
			     const char *text, struct np_err *err)
{
	int r;

	r = np_ledger_write_tmp(l, tmp, text, err);
	if (r < 0)
		goto fail;
	np_ledger_pause(l, "before-rename");
	if (renameat(l->dirfd, tmp, l->dirfd, file) < 0) {
		r = np_err_set(err, -errno, "%s/%s: %s", l->dir, file, strerror(errno));
		goto fail;
	}
	return np_sync_dir(l, err);
fail:
	unlinkat(l->dirfd, tmp, 0);
	return r;
}

/* Start a change (the lock is held): the generation goes odd. `*from`
 * is the generation before it. */
static int np_change_begin(struct np_ledger *l, uint64_t *from, struct np_err *err)
{
	*from = l->gen;
	return np_ledger_gen_begin(l, err);
}

/* End a change whose outcome is `r`: the generation goes even, and the
 * listener learns that guest `name` now has `rec` (NULL: no record), or
 * that the change failed part-way. Returns `r`. */
static int np_change_end(struct np_ledger *l, uint64_t from, const char *name,
			 const struct np_record *rec, int r)
{
	struct np_ledger_change c = { from, 0, name, rec, r == 0 };

	np_ledger_gen_end(l);
	c.to = l->gen;
	if (l->opts.changed)
		l->opts.changed(l, &c, l->opts.changed_data);
	return r;
}

static int np_ledger_write_file(struct np_ledger *ledger, const struct np_record *rec,
				const char *json, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *tmp = NULL;

	if (asprintf(&text, "%s\n", json) < 0 ||
	    asprintf(&file, "%s%s", rec->name, NP_LEDGER_SUFFIX) < 0 ||
	    asprintf(&tmp, ".%s%s.tmp", rec->name, NP_LEDGER_SUFFIX) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	return np_ledger_replace(ledger, tmp, file, text, err);
}

int np_ledger_write(struct np_ledger *ledger, const struct np_record *rec, struct np_err *err)
{
	_cleanup_free_ char *json = NULL;
	uint64_t from = 0;
	int r;

	r = np_ledger_need_lock(ledger, err);
	if (r == 0)
		r = np_record_to_json(rec, &json, err);
	if (r == 0)
		r = np_change_begin(ledger, &from, err);
	if (r < 0)
		return r;
	r = np_ledger_write_file(ledger, rec, json, err);
	r = np_change_end(ledger, from, rec->name, rec, r);
	if (r < 0)
		return np_err_wrap(err, "guest %s", rec->name);
	np_ledger_pause(ledger, "after-write");
	return 0;
}

static int np_ledger_unlink(struct np_ledger *ledger, const char *file, struct np_err *err)
{
	if (unlinkat(ledger->dirfd, file, 0) < 0 && errno != ENOENT)
		return np_err_set(err, -errno, "%s/%s: %s", ledger->dir, file, strerror(errno));
	return np_sync_dir(ledger, err);
}

int np_ledger_remove(struct np_ledger *ledger, const char *name, struct np_err *err)
{
	_cleanup_free_ char *file = NULL;
	uint64_t from = 0;
	int r;

	r = np_ledger_need_lock(ledger, err);
	if (r == 0)
		r = np_record_file(name, "", NP_LEDGER_SUFFIX, &file, err);
	if (r == 0)
		r = np_change_begin(ledger, &from, err);
	if (r < 0)
		return r;
	r = np_change_end(ledger, from, name, NULL, np_ledger_unlink(ledger, file, err));
	if (r < 0)
		return r;
	np_ledger_pause(ledger, "after-remove");
	return 0;
}

static int np_ledger_move_aside(struct np_ledger *ledger, const char *file, const char *aside,
				struct np_err *err)
{
	if (renameat(ledger->dirfd, file, ledger->dirfd, aside) < 0)
		return np_err_set(err, -errno, "%s/%s: %s", ledger->dir, file, strerror(errno));
	return np_sync_dir(ledger, err);
}

int np_ledger_quarantine(struct np_ledger *ledger, const char *name, struct np_err *err)
{
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *aside = NULL;
	uint64_t from = 0;
	int r;

	r = np_ledger_need_lock(ledger, err);
	if (r == 0)
		r = np_record_file(name, "", NP_LEDGER_SUFFIX, &file, err);
	if (r == 0)
		r = np_record_file(name, ".corrupt.", NP_LEDGER_SUFFIX, &aside, err);
	if (r == 0)
		r = np_change_begin(ledger, &from, err);
	if (r < 0)
		return r;
	return np_change_end(ledger, from, name, NULL,
			     np_ledger_move_aside(ledger, file, aside, err));
}

/* The length of a directory entry that is the temporary file of a write
 * (.NAME.json.tmp of a record, .FILE.tmp of a derived file; all of it is
 * kept); 0 for any other entry. */
static size_t np_entry_tmp(const char *entry)
{
	static const char tail[] = ".tmp";
	size_t len = strlen(entry), tlen = sizeof(tail) - 1;

	if (entry[0] != '.' || len <= tlen + 1 || strcmp(entry + len - tlen, tail) != 0 ||
	    strchr(entry, '/'))
		return 0;
	return len;
}

int np_ledger_sweep(struct np_ledger *ledger, unsigned *removed, struct np_err *err)
{
	struct np_names names = { 0 };
	int r = np_ledger_need_lock(ledger, err);

	*removed = 0;
	if (r == 0)
		r = np_ledger_scan(ledger, np_entry_tmp, &names, err);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		if (unlinkat(ledger->dirfd, names.items[i], 0) < 0 && errno != ENOENT)
			r = np_err_set(err, -errno, "%s/%s: %s", ledger->dir, names.items[i],
				       strerror(errno));
		else
			(*removed)++;
	}
	if (r == 0 && names.n)
		r = np_sync_dir(ledger, err);
	np_names_clear(&names);
	return r;
}

/* ---- files derived from the records ---- */

static int np_aux_name(const char *file, struct np_err *err)
{
	if (file[0] != '.' || strchr(file, '/') || strcmp(file, NP_LEDGER_LOCK_FILE) == 0)
		return np_err_input(err, "%s: not a derived file of the state dir", file);
	return 0;
}

int np_ledger_read_aux(struct np_ledger *ledger, const char *file, size_t max, char **text,
		       size_t *len, struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	int r = np_aux_name(file, err);

	if (r < 0)
		return r;
	fd = np_ledger_open_file(ledger, file, err);
	if (fd < 0)
		return fd;
	r = np_read_fd(fd, max, text, len);
	if (r == -EFBIG)
		return np_err_set(err, -EBADMSG, "%s/%s: larger than %zu bytes", ledger->dir, file,
				  max);
	if (r < 0)
		return np_err_set(err, r, "%s/%s: %s", ledger->dir, file, strerror(-r));
	return 0;
}

/* Rename `tmp` to `file`. A directory in the way (made by hand: nothing of
 * numaplace makes one) is moved aside as .corrupt`file` first. */
static int np_aux_replace(struct np_ledger *ledger, const char *tmp, const char *file)
{
	_cleanup_free_ char *aside = NULL;

	if (renameat(ledger->dirfd, tmp, ledger->dirfd, file) == 0)
		return 0;
	if (errno != EISDIR)
		return -errno;
	if (asprintf(&aside, ".corrupt%s", file) < 0)
		return -ENOMEM;
	if (renameat(ledger->dirfd, file, ledger->dirfd, aside) < 0 ||
	    renameat(ledger->dirfd, tmp, ledger->dirfd, file) < 0)
		return -errno;
	return 0;
}

int np_ledger_write_aux(struct np_ledger *ledger, const char *file, const char *text,
			size_t len, struct np_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r = np_ledger_need_lock(ledger, err);

	if (r == 0)
		r = np_aux_name(file, err);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s.tmp", file) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	fd = openat(ledger->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
				       O_NOCTTY, 0644);
	if (fd < 0)
		return np_err_set(err, -errno, "%s/%s: %s", ledger->dir, tmp, strerror(errno));
	r = np_write_all(fd, text, len);
	if (r == 0 && close(np_steal_fd(&fd)) < 0)
		r = -errno;
	if (r == 0)
		r = np_aux_replace(ledger, tmp, file);
	if (r < 0) {
		unlinkat(ledger->dirfd, tmp, 0);
		return np_err_set(err, r, "%s/%s: %s", ledger->dir, file, strerror(-r));
	}
	return 0;
}

int np_ledger_settle(struct np_ledger *ledger, struct np_err *err)
{
	int r = np_ledger_need_lock(ledger, err);

	if (r < 0 || !(ledger->gen & 1u))
		return r;
	r = np_ledger_gen_begin(ledger, err);
	if (r == 0)
		np_ledger_gen_end(ledger);
	return r;
}
