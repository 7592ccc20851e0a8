/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building JSON with json-c, every allocation checked. */
#include "json.h"

#include <errno.h>

#include "cleanup.h"
#include "cpulist.h"

int np_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

/* json-c spells JSON null as a NULL value. */
int np_json_add_string_or_null(struct json_object *obj, const char *key, const char *s)
{
	if (s)
		return np_json_add(obj, key, json_object_new_string(s));
	return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

int np_json_add_cpuset(struct json_object *obj, const char *key, const struct np_cpuset *set)
{
	_cleanup_free_ char *text = np_cpulist_format(set);

	if (!text)
		return -ENOMEM;
	return np_json_add(obj, key, json_object_new_string(text));
}

int np_json_append(struct json_object *arr, struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

struct json_object *np_json_new_ids(const struct np_cpuset *set)
{
	_cleanup_json_ struct json_object *arr = json_object_new_array();

	if (!arr)
		return NULL;
	for (int i = np_cpuset_next(set, 0); i >= 0; i = np_cpuset_next(set, (unsigned)i + 1))
		if (np_json_append(arr, json_object_new_int(i)) < 0)
			return NULL;
	return np_steal_ptr(&arr);
}
