/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/record: the reservation record and its JSON form. Full records go
 * round trip; every kind of bad input is rejected with the field named and
 * the output untouched; every truncation of a valid record is an error.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "cpulist.h"
#include "record.h"

#define BOOT_ID "0b5e4c1a-9f2d-4e8b-a7c6-3d1f0e2b9a84"

static void set_list(struct np_cpuset *s, const char *list)
{
	assert_int_equal(np_cpulist_parse(list, NP_CPULIST_KERNEL, s, NULL), 0);
}

/* A record with every field set to something other than its zero value. */
static void make_full(struct np_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->name, "web-1");
	rec->phase = NP_PHASE_PLACED;
	rec->pid = 4242;
	rec->pid_start = 123456789;
	strcpy(rec->boot_id, BOOT_ID);
	set_list(&rec->cpus, "0-3,8-11");
	set_list(&rec->mems, "0-1");
	set_list(&rec->exclusive, "2-3");
	set_list(&rec->nodes, "0-1,3");
	rec->vcpus = 8;
	rec->memory = 8ull << 30;
	rec->advisor = NP_ADVISOR_NUMAD;
	rec->fallback = true;
	rec->reason = strdup("numad timed out after 5s; builtin chose nodes 0-1 \"é\"");
	rec->nbookings = 3;
	rec->bookings = calloc(3, sizeof(*rec->bookings));
	assert_non_null(rec->reason);
	assert_non_null(rec->bookings);
	rec->bookings[0] = (struct np_booking){ 0, 4, 6ull << 30 };
	rec->bookings[1] = (struct np_booking){ 1, 4, 2ull << 30 };
	rec->bookings[2] = (struct np_booking){ 3, 0, 1ull << 20 };
	rec->cgroup = strdup("numaplace/web-1");
	assert_non_null(rec->cgroup);
	rec->cgroup_owned = true;
	rec->time = 1700000000;
	rec->origin = strdup("user.slice");
	assert_non_null(rec->origin);
	rec->frontend = NP_FRONTEND_LIBVIRT;
	rec->numad_vcpus = 2;
	rec->numad_mb = 96;
	rec->claimed = true;
}

static char *full_json(void)
{
	struct np_record rec;
	char *text = NULL;

	make_full(&rec);
	assert_int_equal(np_record_to_json(&rec, &text, NULL), 0);
	np_record_clear(&rec);
	return text;
}

/* Parse, serialise, parse again: both parses must give equal records. */
static void assert_round_trip(const struct np_record *rec)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *again = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_record back;

	if (np_record_to_json(rec, &text, &err) < 0)
		fail_msg("to_json: %s", err.msg);
	if (np_record_from_json(text, strlen(text), &back, &err) < 0)
		fail_msg("from_json: %s\n%s", err.msg, text);
	assert_true(np_record_equal(rec, &back));
	assert_int_equal(np_record_to_json(&back, &again, NULL), 0);
	assert_string_equal(text, again);
	np_record_clear(&back);
}

static void test_round_trip_full(void **state)
{
	struct np_record rec;

	(void)state;
	make_full(&rec);
	assert_round_trip(&rec);
	for (int p = NP_PHASE_RESERVED; p <= NP_PHASE_PLACED; p++)
		for (int a = NP_ADVISOR_BUILTIN; a <= NP_ADVISOR_STATIC; a++) {
			rec.phase = (enum np_phase)p;
			rec.advisor = (enum np_advisor_kind)a;
			rec.fallback = !rec.fallback;
			rec.cgroup_owned = !rec.cgroup_owned;
			assert_round_trip(&rec);
		}
	np_record_clear(&rec);
}

/* The written form is the contract other tools read: field names, order
 * and canonical lists. */
