/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "json.h"
#include "proc.h"
#include "quote.h"

/* Longest reason or cgroup path a record may hold, in bytes. */
#define NP_RECORD_STRING_MAX 4096u
/* Nesting of a record (the object, its bookings array, a booking), plus
 * the level json-c counts for the top. */
#define NP_RECORD_DEPTH 4
/* Longest piece of a hostile key quoted back in an error. */
#define NP_RECORD_QUOTE_MAX 32u

static const char *const np_phase_names[] = {
	[NP_PHASE_RESERVED] = "reserved",
	[NP_PHASE_APPLYING] = "applying",
	[NP_PHASE_PLACED] = "placed",
};

static const char *const np_advisor_names[] = {
	[NP_ADVISOR_BUILTIN] = "builtin",
	[NP_ADVISOR_NUMAD] = "numad",
	[NP_ADVISOR_STATIC] = "static",
};

static const char *const np_frontend_names[] = {
	[NP_FRONTEND_UNKNOWN] = "unknown",
	[NP_FRONTEND_CLI] = "cli",
	[NP_FRONTEND_LXC] = "lxc",
	[NP_FRONTEND_LIBVIRT] = "libvirt",
	[NP_FRONTEND_OCI] = "oci",
	[NP_FRONTEND_MODULE] = "module",
};

/* The keys of a version 1 record come first; version 2 adds the rest. */
#define NP_RECORD_V1_KEYS 19
static const char *const np_record_keys[] = {
	"version", "name", "phase", "pid", "pid_start", "boot_id", "cpus", "mems",
	"exclusive", "nodes", "vcpus", "memory", "advisor", "fallback", "reason",
	"bookings", "cgroup", "cgroup_owned", "time", "origin",
	"frontend", "numad_vcpus", "numad_mb", "claimed",
};

/* np_json_get_enum() lists three names in its message. */
_Static_assert(NP_ARRAY_SIZE(np_phase_names) == 3 && NP_ARRAY_SIZE(np_advisor_names) == 3,
	       "three phases and three advisors");

static const char *const np_booking_keys[] = { "node", "vcpus", "memory" };

void np_record_clear(struct np_record *rec)
{
	free(rec->reason);
	free(rec->bookings);
	free(rec->cgroup);
	free(rec->origin);
	memset(rec, 0, sizeof(*rec));
}

int np_record_copy(struct np_record *dst, const struct np_record *src, struct np_err *err)
{
	struct np_record tmp = *src;

	tmp.reason = NULL;
	tmp.bookings = NULL;
	tmp.cgroup = NULL;
	tmp.origin = NULL;
	if (src->reason && !(tmp.reason = strdup(src->reason)))
		goto oom;
	if (src->cgroup && !(tmp.cgroup = strdup(src->cgroup)))
		goto oom;
	if (src->origin && !(tmp.origin = strdup(src->origin)))
		goto oom;
	if (src->nbookings) {
		tmp.bookings = calloc(src->nbookings, sizeof(*tmp.bookings));
		if (!tmp.bookings)
			goto oom;
		memcpy(tmp.bookings, src->bookings, src->nbookings * sizeof(*tmp.bookings));
	}
	*dst = tmp;
	return 0;
oom:
	np_record_clear(&tmp);
	return np_err_set(err, -ENOMEM, "out of memory");
}

const char *np_record_frontend_name(enum np_frontend fe)
{
	if ((unsigned)fe >= NP_ARRAY_SIZE(np_frontend_names))
		return "?";
	return np_frontend_names[fe];
}

const char *np_record_phase_name(enum np_phase phase)
{
	if ((unsigned)phase >= NP_ARRAY_SIZE(np_phase_names))
		return "?";
	return np_phase_names[phase];
}

