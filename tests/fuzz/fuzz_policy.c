/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz the policy loader. The input is one or more files separated by a
 * form feed (0x0c): the first is the main file, the others its drop-ins
 * 00.conf, 01.conf, … (at most 8). They are written to a scratch directory,
 * loaded, and when the load succeeds a few guests are resolved, printed and
 * checked against a small hand-built machine. Everything must be freed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "policy.h"
#include "topology.h"

#define NP_FUZZ_MAX_DROPINS 8

static char np_fuzz_dir[] = "/tmp/np-fuzz-policy-XXXXXX";
static char *np_fuzz_main;

static void np_fuzz_remove_dropins(void)
{
	for (unsigned i = 0; i < NP_FUZZ_MAX_DROPINS; i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s.d/%02u.conf", np_fuzz_main, i) >= 0)
			unlink(path);
	}
}

static void np_fuzz_cleanup(void)
{
	_cleanup_free_ char *dropins = NULL;

	np_fuzz_remove_dropins();
	if (asprintf(&dropins, "%s.d", np_fuzz_main) >= 0)
		rmdir(dropins);
	unlink(np_fuzz_main);
	rmdir(np_fuzz_dir);
	free(np_fuzz_main);
}

static int np_fuzz_init(void)
{
	_cleanup_free_ char *dropins = NULL;

	if (np_fuzz_main)
		return 0;
	if (!mkdtemp(np_fuzz_dir) || asprintf(&np_fuzz_main, "%s/p.conf", np_fuzz_dir) < 0)
		return -1;
	if (asprintf(&dropins, "%s.d", np_fuzz_main) < 0 || mkdir(dropins, 0700) < 0)
		return -1;
	atexit(np_fuzz_cleanup);
	return 0;
}

static void np_fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

/* Chunk `i` goes to the main file (i == 0) or to drop-in i-1. */
static void np_fuzz_write_chunk(unsigned i, const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = NULL;

	if (i == 0) {
		np_fuzz_write(np_fuzz_main, data, size);
		return;
	}
	if (asprintf(&path, "%s.d/%02u.conf", np_fuzz_main, i - 1) < 0)
		abort();
	np_fuzz_write(path, data, size);
}

static void np_fuzz_split(const uint8_t *data, size_t size)
{
	unsigned chunk = 0;
	size_t start = 0;

	np_fuzz_remove_dropins();
	for (size_t i = 0; i <= size && chunk <= NP_FUZZ_MAX_DROPINS; i++) {
		if (i < size && data[i] != '\f')
			continue;
		np_fuzz_write_chunk(chunk++, data + start, i - start);
		start = i + 1;
	}
}

/* Two nodes: 0 with CPUs 0-1, 1 with CPUs 2-3. */
static void np_fuzz_machine(struct np_topology *t, struct np_node *nodes)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < 2; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].id = i;
		np_cpuset_add_range(&nodes[i].cpus, 2 * i, 2 * i + 1);
		np_cpuset_add(&t->node_ids, i);
	}
	np_cpuset_add_range(&t->cpus, 0, 3);
	t->nnodes = 2;
	t->nodes = nodes;
}

static void np_fuzz_settings(const struct np_settings *s, const struct np_topology *t)
{
	struct np_err err = NP_ERR_INIT;

	for (int k = 0; k < NP_KEY_COUNT; k++)
		free(np_settings_value(s, (enum np_key)k));
	np_settings_check_machine(s, t, &err);
	np_err_clear(&err);
}

static void np_fuzz_use(const struct np_policy *policy)
{
	static const char *const names[] = {
		"web-1", "web-10", "db1", "a", "x", "numaplace", "../x", "",
	};
	struct np_err err = NP_ERR_INIT;
	struct np_diags diags = { 0 };
	struct np_node nodes[2];
	struct np_topology t;
	struct np_settings s;

	np_fuzz_machine(&t, nodes);
	for (size_t i = 0; i < NP_ARRAY_SIZE(names); i++) {
		if (np_policy_resolve(policy, names[i], &s, &err) == 0)
			np_fuzz_settings(&s, &t);
		np_err_clear(&err);
	}
	np_policy_placement(policy, &s);
	np_fuzz_settings(&s, &t);
	np_policy_check_machine(policy, &t, &diags, &err);
	np_diags_clear(&diags);
	np_err_clear(&err);
}

/* No problem may point past the input's last line. */
static void np_fuzz_check_lines(const struct np_diags *diags, const uint8_t *data, size_t size)
{
	unsigned lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (unsigned i = 0; i < diags->n; i++)
		if (diags->items[i].line > lines || !diags->items[i].msg[0])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_policy *policy = NULL;
	struct np_err err = NP_ERR_INIT;
	struct np_diags diags = { 0 };

	if (np_fuzz_init() < 0)
		abort();
	np_fuzz_split(data, size);
	if (np_policy_load(np_fuzz_main, true, &policy, &diags, &err) == 0) {
		if (diags.n != 0 || err.msg)
			abort();
		np_fuzz_use(policy);
	} else if (diags.n == 0 || !err.msg || !err.input) {
		abort();
	}
	np_fuzz_check_lines(&diags, data, size);
	np_policy_free(policy);
	np_diags_clear(&diags);
	np_err_clear(&err);
	return 0;
}