static void test_json_shape(void **state)
{
	_cleanup_free_ char *text = full_json();

	(void)state;
	assert_string_equal(text,
		"{\"version\":2,\"name\":\"web-1\",\"phase\":\"placed\",\"pid\":4242,"
		"\"pid_start\":123456789,\"boot_id\":\"" BOOT_ID "\",\"cpus\":\"0-3,8-11\","
		"\"mems\":\"0-1\",\"exclusive\":\"2-3\",\"nodes\":\"0-1,3\",\"vcpus\":8,"
		"\"memory\":8589934592,\"advisor\":\"numad\",\"fallback\":true,"
		"\"reason\":\"numad timed out after 5s; builtin chose nodes 0-1 \\\"é\\\"\","
		"\"bookings\":[{\"node\":0,\"vcpus\":4,\"memory\":6442450944},"
		"{\"node\":1,\"vcpus\":4,\"memory\":2147483648},"
		"{\"node\":3,\"vcpus\":0,\"memory\":1048576}],"
		"\"cgroup\":\"numaplace/web-1\",\"cgroup_owned\":true,\"time\":1700000000,"
		"\"origin\":\"user.slice\",\"frontend\":\"libvirt\",\"numad_vcpus\":2,\"numad_mb\":96,\"claimed\":true}");
}


static void test_round_trip_minimal(void **state)
{
	_cleanup_free_ char *text = NULL;
	struct np_record rec;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	strcpy(rec.name, "a");
	assert_round_trip(&rec);
	assert_int_equal(np_record_to_json(&rec, &text, NULL), 0);
	assert_non_null(strstr(text, "\"cpus\":\"\""));
	assert_non_null(strstr(text, "\"bookings\":[]"));
	assert_non_null(strstr(text, "\"cgroup\":null"));
	assert_non_null(strstr(text, "\"reason\":\"\""));
	assert_non_null(strstr(text, "\"boot_id\":\"\""));
}

static void test_round_trip_limits(void **state)
{
	struct np_record rec;

	(void)state;
	make_full(&rec);
	memset(rec.name, 'x', NP_NAME_MAX);
	rec.name[NP_NAME_MAX] = '\0';
	rec.pid = INT_MAX;
	rec.pid_start = INT64_MAX;
	rec.memory = INT64_MAX;
	rec.vcpus = UINT_MAX;
	rec.time = INT64_MAX;
	set_list(&rec.cpus, "0-8191");
	set_list(&rec.nodes, "1,3,5,8191");
	rec.bookings[2].node = NP_CPUSET_MAX - 1;
	rec.bookings[2].vcpus = UINT_MAX;
	rec.bookings[2].memory = INT64_MAX;
	assert_round_trip(&rec);
	np_record_clear(&rec);
}

static void test_copy(void **state)
{
	struct np_record rec, copy;

	(void)state;
	make_full(&rec);
	assert_int_equal(np_record_copy(&copy, &rec, NULL), 0);
	assert_true(np_record_equal(&rec, &copy));
	assert_ptr_not_equal(copy.reason, rec.reason);
	assert_ptr_not_equal(copy.bookings, rec.bookings);
	assert_ptr_not_equal(copy.cgroup, rec.cgroup);
	copy.bookings[1].vcpus++;
	assert_false(np_record_equal(&rec, &copy));
	copy.bookings[1].vcpus--;
	copy.cgroup[0] = 'N';
	assert_false(np_record_equal(&rec, &copy));
	np_record_clear(&copy);
	assert_null(copy.reason);
	assert_int_equal(copy.nbookings, 0);
	np_record_clear(&rec);
}

static void test_equal_reason_null(void **state)
{
	struct np_record a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	strcpy(a.name, "g");
	strcpy(b.name, "g");
	b.reason = strdup("");
	assert_true(np_record_equal(&a, &b));
	free(b.reason);
	b.reason = strdup("x");
	assert_false(np_record_equal(&a, &b));
	np_record_clear(&b);
}