/* ---- validation ---- */

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF. */
static bool np_utf8_valid(const unsigned char *s, size_t len)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
		if (n == 0 || len - i <= n)
			return false;
		cp = c & (0x3fu >> n);
		for (unsigned k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int np_record_check_text(const char *field, const char *s, struct np_err *err)
{
	size_t len = strlen(s);

	if (len > NP_RECORD_STRING_MAX)
		return np_err_input(err, "field \"%s\": longer than %u bytes", field,
				    NP_RECORD_STRING_MAX);
	if (!np_utf8_valid((const unsigned char *)s, len))
		return np_err_input(err, "field \"%s\": not valid UTF-8", field);
	return 0;
}

/* A group path below the hierarchy root: relative, each component neither
 * empty nor "." nor "..", no control characters. */
static int np_record_check_path(const char *field, const char *path, struct np_err *err)
{
	const char *p = path;
	int r;

	r = np_record_check_text(field, path, err);
	if (r < 0)
		return r;
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return np_err_input(err, "field \"%s\": contains a control character", field);
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return np_err_input(err, "field \"%s\": not a relative path "
						 "without empty, \".\" or \"..\" components", field);
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static int np_record_check_ids(const struct np_record *rec, struct np_err *err)
{
	int r;

	if (!memchr(rec->name, '\0', sizeof(rec->name)))
		return np_err_input(err, "field \"name\": not terminated");
	r = np_name_validate(rec->name, err);
	if (r < 0)
		return np_err_wrap(err, "field \"name\"");
	if (!memchr(rec->boot_id, '\0', sizeof(rec->boot_id)) ||
	    (rec->boot_id[0] && !np_proc_boot_id_valid(rec->boot_id)))
		return np_err_input(err, "field \"boot_id\": not a boot id "
					 "(8-4-4-4-12 lowercase hex, or empty)");
	if (rec->pid < 0)
		return np_err_input(err, "field \"pid\": negative");
	if (rec->pid_start > INT64_MAX)
		return np_err_input(err, "field \"pid_start\": out of range");
	return 0;
}

static int np_record_check_values(const struct np_record *rec, struct np_err *err)
{
	if ((unsigned)rec->phase >= NP_ARRAY_SIZE(np_phase_names))
		return np_err_input(err, "field \"phase\": unknown phase %d", (int)rec->phase);
	if ((unsigned)rec->advisor >= NP_ARRAY_SIZE(np_advisor_names))
		return np_err_input(err, "field \"advisor\": unknown advisor %d", (int)rec->advisor);
	if ((unsigned)rec->frontend >= NP_ARRAY_SIZE(np_frontend_names))
		return np_err_input(err, "field \"frontend\": unknown front end %d",
				    (int)rec->frontend);
	if (rec->memory > INT64_MAX || rec->numad_mb > INT64_MAX)
		return np_err_input(err, "field \"%s\": out of range",
				    rec->memory > INT64_MAX ? "memory" : "numad_mb");
	if (rec->time < 0)
		return np_err_input(err, "field \"time\": negative");
	if (rec->reason)
		return np_record_check_text("reason", rec->reason, err);
	return 0;
}

static int np_record_check_bookings(const struct np_record *rec, struct np_err *err)
{
	if (rec->nbookings && !rec->bookings)
		return np_err_input(err, "field \"bookings\": %u bookings but no array",
				    rec->nbookings);
	for (unsigned i = 0; i < rec->nbookings; i++) {
		const struct np_booking *b = &rec->bookings[i];

		if (b->node >= NP_CPUSET_MAX)
			return np_err_input(err, "field \"bookings[%u].node\": %u is not below %u",
					    i, b->node, NP_CPUSET_MAX);
		if (i > 0 && b->node <= rec->bookings[i - 1].node)
			return np_err_input(err, "field \"bookings[%u].node\": %u is not above "
					    "the previous node %u", i, b->node,
					    rec->bookings[i - 1].node);
		if (b->memory > INT64_MAX)
			return np_err_input(err, "field \"bookings[%u].memory\": out of range", i);
	}
	return 0;
}

int np_record_validate(const struct np_record *rec, struct np_err *err)
{
	int r;

	r = np_record_check_ids(rec, err);
	if (r < 0)
		return r;
	r = np_record_check_values(rec, err);
	if (r < 0)
		return r;
	r = np_record_check_bookings(rec, err);
	if (r < 0)
		return r;
	if (rec->cgroup && (r = np_record_check_path("cgroup", rec->cgroup, err)) < 0)
		return r;
	if (rec->origin && *rec->origin)
		return np_record_check_path("origin", rec->origin, err);
	return 0;
}

static bool np_str_equal(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool np_record_sets_equal(const struct np_record *a, const struct np_record *b)
{
	return np_cpuset_equal(&a->cpus, &b->cpus) && np_cpuset_equal(&a->mems, &b->mems) &&
	       np_cpuset_equal(&a->exclusive, &b->exclusive) &&
	       np_cpuset_equal(&a->nodes, &b->nodes);
}

bool np_record_equal(const struct np_record *a, const struct np_record *b)
{
	if (strcmp(a->name, b->name) != 0 || a->phase != b->phase || a->pid != b->pid ||
	    a->pid_start != b->pid_start || strcmp(a->boot_id, b->boot_id) != 0 ||
	    !np_record_sets_equal(a, b) || a->vcpus != b->vcpus || a->memory != b->memory ||
	    a->advisor != b->advisor || a->fallback != b->fallback ||
	    !np_str_equal(a->reason, b->reason) || a->nbookings != b->nbookings ||
	    (a->cgroup == NULL) != (b->cgroup == NULL) ||
	    (a->cgroup && strcmp(a->cgroup, b->cgroup) != 0) ||
	    a->cgroup_owned != b->cgroup_owned || a->time != b->time ||
	    (a->origin == NULL) != (b->origin == NULL) ||
	    (a->origin && strcmp(a->origin, b->origin) != 0) ||
	    a->frontend != b->frontend || a->numad_vcpus != b->numad_vcpus ||
	    a->numad_mb != b->numad_mb || a->claimed != b->claimed)
		return false;
	for (unsigned i = 0; i < a->nbookings; i++)
		if (a->bookings[i].node != b->bookings[i].node ||
		    a->bookings[i].vcpus != b->bookings[i].vcpus ||
		    a->bookings[i].memory != b->bookings[i].memory)
			return false;
	return true;
}

/* ---- writing ---- */

static int np_record_build_head(const struct np_record *rec, struct json_object *o)
{
	int r;

	if ((r = np_json_add(o, "version", json_object_new_int(NP_RECORD_VERSION))) < 0 ||
	    (r = np_json_add(o, "name", json_object_new_string(rec->name))) < 0 ||
	    (r = np_json_add(o, "phase", json_object_new_string(np_phase_names[rec->phase]))) < 0 ||
	    (r = np_json_add(o, "pid", json_object_new_int64(rec->pid))) < 0 ||
	    (r = np_json_add(o, "pid_start", json_object_new_uint64(rec->pid_start))) < 0 ||
	    (r = np_json_add(o, "boot_id", json_object_new_string(rec->boot_id))) < 0 ||
	    (r = np_json_add_cpuset(o, "cpus", &rec->cpus)) < 0 ||
	    (r = np_json_add_cpuset(o, "mems", &rec->mems)) < 0 ||
	    (r = np_json_add_cpuset(o, "exclusive", &rec->exclusive)) < 0 ||
	    (r = np_json_add_cpuset(o, "nodes", &rec->nodes)) < 0)
		return r;
	return 0;
}

static struct json_object *np_booking_build(const struct np_booking *b)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o || np_json_add(o, "node", json_object_new_int64(b->node)) < 0 ||
	    np_json_add(o, "vcpus", json_object_new_int64(b->vcpus)) < 0 ||
	    np_json_add(o, "memory", json_object_new_uint64(b->memory)) < 0)
		return NULL;
	return np_steal_ptr(&o);
}

static struct json_object *np_bookings_build(const struct np_record *rec)
{
	_cleanup_json_ struct json_object *arr = json_object_new_array();

	if (!arr)
		return NULL;
	for (unsigned i = 0; i < rec->nbookings; i++)
		if (np_json_append(arr, np_booking_build(&rec->bookings[i])) < 0)
			return NULL;
	return np_steal_ptr(&arr);
}

static int np_record_build_tail(const struct np_record *rec, struct json_object *o)
{
	const char *reason = rec->reason ? rec->reason : "";
	int r;

	if ((r = np_json_add(o, "vcpus", json_object_new_int64(rec->vcpus))) < 0 ||
	    (r = np_json_add(o, "memory", json_object_new_uint64(rec->memory))) < 0 ||
	    (r = np_json_add(o, "advisor", json_object_new_string(np_advisor_names[rec->advisor]))) < 0 ||
	    (r = np_json_add(o, "fallback", json_object_new_boolean(rec->fallback))) < 0 ||
	    (r = np_json_add(o, "reason", json_object_new_string(reason))) < 0 ||
	    (r = np_json_add(o, "bookings", np_bookings_build(rec))) < 0 ||
	    (r = np_json_add_string_or_null(o, "cgroup", rec->cgroup)) < 0 ||
	    (r = np_json_add(o, "cgroup_owned", json_object_new_boolean(rec->cgroup_owned))) < 0 ||
	    (r = np_json_add(o, "time", json_object_new_int64(rec->time))) < 0 ||
	    (r = np_json_add_string_or_null(o, "origin", rec->origin)) < 0 ||
	    (r = np_json_add(o, "frontend",
			     json_object_new_string(np_frontend_names[rec->frontend]))) < 0 ||
	    (r = np_json_add(o, "numad_vcpus", json_object_new_int64(rec->numad_vcpus))) < 0 ||
	    (r = np_json_add(o, "numad_mb", json_object_new_uint64(rec->numad_mb))) < 0 ||
	    (r = np_json_add(o, "claimed", json_object_new_boolean(rec->claimed))) < 0)
		return r;
	return 0;
}

int np_record_to_json(const struct np_record *rec, char **out, struct np_err *err)
{
	_cleanup_json_ struct json_object *o = NULL;
	const char *text;
	char *copy;
	int r;

	r = np_record_validate(rec, err);
	if (r < 0)
		return np_err_wrap(err, "record");
	o = json_object_new_object();
	if (!o || np_record_build_head(rec, o) < 0 || np_record_build_tail(rec, o) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	copy = text ? strdup(text) : NULL;
	if (!copy)
		return np_err_set(err, -ENOMEM, "out of memory");
	*out = copy;
	return 0;
}

/* ---- reading ---- */

/* Every key of `obj` must be one of `keys`. */
static int np_json_check_keys(struct json_object *obj, const char *prefix,
			      const char *const *keys, size_t nkeys, struct np_err *err)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		_cleanup_free_ char *quoted = NULL;
		size_t i;

		for (i = 0; i < nkeys && strcmp(key, keys[i]) != 0; i++)
			;
		if (i < nkeys)
			continue;
		quoted = np_quote_string(key, NP_RECORD_QUOTE_MAX);
		if (!prefix[0])
			return np_err_input(err, "unknown field %s", quoted ? quoted : "(?)");
		return np_err_input(err, "unknown field %s in \"%.*s\"", quoted ? quoted : "(?)",
				    (int)strcspn(prefix, "."), prefix);
	}
	return 0;
}

