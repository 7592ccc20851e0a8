/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI state on the hook's stdin and the bundle's config.json. */
#include "hook_oci.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "fileio.h"
#include "quote.h"
#include "size.h"

/* config.json of a runc or crun bundle is a few KiB; Podman's a few tens. */
#define NP_OCI_CONFIG_MAX (4u << 20)

/* Parse `text` as one JSON object; `what` names it in errors. */
static int np_oci_json(const char *text, const char *what, struct json_object **out,
		       struct np_err *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;

	if (!text[strspn(text, " \t\r\n")])
		return np_err_input(err, "%s is empty", what);
	tok = json_tokener_new();
	if (!tok)
		return np_err_set(err, -ENOMEM, "%s: out of memory", what);
	obj = json_tokener_parse_ex(tok, text, (int)strlen(text) + 1);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return np_err_input(err, "%s is not a JSON object%s%s", what,
				    jerr != json_tokener_success ? ": " : "",
				    jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "");
	}
	*out = obj;
	return 0;
}

/* The string member `key` of `obj`; NULL when missing or not a string. */
static const char *np_oci_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The state's `id`, a valid guest name. */
static int np_oci_id(struct json_object *state, const char **out, struct np_err *err)
{
	const char *id = np_oci_string(state, "id");

	if (!id)
		return np_err_input(err, "state has no string \"id\"");
	if (np_name_validate(id, err) < 0)
		return np_err_wrap(err, "state \"id\"");
	*out = id;
	return 0;
}

/* The state's `pid`: 1 .. INT32_MAX; at delete also 0 or missing. */
static int np_oci_pid(struct json_object *state, bool create, pid_t *out, struct np_err *err)
{
	struct json_object *v;
	int64_t pid;

	if (!json_object_object_get_ex(state, "pid", &v)) {
		*out = 0;
		return create ? np_err_input(err, "state has no \"pid\"") : 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return np_err_input(err, "state \"pid\" is not an integer");
	pid = json_object_get_int64(v);
	if (pid < 0 || pid > INT32_MAX || (create && pid == 0))
		return np_err_input(err, "state \"pid\" %lld is not a process id", (long long)pid);
	*out = (pid_t)pid;
	return 0;
}

/* At create the container is being created: `creating` (createRuntime)
 * or `created` (prestart). */
static int np_oci_status(struct json_object *state, struct np_err *err)
{
	_cleanup_free_ char *quoted = NULL;
	const char *status = np_oci_string(state, "status");

	if (status && (strcmp(status, "creating") == 0 || strcmp(status, "created") == 0))
		return 0;
	if (!status)
		return np_err_input(err, "state has no string \"status\"");
	quoted = np_quote_string(status, 32);
	return np_err_input(err, "state \"status\" %s is not creating or created: run "
			    "`hook oci create` at createRuntime or prestart", quoted ? quoted : "(?)");
}

/* BUNDLE/config.json, parsed. */
static int np_oci_config(struct json_object *state, struct json_object **out, struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *quoted = NULL;
	const char *bundle = np_oci_string(state, "bundle");
	int r;

	if (!bundle || !*bundle)
		return np_err_input(err, "state has no string \"bundle\"");
	if (asprintf(&path, "%s/config.json", bundle) < 0) {
		path = NULL;
		return np_err_set(err, -ENOMEM, "bundle: out of memory");
	}
	quoted = np_quote_string(path, 256);
	r = np_read_file(path, NP_OCI_CONFIG_MAX, &text, NULL);
	if (r < 0)
		return np_err_input(err, "bundle %s: %s", quoted ? quoted : "(?)", strerror(-r));
	if (np_oci_json(text, "config.json", out, err) < 0)
		return np_err_wrap(err, "bundle %s", quoted ? quoted : "(?)");
	return 0;
}

/* The annotation `key` of the state, else of config.json; NULL when unset. */
static const char *np_oci_annotation(struct json_object *state, struct json_object *config,
				     const char *key)
{
	struct json_object *ann;

	if (json_object_object_get_ex(state, "annotations", &ann))
		return np_oci_string(ann, key);
	if (config && json_object_object_get_ex(config, "annotations", &ann))
		return np_oci_string(ann, key);
	return NULL;
}

static int np_oci_bool(const char *text, bool *out, struct np_err *err)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
			*out = strcmp(text, yes[i]) == 0;
			return 0;
		}
	}
	return np_err_input(err, "not yes or no");
}

/* The guest's name and size from the org.numaplace.* annotations. */
static int np_oci_annotations(struct json_object *state, struct json_object *config,
			      const char *id, struct np_oci_state *out, struct np_err *err)
{
	const char *name = np_oci_annotation(state, config, "org.numaplace.name");
	const char *vcpus = np_oci_annotation(state, config, "org.numaplace.vcpus");
	const char *memory = np_oci_annotation(state, config, "org.numaplace.memory");
	const char *exclusive = np_oci_annotation(state, config, "org.numaplace.exclusive");

	if (name && np_name_validate(name, err) < 0)
		return np_err_wrap(err, "annotation org.numaplace.name");
	if (vcpus && np_count_parse(vcpus, NP_CPUSET_MAX, &out->vcpus, err) < 0)
		return np_err_wrap(err, "annotation org.numaplace.vcpus");
	if (memory && np_size_parse(memory, &out->memory, err) < 0)
		return np_err_wrap(err, "annotation org.numaplace.memory");
	if (exclusive && np_oci_bool(exclusive, &out->exclusive, err) < 0)
		return np_err_wrap(err, "annotation org.numaplace.exclusive");
	snprintf(out->name, sizeof(out->name), "%s", name ? name : id);
	return 0;
}

/* linux.resources.cpu.cpus of config.json (what --cpuset-cpus sets). */
static int np_oci_pinned(struct json_object *config, struct np_oci_state *out,
			 struct np_err *err)
{
	struct json_object *linux_, *res, *cpu;
	const char *cpus;

	if (!json_object_object_get_ex(config, "linux", &linux_) ||
	    !json_object_object_get_ex(linux_, "resources", &res) ||
	    !json_object_object_get_ex(res, "cpu", &cpu) ||
	    !(cpus = np_oci_string(cpu, "cpus")) || !*cpus)
		return 0;
	if (np_cpulist_parse(cpus, NP_CPULIST_KERNEL, &out->cpus, err) < 0)
		return np_err_wrap(err, "config.json linux.resources.cpu.cpus");
	out->has_cpus = true;
	return 0;
}

int np_oci_state_parse(const char *text, bool create, struct np_oci_state *out,
		       struct np_err *err)
{
	_cleanup_json_ struct json_object *state = NULL;
	_cleanup_json_ struct json_object *config = NULL;
	struct np_oci_state st = { 0 };
	const char *id = NULL;
	struct json_object *ann;
	int r;

	if ((r = np_oci_json(text, "state on stdin", &state, err)) < 0 ||
	    (r = np_oci_id(state, &id, err)) < 0 ||
	    (r = np_oci_pid(state, create, &st.pid, err)) < 0 ||
	    (create && (r = np_oci_status(state, err)) < 0))
		return r;
	if ((create || !json_object_object_get_ex(state, "annotations", &ann)) &&
	    (r = np_oci_config(state, &config, err)) < 0)
		return r;
	if ((r = np_oci_annotations(state, config, id, &st, err)) < 0 ||
	    (config && (r = np_oci_pinned(config, &st, err)) < 0))
		return r;
	*out = st;
	return 0;
}