static void test_phase_name(void **state)
{
	(void)state;
	assert_string_equal(np_record_phase_name(NP_PHASE_RESERVED), "reserved");
	assert_string_equal(np_record_phase_name(NP_PHASE_APPLYING), "applying");
	assert_string_equal(np_record_phase_name(NP_PHASE_PLACED), "placed");
	assert_string_equal(np_record_phase_name((enum np_phase)7), "?");
}

/* ---- bad input ---- */

/* `valid` with `key` set to the JSON `literal` (NULL: the key removed). */
static char *with_field(const char *valid, const char *key, const char *literal)
{
	struct json_object *o = json_tokener_parse(valid);
	char *text;

	assert_non_null(o);
	if (literal) {
		enum json_tokener_error e;
		struct json_object *v = json_tokener_parse_verbose(literal, &e);

		assert_int_equal(e, json_tokener_success);
		assert_int_equal(json_object_object_add(o, key, v), 0);
	} else {
		json_object_object_del(o, key);
	}
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	assert_non_null(text);
	return text;
}

/* `valid` with the first `from` replaced by `to` (textual, for literals
 * json-c would not print itself). */
static char *with_text(const char *valid, const char *from, const char *to)
{
	const char *at = strstr(valid, from);
	char *text = NULL;

	assert_non_null(at);
	assert_true(asprintf(&text, "%.*s%s%s", (int)(at - valid), valid, to,
			     at + strlen(from)) > 0);
	return text;
}

/* A version 1 record (before "origin") still reads, with origin NULL;
 * "" (the root group) is an origin. */
static void test_version1_reads(void **state)
{
	_cleanup_free_ char *valid = full_json();
	_cleanup_free_ char *v1 = with_text(valid, "\"version\":2", "\"version\":1");
	_cleanup_free_ char *old = with_text(v1, ",\"origin\":\"user.slice\",\"frontend\":\"libvirt\","
					      "\"numad_vcpus\":2,\"numad_mb\":96,\"claimed\":true", "");
	_cleanup_free_ char *root = with_text(valid, "\"user.slice\"", "\"\"");
	struct np_err err = NP_ERR_INIT;
	struct np_record rec;

	(void)state;
	assert_int_equal(np_record_from_json(old, strlen(old), &rec, &err), 0);
	assert_null(rec.origin);
	assert_int_equal(rec.frontend, NP_FRONTEND_UNKNOWN);
	assert_int_equal(rec.numad_mb, 0);
	assert_false(rec.claimed);
	assert_string_equal(rec.name, "web-1");
	np_record_clear(&rec);
	assert_int_equal(np_record_from_json(root, strlen(root), &rec, &err), 0);
	assert_string_equal(rec.origin, "");
	np_record_clear(&rec);
}

/* Parsing `text` fails with an input error holding `why`, `out` untouched. */
static void assert_rejected(const char *text, size_t len, const char *why)
{
	struct np_err err = NP_ERR_INIT;
	struct np_record out, before;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	if (np_record_from_json(text, len, &out, &err) == 0)
		fail_msg("accepted: %s", text);
	assert_int_equal(err.code, -EINVAL);
	assert_true(err.input);
	assert_non_null(err.msg);
	if (!strstr(err.msg, why))
		fail_msg("error \"%s\" does not mention \"%s\" for %s", err.msg, why, text);
	assert_memory_equal(&out, &before, sizeof(out));
	np_err_clear(&err);
}

struct field_row {
	const char *key;
	const char *literal; /* NULL: the key is missing */
	const char *why;
};

