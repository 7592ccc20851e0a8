/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STATE/.refused: the last refusal of each guest that is not placed (refused.h). */
#include "refused.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

#define NP_REFUSED_FILE ".refused"
#define NP_REFUSED_TMP ".refused.tmp"
#define NP_REFUSED_TEXT_MAX (1u << 20)

void np_refused_clear(struct np_refused *list)
{
	for (unsigned i = 0; i < list->n; i++)
		free(list->items[i].reason);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static char *np_refused_path(const struct np_ledger *ledger, const char *file)
{
	char *path;

	return asprintf(&path, "%s/%s", np_ledger_dir(ledger), file) < 0 ? NULL : path;
}

/* One item of the array into `out`; false when it is not one. */
static bool np_refused_item(struct json_object *obj, struct np_refusal *out)
{
	struct json_object *name, *time, *reason;

	if (!json_object_object_get_ex(obj, "name", &name) ||
	    !json_object_object_get_ex(obj, "time", &time) ||
	    !json_object_object_get_ex(obj, "reason", &reason) ||
	    !json_object_is_type(name, json_type_string) ||
	    !json_object_is_type(time, json_type_int) ||
	    !json_object_is_type(reason, json_type_string) ||
	    np_name_validate(json_object_get_string(name), NULL) < 0)
		return false;
	snprintf(out->name, sizeof(out->name), "%s", json_object_get_string(name));
	out->time = json_object_get_int64(time);
	out->reason = strdup(json_object_get_string(reason));
	return out->reason != NULL;
}

static int np_refused_parse(const char *text, struct np_refused *out)
{
	struct json_object *root = json_tokener_parse(text);
	struct json_object *arr;
	struct np_refused list = { 0 };
	size_t n;
	int r = 0;

	if (!root || !json_object_object_get_ex(root, "refused", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	n = json_object_array_length(arr);
	if (n > NP_REFUSED_MAX)
		n = NP_REFUSED_MAX;
	list.items = calloc(n ? n : 1, sizeof(*list.items));
	if (!list.items)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!np_refused_item(json_object_array_get_idx(arr, i), &list.items[i]))
			r = -EBADMSG;
		else
			list.n++;
	}
	json_object_put(root);
	if (r < 0) {
		np_refused_clear(&list);
		return r;
	}
	*out = list;
	return 0;
}

int np_refused_read(struct np_ledger *ledger, struct np_refused *out, struct np_err *err)
{
	_cleanup_free_ char *path = np_refused_path(ledger, NP_REFUSED_FILE);
	_cleanup_free_ char *text = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!path)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_read_file(path, NP_REFUSED_TEXT_MAX, &text, NULL);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r == 0)
		r = np_refused_parse(text, out);
	if (r < 0)
		return np_err_set(err, r, "%s: %s", path, r == -EBADMSG ? "not a list of refusals"
				  : strerror(-r));
	return 0;
}

static struct json_object *np_refused_json(const struct np_refused *list)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < list->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(list->items[i].name));
		json_object_object_add(o, "time", json_object_new_int64(list->items[i].time));
		json_object_object_add(o, "reason", json_object_new_string(list->items[i].reason));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "refused", arr);
	return root;
}

/* Write `list` as .refused: temporary file, fsync, rename. */
static int np_refused_write(struct np_ledger *ledger, const struct np_refused *list,
			    struct np_err *err)
{
	_cleanup_free_ char *tmp = np_refused_path(ledger, NP_REFUSED_TMP);
	_cleanup_free_ char *path = np_refused_path(ledger, NP_REFUSED_FILE);
	struct json_object *root = np_refused_json(list);
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int fd, r = 0;

	if (!tmp || !path) {
		json_object_put(root);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		r = -errno;
	else if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	json_object_put(root);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return np_err_set(err, r, "%s: %s", path, strerror(-r));
	}
	return 0;
}

static int np_refused_find(const struct np_refused *list, const char *name)
{
	for (unsigned i = 0; i < list->n; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Remove item `i`, keeping the order. */
static void np_refused_drop(struct np_refused *list, unsigned i)
{
	free(list->items[i].reason);
	memmove(&list->items[i], &list->items[i + 1], (list->n - i - 1) * sizeof(*list->items));
	list->n--;
}

/* `reason` on one line, cut at NP_REFUSED_REASON_MAX bytes on a UTF-8 boundary. */
static char *np_refused_line(const char *reason)
{
	size_t len = strlen(reason);
	char *s;

	if (len > NP_REFUSED_REASON_MAX) {
		len = NP_REFUSED_REASON_MAX;
		while (len > 0 && ((unsigned char)reason[len] & 0xc0) == 0x80)
			len--;
	}
	s = strndup(reason, len);
	for (char *p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

/* Under the lock: the refusals, without guest `name`'s. 1 when it had
 * one, 0 when not, or a negative errno. */
static int np_refused_load_locked(struct np_ledger *ledger, const char *name,
				  struct np_refused *list, struct np_err *err)
{
	int i, r;

	if (!np_ledger_locked(ledger))
		return np_err_set(err, -ENOLCK, "state dir %s: the lock is not held",
				  np_ledger_dir(ledger));
	if ((r = np_refused_read(ledger, list, err)) < 0)
		return r;
	if ((i = np_refused_find(list, name)) < 0)
		return 0;
	np_refused_drop(list, (unsigned)i);
	return 1;
}

int np_refused_note(struct np_ledger *ledger, const char *name, int64_t time,
		    const char *reason, struct np_err *err)
{
	struct np_refused list = { 0 };
	struct np_refusal item = { .time = time };
	struct np_refusal *items;
	int r = np_refused_load_locked(ledger, name, &list, err);

	if (r < 0)
		return r;
	while (list.n >= NP_REFUSED_MAX)
		np_refused_drop(&list, list.n - 1);
	items = realloc(list.items, (list.n + 1) * sizeof(*items));
	snprintf(item.name, sizeof(item.name), "%s", name);
	item.reason = np_refused_line(reason ? reason : "");
	if (!items || !item.reason) {
		free(item.reason);
		if (items)
			list.items = items;
		np_refused_clear(&list);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	memmove(&items[1], &items[0], list.n * sizeof(*items));
	items[0] = item;
	list.items = items;
	list.n++;
	r = np_refused_write(ledger, &list, err);
	np_refused_clear(&list);
	return r;
}

int np_refused_forget(struct np_ledger *ledger, const char *name, struct np_err *err)
{
	struct np_refused list = { 0 };
	int r = np_refused_load_locked(ledger, name, &list, err);

	if (r > 0)
		r = np_refused_write(ledger, &list, err);
	np_refused_clear(&list);
	return r;
}
