/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_JSON_H
#define NUMAPLACE_JSON_H

#include <json-c/json.h>

#include "cpuset.h"

/*
 * Building JSON with json-c, every allocation checked. Each np_json_add*
 * and np_json_append takes ownership of the value it is handed, also on
 * failure, so a caller can nest json_object_new_*() calls and check once.
 * They return 0 or -ENOMEM. Free a tree with json_object_put(), or declare
 * it _cleanup_json_ (cleanup.h).
 */

/* Add `val` under `key` of `obj`; NULL `val` (a failed json_object_new_*())
 * is -ENOMEM. */
int np_json_add(struct json_object *obj, const char *key, struct json_object *val);

/* Add `s` under `key` as a string, or as JSON null when `s` is NULL. */
int np_json_add_string_or_null(struct json_object *obj, const char *key, const char *s);

/* Add `set` under `key` as a list string ("0-3,8"; "" when empty). */
int np_json_add_cpuset(struct json_object *obj, const char *key, const struct np_cpuset *set);

/* Append `val` to the array `arr`; NULL `val` is -ENOMEM. */
int np_json_append(struct json_object *arr, struct json_object *val);

/* The members of `set` as an array of numbers, ascending; NULL when out of
 * memory. */
struct json_object *np_json_new_ids(const struct np_cpuset *set);

#endif