static const struct field_row field_rows[] = {
	{ "version", "3", "unsupported version 3" },
	{ "origin", "\"../x\"", "\"origin\": not a relative path" },
	{ "origin", "\"/abs\"", "\"origin\": not a relative path" },
	{ "origin", "7", "\"origin\": expected string, not int" },
	{ "frontend", "\"systemd\"", "\"frontend\": expected one of" },
	{ "frontend", "1", "\"frontend\": expected string" },
	{ "numad_vcpus", "-1", "\"numad_vcpus\": out of range" },
	{ "numad_mb", "\"96\"", "\"numad_mb\": expected int" },
	{ "claimed", "1", "\"claimed\": expected boolean" },
	{ "version", "0", "unsupported version 0" },
	{ "version", "\"1\"", "\"version\": expected int" },
	{ "version", "1.0", "\"version\": expected int, not double" },
	{ "name", "\"../etc\"", "\"name\"" },
	{ "name", "\"a/b\"", "\"name\"" },
	{ "name", "\"\"", "\"name\"" },
	{ "name", "\".hidden\"", "\"name\"" },
	{ "name", "\"tasks\"", "\"name\"" },
	{ "name", "\"cpuset.cpus\"", "\"name\"" },
	{ "name", "\"x\\u0000y\"", "\"name\": contains a NUL" },
	{ "name", "\"0123456789012345678901234567890123456789012345678901234567890123x\"",
	  "\"name\": longer than 64" },
	{ "name", "7", "\"name\": expected string, not int" },
	{ "phase", "\"done\"", "\"phase\": expected one of reserved, applying, placed" },
	{ "phase", "\"Placed\"", "\"phase\"" },
	{ "phase", "1", "\"phase\": expected string" },
	{ "pid", "-1", "\"pid\": out of range" },
	{ "pid", "2147483648", "\"pid\": out of range" },
	{ "pid", "\"4242\"", "\"pid\": expected int, not string" },
	{ "pid", "null", "\"pid\": expected int, not null" },
	{ "pid", "true", "\"pid\": expected int, not boolean" },
	{ "pid", "[]", "\"pid\": expected int, not array" },
	{ "pid", "{}", "\"pid\": expected int, not object" },
	{ "pid_start", "-5", "\"pid_start\": out of range" },
	{ "pid_start", "18446744073709551615", "\"pid_start\": out of range" },
	{ "boot_id", "\"xyz\"", "\"boot_id\": not a boot id" },
	{ "boot_id", "\"0B5E4C1A-9F2D-4E8B-A7C6-3D1F0E2B9A84\"", "\"boot_id\"" },
	{ "boot_id", "\"0b5e4c1a-9f2d-4e8b-a7c6-3d1f0e2b9a845\"", "\"boot_id\"" },
	{ "boot_id", "\"0b5e4c1a-9f2d-4e8b-a7c6-3d1f0e2b9a8412345\"", "\"boot_id\": longer" },
	{ "boot_id", "\"0b5e4c1a_9f2d-4e8b-a7c6-3d1f0e2b9a84\"", "\"boot_id\"" },
	{ "cpus", "\"3-0\"", "\"cpus\"" },
	{ "cpus", "\"0,1\"", "\"cpus\": not in canonical form (\"0-1\")" },
	{ "cpus", "\"0-3:1/2\"", "\"cpus\": not in canonical form (\"0,2\")" },
	{ "cpus", "\" 0\"", "\"cpus\": not in canonical form" },
	{ "cpus", "\"0\\n\"", "\"cpus\": not in canonical form" },
	{ "cpus", "\"8192\"", "\"cpus\"" },
	{ "cpus", "\"x\"", "\"cpus\"" },
	{ "cpus", "5", "\"cpus\": expected string, not int" },
	{ "mems", "\"1,0\"", "\"mems\": not in canonical form (\"0-1\")" },
	{ "exclusive", "\"-1\"", "\"exclusive\"" },
	{ "nodes", "\"0-1,2\"", "\"nodes\": not in canonical form (\"0-2\")" },
	{ "vcpus", "-1", "\"vcpus\": out of range" },
	{ "vcpus", "4294967296", "\"vcpus\": out of range" },
	{ "vcpus", "1.5", "\"vcpus\": expected int" },
	{ "memory", "-1", "\"memory\": out of range" },
	{ "memory", "9223372036854775808", "\"memory\": out of range" },
	{ "advisor", "\"magic\"", "\"advisor\": expected one of builtin, numad, static" },
	{ "advisor", "null", "\"advisor\": expected string, not null" },
	{ "fallback", "\"yes\"", "\"fallback\": expected boolean, not string" },
	{ "fallback", "1", "\"fallback\": expected boolean, not int" },
	{ "reason", "\"a\\u0000b\"", "\"reason\": contains a NUL" },
	{ "reason", "null", "\"reason\": expected string, not null" },
	{ "bookings", "{}", "\"bookings\": expected array, not object" },
	{ "bookings", "[1]", "\"bookings[0]\": expected object, not int" },
	{ "bookings", "[{\"vcpus\":1,\"memory\":0}]", "\"bookings[0].node\": missing" },
	{ "bookings", "[{\"node\":0,\"memory\":0}]", "\"bookings[0].vcpus\": missing" },
	{ "bookings", "[{\"node\":0,\"vcpus\":1}]", "\"bookings[0].memory\": missing" },
	{ "bookings", "[{\"node\":8192,\"vcpus\":1,\"memory\":0}]",
	  "\"bookings[0].node\": out of range 0..8191" },
	{ "bookings", "[{\"node\":0,\"vcpus\":-1,\"memory\":0}]", "\"bookings[0].vcpus\"" },
	{ "bookings", "[{\"node\":0,\"vcpus\":1,\"memory\":9223372036854775808}]",
	  "\"bookings[0].memory\": out of range" },
	{ "bookings", "[{\"node\":1,\"vcpus\":1,\"memory\":0},{\"node\":0,\"vcpus\":1,\"memory\":0}]",
	  "\"bookings[1].node\": 0 is not above the previous node 1" },
	{ "bookings", "[{\"node\":2,\"vcpus\":1,\"memory\":0},{\"node\":2,\"vcpus\":1,\"memory\":0}]",
	  "\"bookings[1].node\": 2 is not above" },
	{ "bookings", "[{\"node\":0,\"vcpus\":1,\"memory\":0,\"extra\":1}]",
	  "unknown field \"extra\" in \"bookings[0]\"" },
	{ "bookings", "[{\"node\":\"0\",\"vcpus\":1,\"memory\":0}]",
	  "\"bookings[0].node\": expected int, not string" },
	{ "cgroup", "\"/numaplace/web-1\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"numaplace/../../etc\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"..\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"a//b\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"a/\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"./a\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"\"", "\"cgroup\": not a relative path" },
	{ "cgroup", "\"a\\nb\"", "\"cgroup\": contains a control character" },
	{ "cgroup", "5", "\"cgroup\": expected string or null, not int" },
	{ "cgroup_owned", "\"no\"", "\"cgroup_owned\": expected boolean" },
	{ "time", "-1", "\"time\": out of range" },
	{ "time", "1e9", "\"time\": expected int, not double" },
	{ "extra", "1", "unknown field \"extra\"" },
	{ "a\nb\x01", "1", "unknown field \"a\\nb\\x01\"" },
};

static void test_bad_fields(void **state)
{
	_cleanup_free_ char *valid = full_json();

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(field_rows); i++) {
		_cleanup_free_ char *text = with_field(valid, field_rows[i].key,
						       field_rows[i].literal);

		assert_rejected(text, strlen(text), field_rows[i].why);
	}
}