static int np_json_get(struct json_object *obj, const char *prefix, const char *key,
		       enum json_type type, struct json_object **out, struct np_err *err)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return np_err_input(err, "field \"%s%s\": missing", prefix, key);
	if (!json_object_is_type(v, type))
		return np_err_input(err, "field \"%s%s\": expected %s, not %s", prefix, key,
				    json_type_to_name(type),
				    json_type_to_name(json_object_get_type(v)));
	*out = v;
	return 0;
}

/* An integer in 0..max (max <= INT64_MAX, so json-c's saturation of
 * overlong numbers to INT64_MIN or UINT64_MAX always falls outside). */
static int np_json_get_uint(struct json_object *obj, const char *prefix, const char *key,
			    uint64_t max, uint64_t *out, struct np_err *err)
{
	struct json_object *v = NULL;
	int r;

	r = np_json_get(obj, prefix, key, json_type_int, &v, err);
	if (r < 0)
		return r;
	if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
		return np_err_input(err, "field \"%s%s\": out of range 0..%llu", prefix, key,
				    (unsigned long long)max);
	*out = json_object_get_uint64(v);
	return 0;
}

static int np_json_get_bool(struct json_object *obj, const char *key, bool *out,
			    struct np_err *err)
{
	struct json_object *v = NULL;
	int r;