static void test_missing_fields(void **state)
{
	static const char *const keys[] = {
		"version", "name", "phase", "pid", "pid_start", "boot_id", "cpus", "mems",
		"exclusive", "nodes", "vcpus", "memory", "advisor", "fallback", "reason",
		"bookings", "cgroup", "cgroup_owned", "time", "frontend", "numad_vcpus",
		"numad_mb", "claimed",
	};
	_cleanup_free_ char *valid = full_json();

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *text = with_field(valid, keys[i], NULL);
		_cleanup_free_ char *why = NULL;

		assert_true(asprintf(&why, "field \"%s\": missing", keys[i]) > 0);
		assert_rejected(text, strlen(text), why);
	}
}

struct text_row {
	const char *from;
	const char *to;
	const char *why;
};

/* Literals json-c would never print, spliced into the text. */
static const struct text_row text_rows[] = {
	{ "\"pid\":4242", "\"pid\":99999999999999999999", "\"pid\": out of range" },
	{ "\"pid\":4242", "\"pid\":-99999999999999999999", "\"pid\": out of range" },
	{ "\"memory\":8589934592", "\"memory\":184467440737095516160", "\"memory\": out of range" },
	{ "\"time\":1700000000", "\"time\":-9223372036854775809", "\"time\": out of range" },
	{ "\"pid\":4242", "\"pid\":04242", "invalid JSON" },
	{ "\"pid\":4242", "\"pid\":0x10", "invalid JSON" },
	{ "\"pid\":4242", "\"pid\":NaN", "\"pid\": expected int, not double" },
	{ "\"fallback\":true", "\"fallback\":TRUE", "invalid JSON" },
	{ "\"reason\":\"numad", "\"reason\":\"\xff", "invalid JSON" },
	{ "\"reason\":\"numad", "\"reason\":\"\xc0\x80", "\"reason\": not valid UTF-8" },
	{ "\"reason\":\"numad", "\"reason\":\"\xed\xa0\x80", "\"reason\": not valid UTF-8" },
	{ "\"reason\":\"numad", "\"reason\":\"\xf4\x90\x80\x80", "\"reason\": not valid UTF-8" },
	{ "\"claimed\":true}", "\"claimed\":true,}", "invalid JSON" },
	{ "true}", "true}x", "invalid JSON at byte" },
	{ "true}", "true} {}", "invalid JSON at byte" },
	{ "true}", "true}\n\n{", "invalid JSON at byte" },
	{ "\"bookings\":[", "\"bookings\":[[[", "invalid JSON" },
};

static void test_bad_text(void **state)
{
	_cleanup_free_ char *valid = full_json();

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(text_rows); i++) {
		_cleanup_free_ char *text = with_text(valid, text_rows[i].from, text_rows[i].to);

		assert_rejected(text, strlen(text), text_rows[i].why);
	}
}

static void test_bad_documents(void **state)
{
	_cleanup_free_ char *valid = full_json();
	_cleanup_free_ char *array = NULL;
	_cleanup_free_ char *nul = NULL;
	_cleanup_free_ char *big = NULL;
	size_t len = strlen(valid);

	(void)state;
	assert_rejected("", 0, "empty record");
	assert_rejected("null\n", 5, "not a JSON object");
	assert_rejected("\"web-1\" ", 8, "not a JSON object");
	assert_rejected("{}", 2, "\"version\": missing");
	assert_true(asprintf(&array, "[%s]", valid) > 0);
	assert_rejected(array, strlen(array), "nesting too deep");
	assert_rejected("[1]", 3, "not a JSON object");
	nul = malloc(len + 2);
	memcpy(nul, valid, len);
	memcpy(nul + len, "\0x", 2);
	assert_rejected(nul, len + 2, "trailing bytes at byte");
	big = malloc(NP_RECORD_TEXT_MAX + 1);
	memset(big, ' ', NP_RECORD_TEXT_MAX + 1);
	memcpy(big, valid, len);
	assert_rejected(big, NP_RECORD_TEXT_MAX + 1, "larger than");
}