	r = np_json_get(obj, "", key, json_type_boolean, &v, err);
	if (r < 0)
		return r;
	*out = json_object_get_boolean(v);
	return 0;
}

/* A string of at most `max` bytes without NUL. Points into `obj`. */
static int np_json_get_string(struct json_object *obj, const char *key, size_t max,
			      const char **out, struct np_err *err)
{
	struct json_object *v = NULL;
	const char *s;
	size_t len;
	int r;

	r = np_json_get(obj, "", key, json_type_string, &v, err);
	if (r < 0)
		return r;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', len))
		return np_err_input(err, "field \"%s\": contains a NUL byte", key);
	if (len > max)
		return np_err_input(err, "field \"%s\": longer than %zu bytes", key, max);
	*out = s;
	return 0;
}

static int np_json_get_enum(struct json_object *obj, const char *key, const char *const *names,
			    unsigned n, unsigned *out, struct np_err *err)
{
	const char *s;
	int r;

	r = np_json_get_string(obj, key, NP_RECORD_STRING_MAX, &s, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return np_err_input(err, "field \"%s\": expected one of %s, %s, %s%s", key, names[0],
			    names[1], names[2], n > 3 ? ", …" : "");
}

/* A cpulist in the canonical form np_cpulist_format() prints. */
static int np_json_get_cpuset(struct json_object *obj, const char *key, struct np_cpuset *out,
			      struct np_err *err)
{
	_cleanup_free_ char *canon = NULL;
	struct np_cpuset set;
	const char *s;
	int r;

	r = np_json_get_string(obj, key, NP_RECORD_STRING_MAX * 16, &s, err);
	if (r < 0)
		return r;
	np_cpuset_zero(&set);
	if (s[0] && np_cpulist_parse(s, NP_CPULIST_KERNEL, &set, err) < 0)
		return np_err_wrap(err, "field \"%s\"", key);
	canon = np_cpulist_format(&set);
	if (!canon)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (strcmp(canon, s) != 0)
		return np_err_input(err, "field \"%s\": not in canonical form (\"%s\")", key, canon);
	*out = set;
	return 0;
}

/* The version: NP_RECORD_VERSION or 1. */
static int np_record_read_version(struct json_object *o, uint64_t *version, struct np_err *err)
{
	int r = np_json_get_uint(o, "", "version", INT64_MAX, version, err);

	if (r < 0)
		return r;
	if (*version != NP_RECORD_VERSION && *version != 1)
		return np_err_input(err, "field \"version\": unsupported version %llu "
				    "(expected 1 or %d)", (unsigned long long)*version,
				    NP_RECORD_VERSION);
	return 0;
}

/* What version 2 added: who made the record and the numad request noted. */
static int np_record_read_frontend(struct json_object *o, struct np_record *rec,
				   struct np_err *err)
{
	uint64_t vcpus = 0, mb = 0;
	unsigned fe = 0;
	int r;

	if ((r = np_json_get_enum(o, "frontend", np_frontend_names,
				  NP_ARRAY_SIZE(np_frontend_names), &fe, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "numad_vcpus", UINT_MAX, &vcpus, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "numad_mb", INT64_MAX, &mb, err)) < 0 ||
	    (r = np_json_get_bool(o, "claimed", &rec->claimed, err)) < 0)
		return r;
	rec->frontend = (enum np_frontend)fe;
	rec->numad_vcpus = (unsigned)vcpus;
	rec->numad_mb = mb;
	return 0;
}

static int np_record_read_ids(struct json_object *o, struct np_record *rec, struct np_err *err)
{
	const char *name, *boot_id;
	uint64_t pid, start;
	unsigned phase = 0;
	int r;

	if ((r = np_json_get_string(o, "name", NP_NAME_MAX, &name, err)) < 0 ||
	    (r = np_json_get_enum(o, "phase", np_phase_names, NP_ARRAY_SIZE(np_phase_names),
				  &phase, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "pid", INT_MAX, &pid, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "pid_start", INT64_MAX, &start, err)) < 0 ||
	    (r = np_json_get_string(o, "boot_id", sizeof(rec->boot_id) - 1, &boot_id, err)) < 0)
		return r;
	strcpy(rec->name, name);
	rec->phase = (enum np_phase)phase;
	rec->pid = (pid_t)pid;
	rec->pid_start = start;
	strcpy(rec->boot_id, boot_id);
	return 0;
}

static int np_record_read_sets(struct json_object *o, struct np_record *rec, struct np_err *err)
{
	int r;

	if ((r = np_json_get_cpuset(o, "cpus", &rec->cpus, err)) < 0 ||
	    (r = np_json_get_cpuset(o, "mems", &rec->mems, err)) < 0 ||
	    (r = np_json_get_cpuset(o, "exclusive", &rec->exclusive, err)) < 0 ||
	    (r = np_json_get_cpuset(o, "nodes", &rec->nodes, err)) < 0)
		return r;
	return 0;
}

static int np_record_read_counts(struct json_object *o, struct np_record *rec,
				 struct np_err *err)
{
	uint64_t vcpus = 0, memory = 0, time = 0;
	unsigned advisor = 0;
	int r;

	if ((r = np_json_get_uint(o, "", "vcpus", UINT_MAX, &vcpus, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "memory", INT64_MAX, &memory, err)) < 0 ||
	    (r = np_json_get_enum(o, "advisor", np_advisor_names,
				  NP_ARRAY_SIZE(np_advisor_names), &advisor, err)) < 0 ||
	    (r = np_json_get_bool(o, "fallback", &rec->fallback, err)) < 0 ||
	    (r = np_json_get_bool(o, "cgroup_owned", &rec->cgroup_owned, err)) < 0 ||
	    (r = np_json_get_uint(o, "", "time", INT64_MAX, &time, err)) < 0)
		return r;
	rec->vcpus = (unsigned)vcpus;
	rec->memory = memory;
	rec->advisor = (enum np_advisor_kind)advisor;
	rec->time = (int64_t)time;
	return 0;
}

static int np_record_read_reason(struct json_object *o, struct np_record *rec,
				 struct np_err *err)
{
	const char *reason;
	int r;

	r = np_json_get_string(o, "reason", NP_RECORD_STRING_MAX, &reason, err);
	if (r < 0)
		return r;
	rec->reason = strdup(reason);
	if (!rec->reason)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* "origin" (version 2): a string ("" the root group) or null; absent in
 * version 1 records, which read as null. */
static int np_record_read_origin(struct json_object *o, struct np_record *rec,
				 struct np_err *err)
{
	struct json_object *v = NULL;
	const char *origin;
	int r;

	if (!json_object_object_get_ex(o, "origin", &v) || json_object_is_type(v, json_type_null))
		return 0;
	r = np_json_get_string(o, "origin", NP_RECORD_STRING_MAX, &origin, err);
	if (r < 0)
		return r;
	rec->origin = strdup(origin);
	if (!rec->origin)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* "cgroup" is a string or null. */
static int np_record_read_cgroup(struct json_object *o, struct np_record *rec,
				 struct np_err *err)
{
	struct json_object *v = NULL;
	const char *cgroup;
	int r;

	if (!json_object_object_get_ex(o, "cgroup", &v))
		return np_err_input(err, "field \"cgroup\": missing");
	if (json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return np_err_input(err, "field \"cgroup\": expected string or null, not %s",
				    json_type_to_name(json_object_get_type(v)));
	r = np_json_get_string(o, "cgroup", NP_RECORD_STRING_MAX, &cgroup, err);
	if (r < 0)
		return r;
	rec->cgroup = strdup(cgroup);
	if (!rec->cgroup)
		return np_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int np_booking_read(struct json_object *o, unsigned i, struct np_booking *b,
			   struct np_err *err)
{
	char prefix[sizeof("bookings[4294967295].")];
	uint64_t node, vcpus, memory;
	int r;

	snprintf(prefix, sizeof(prefix), "bookings[%u].", i);
	if (!json_object_is_type(o, json_type_object))
		return np_err_input(err, "field \"bookings[%u]\": expected object, not %s", i,
				    json_type_to_name(json_object_get_type(o)));
	if ((r = np_json_check_keys(o, prefix, np_booking_keys, NP_ARRAY_SIZE(np_booking_keys),
				    err)) < 0 ||
	    (r = np_json_get_uint(o, prefix, "node", NP_CPUSET_MAX - 1, &node, err)) < 0 ||
	    (r = np_json_get_uint(o, prefix, "vcpus", UINT_MAX, &vcpus, err)) < 0 ||
	    (r = np_json_get_uint(o, prefix, "memory", INT64_MAX, &memory, err)) < 0)
		return r;
	b->node = (unsigned)node;
	b->vcpus = (unsigned)vcpus;
	b->memory = memory;
	return 0;
}

static int np_record_read_bookings(struct json_object *o, struct np_record *rec,
				   struct np_err *err)
{
	struct json_object *arr;
	size_t n;
	int r;

	r = np_json_get(o, "", "bookings", json_type_array, &arr, err);
	if (r < 0)
		return r;
	n = json_object_array_length(arr);
	if (n > NP_CPUSET_MAX)
		return np_err_input(err, "field \"bookings\": more than %u entries", NP_CPUSET_MAX);
	if (n == 0)
		return 0;
	rec->bookings = calloc(n, sizeof(*rec->bookings));
	if (!rec->bookings)
		return np_err_set(err, -ENOMEM, "out of memory");
	rec->nbookings = (unsigned)n;
	for (unsigned i = 0; i < n; i++) {
		r = np_booking_read(json_object_array_get_idx(arr, i), i, &rec->bookings[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Parse `text` into a JSON object, rejecting truncated text and trailing bytes. */
static int np_record_parse_text(const char *text, size_t len, struct json_object **out,
				struct np_err *err)
{
	_cleanup_tokener_ struct json_tokener *tok = NULL;
	_cleanup_json_ struct json_object *obj = NULL;
	enum json_tokener_error e;
	size_t end;

	if (len == 0)
		return np_err_input(err, "empty record");
	if (len > NP_RECORD_TEXT_MAX)
		return np_err_input(err, "record of %zu bytes is larger than %u", len,
				    NP_RECORD_TEXT_MAX);
	tok = json_tokener_new_ex(NP_RECORD_DEPTH);
	if (!tok)
		return np_err_set(err, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue)
		return np_err_input(err, "truncated after %zu bytes", len);
	if (e != json_tokener_success)
		return np_err_input(err, "invalid JSON at byte %zu: %s", end,
				    json_tokener_error_desc(e));
	if (end != len)
		return np_err_input(err, "trailing bytes at byte %zu", end);
	if (!json_object_is_type(obj, json_type_object))
		return np_err_input(err, "not a JSON object");
	*out = np_steal_ptr(&obj);
	return 0;
}

static int np_record_read(struct json_object *o, struct np_record *rec, struct np_err *err)
{
	uint64_t version = 0;
	size_t nkeys;
	int r;

	if ((r = np_record_read_version(o, &version, err)) < 0)
		return r;
	nkeys = version == 1 ? NP_RECORD_V1_KEYS : NP_ARRAY_SIZE(np_record_keys);
	if ((r = np_json_check_keys(o, "", np_record_keys, nkeys, err)) < 0 ||
	    (r = np_record_read_ids(o, rec, err)) < 0 ||
	    (r = np_record_read_sets(o, rec, err)) < 0 ||
	    (r = np_record_read_counts(o, rec, err)) < 0 ||
	    (r = np_record_read_reason(o, rec, err)) < 0 ||
	    (r = np_record_read_cgroup(o, rec, err)) < 0 ||
	    (r = np_record_read_origin(o, rec, err)) < 0 ||
	    (r = np_record_read_bookings(o, rec, err)) < 0 ||
	    (version > 1 && (r = np_record_read_frontend(o, rec, err)) < 0))
		return r;
	return np_record_validate(rec, err);
}

int np_record_from_json(const char *text, size_t len, struct np_record *out, struct np_err *err)
{
	_cleanup_json_ struct json_object *o = NULL;
	struct np_record rec;
	int r;

	r = np_record_parse_text(text, len, &o, err);
	if (r < 0)
		return r;
	memset(&rec, 0, sizeof(rec));
	r = np_record_read(o, &rec, err);
	if (r < 0) {
		np_record_clear(&rec);
		return r;
	}
	*out = rec;
	return 0;
}