/* Blanks around the object are not trailing garbage (files end in "\n"). */
static void test_blanks_accepted(void **state)
{
	_cleanup_free_ char *valid = full_json();
	_cleanup_free_ char *padded = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_record a, b;

	(void)state;
	assert_true(asprintf(&padded, " \n\t%s \r\n", valid) > 0);
	if (np_record_from_json(padded, strlen(padded), &a, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(np_record_from_json(valid, strlen(valid), &b, NULL), 0);
	assert_true(np_record_equal(&a, &b));
	np_record_clear(&a);
	np_record_clear(&b);
}

/* Every proper prefix of a valid record is an error, never a crash. */
static void test_truncated_everywhere(void **state)
{
	_cleanup_free_ char *valid = full_json();
	size_t len = strlen(valid);
	struct np_record rec;

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		/* An exact-size heap copy, so ASan sees any read past the end. */
		char *prefix = malloc(cut ? cut : 1);
		struct np_err err = NP_ERR_INIT;

		memcpy(prefix, valid, cut);
		memset(&rec, 0x5a, sizeof(rec));
		assert_int_not_equal(np_record_from_json(prefix, cut, &rec, &err), 0);
		assert_true(err.input);
		assert_int_equal(((unsigned char *)&rec)[0], 0x5a);
		np_err_clear(&err);
		free(prefix);
	}
	assert_int_equal(np_record_from_json(valid, len, &rec, NULL), 0);
	np_record_clear(&rec);
}

/* The writer refuses what the reader would refuse. */
static void test_to_json_refuses_invalid(void **state)
{
	struct np_err err = NP_ERR_INIT;
	struct np_record rec;
	char *text = NULL;

	(void)state;
	make_full(&rec);
	rec.bookings[2].node = 1;
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bookings[2].node"));
	assert_null(text);
	rec.bookings[2].node = 3;
	strcpy(rec.name, "../x");
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"name\""));
	strcpy(rec.name, "ok");
	free(rec.cgroup);
	rec.cgroup = strdup("a/../b");
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"cgroup\""));
	free(rec.reason);
	rec.reason = strdup("\xc3");
	free(rec.cgroup);
	rec.cgroup = NULL;
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"reason\": not valid UTF-8"));
	rec.reason[0] = 'x';
	rec.pid = -2;
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"pid\""));
	rec.pid = 1;
	rec.phase = (enum np_phase)9;
	assert_int_equal(np_record_to_json(&rec, &text, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"phase\""));
	rec.phase = NP_PHASE_RESERVED;
	assert_int_equal(np_record_to_json(&rec, &text, &err), 0);
	free(text);
	np_err_clear(&err);
	np_record_clear(&rec);
}

/* A version 1 record (before front ends were noted) still reads: as made
 * by an unknown front end, with no numad request. Version 1 with a
 * version 2 field is refused. */
static void test_version1(void **state)
{
	static const char v1[] =
		"{\"version\":1,\"name\":\"web-1\",\"phase\":\"placed\",\"pid\":4242,"
		"\"pid_start\":1,\"boot_id\":\"\",\"cpus\":\"0-3\",\"mems\":\"0\","
		"\"exclusive\":\"\",\"nodes\":\"0\",\"vcpus\":4,\"memory\":0,"
		"\"advisor\":\"builtin\",\"fallback\":false,\"reason\":\"r\",\"bookings\":[],"
		"\"cgroup\":null,\"cgroup_owned\":false,\"time\":5}";
	_cleanup_free_ char *mixed = NULL;
	struct np_record rec;

	(void)state;
	memset(&rec, 0xff, sizeof(rec));
	assert_int_equal(np_record_from_json(v1, strlen(v1), &rec, NULL), 0);
	assert_string_equal(rec.name, "web-1");
	assert_int_equal(rec.pid, 4242);
	assert_int_equal(rec.frontend, NP_FRONTEND_UNKNOWN);
	assert_int_equal(rec.numad_vcpus, 0);
	assert_int_equal(rec.numad_mb, 0);
	assert_false(rec.claimed);
	np_record_clear(&rec);
	assert_true(asprintf(&mixed, "%.*s,\"claimed\":true}", (int)strlen(v1) - 1, v1) > 0);
	assert_rejected(mixed, strlen(mixed), "unknown field \"claimed\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_round_trip_minimal),
		cmocka_unit_test(test_round_trip_limits),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_equal_reason_null),
		cmocka_unit_test(test_phase_name),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_version1_reads),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_blanks_accepted),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_to_json_refuses_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
