/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/topology: every capture in tests/fixtures/topologies against its
 * .facts sidecar (written independently with the hwloc tools), the
 * synthetic and CPU-less fixtures, directory sources generated from the
 * facts by tests/tools/facts-to-sysfs.sh in both sysfs forms, broken
 * captures, and the live machine against /sys/devices/system/node.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <hwloc.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "cpulist.h"
#include "topology.h"

#define TOPOLOGIES NP_FIXTURES "/topologies"
#define FACTS_TO_SYSFS NP_FIXTURES "/../tools/facts-to-sysfs.sh"
#define LIVE_NODES "/sys/devices/system/node"

/* ---- .facts sidecars: `key=value` lines, `#` comments ---- */

struct facts {
	size_t n;
	char **keys;
	char **values;
};

static void facts_free(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->keys[i]);
		free(f->values[i]);
	}
	free(f->keys);
	free(f->values);
}

static void facts_add(struct facts *f, const char *line)
{
	const char *eq = strchr(line, '=');
	size_t vlen;

	assert_non_null(eq);
	f->keys = realloc(f->keys, (f->n + 1) * sizeof(*f->keys));
	f->values = realloc(f->values, (f->n + 1) * sizeof(*f->values));
	assert_non_null(f->keys);
	assert_non_null(f->values);
	f->keys[f->n] = strndup(line, (size_t)(eq - line));
	vlen = strcspn(eq + 1, "\n");
	f->values[f->n] = strndup(eq + 1, vlen);
	f->n++;
}

static void facts_load(const char *path, struct facts *f)
{
	_cleanup_fclose_ FILE *in = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	memset(f, 0, sizeof(*f));
	assert_non_null(in);
	while (getline(&line, &cap, in) > 0)
		if (line[0] != '#' && line[0] != '\n')
			facts_add(f, line);
	assert_true(f->n > 0);
}

/* The value of `key`, failing the test when it is missing. */
static const char *fact(const struct facts *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0)
			return f->values[i];
	fail_msg("fact %s missing", key);
	return NULL;
}

/* The value of PREFIX<N> (node3=, mem3=, dist3=). */
static const char *factn(const struct facts *f, const char *prefix, unsigned n)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%u", prefix, n);
	return fact(f, key);
}

static struct np_cpuset fact_set(const char *value)
{
	struct np_cpuset set;

	assert_int_equal(np_cpulist_parse(value, NP_CPULIST_KERNEL, &set, NULL), 0);
	return set;
}

static uint64_t fact_u64(const char *value)
{
	char *end;
	unsigned long long v = strtoull(value, &end, 10);

	assert_true(end != value && *end == '\0');
	return v;
}

/* ---- checks against the facts ---- */

static void check_set(const struct np_cpuset *have, const struct np_cpuset *want, const char *what)
{
	if (!np_cpuset_equal(have, want)) {
		_cleanup_free_ char *h = np_cpulist_format(have);
		_cleanup_free_ char *w = np_cpulist_format(want);

		fail_msg("%s: have [%s], want [%s]", what, h, w);
	}
}

static void check_distances(const struct np_topology *topo, const struct facts *f)
{
	if (strcmp(fact(f, "distances"), "yes") != 0) {
		assert_true(topo->distances_default);
		return;
	}
	assert_false(topo->distances_default);
	for (unsigned a = 0; a < topo->nnodes; a++) {
		_cleanup_free_ char *row = strdup(factn(f, "dist", topo->nodes[a].id));
		char *save = NULL, *tok = strtok_r(row, " ", &save);

		for (unsigned b = 0; b < topo->nnodes; b++, tok = strtok_r(NULL, " ", &save)) {
			assert_non_null(tok);
			assert_int_equal(np_topology_distance(topo, a, b), fact_u64(tok));
		}
		assert_null(tok);
	}
}

static void check_nodes(const struct np_topology *topo, const struct facts *f)
{
	struct np_cpuset ids = fact_set(fact(f, "node_ids"));
	struct np_cpuset cpuless = fact_set(fact(f, "cpuless_nodes"));

	assert_int_equal(topo->nnodes, fact_u64(fact(f, "nodes")));
	check_set(&topo->node_ids, &ids, "node ids");
	for (unsigned i = 0; i < topo->nnodes; i++) {
		const struct np_node *node = &topo->nodes[i];
		struct np_cpuset want = fact_set(factn(f, "node", node->id));
		char what[32];

		if (i)
			assert_true(node->id > topo->nodes[i - 1].id);
		snprintf(what, sizeof(what), "node%u cpus", node->id);
		check_set(&node->cpus, &want, what);
		assert_int_equal(node->memory_total, fact_u64(factn(f, "mem", node->id)));
		assert_int_equal(np_cpuset_empty(&node->cpus), np_cpuset_has(&cpuless, node->id));
	}
}

static void check_cores(const struct np_topology *topo, const struct facts *f)
{
	unsigned smt = (unsigned)fact_u64(fact(f, "smt_threads_per_core"));
	struct np_cpuset seen;

	np_cpuset_zero(&seen);
	assert_int_equal(topo->ncores, fact_u64(fact(f, "cores")));
	for (unsigned i = 0; i < topo->ncores; i++) {
		const struct np_core *core = &topo->cores[i];

		assert_int_equal(np_cpuset_count(&core->pus), smt);
		assert_false(np_cpuset_intersects(&core->pus, &seen));
		assert_true(core->node < topo->nnodes);
		assert_true(np_cpuset_subset(&core->pus, &topo->nodes[core->node].cpus));
		if (i)
			assert_true(np_cpuset_next(&core->pus, 0) >
				    np_cpuset_next(&topo->cores[i - 1].pus, 0));
		np_cpuset_or(&seen, &seen, &core->pus);
	}
	check_set(&seen, &topo->cpus, "cores");
}

/* Everything the facts say; the caller checks memory_free. */
static void check_facts(const struct np_topology *topo, const struct facts *f)
{
	struct np_cpuset cpus = fact_set(fact(f, "cpus"));

	check_set(&topo->cpus, &cpus, "cpus");
	check_nodes(topo, f);
	check_distances(topo, f);
	check_cores(topo, f);
}

static struct np_topology *load_ok(const char *source)
{
	struct np_err err = NP_ERR_INIT;
	struct np_topology *topo = NULL;

	if (np_topology_load(source, &topo, &err) < 0)
		fail_msg("load %s: %s", source ? source : "live", err.msg);
	assert_non_null(topo);
	return topo;
}

/* ---- every XML capture against its sidecar ---- */

static int is_facts(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 6 && strcmp(d->d_name + len - 6, ".facts") == 0;
}

static void check_capture(const char *facts_name)
{
	_cleanup_free_ char *facts_path = NULL;
	_cleanup_free_ char *xml = NULL;
	struct np_topology *topo;
	struct facts f;

	assert_true(asprintf(&facts_path, "%s/%s", TOPOLOGIES, facts_name) > 0);
	facts_load(facts_path, &f);
	assert_true(asprintf(&xml, "%s/%s", TOPOLOGIES, fact(&f, "file")) > 0);
	topo = load_ok(xml);
	assert_string_equal(topo->source, xml);
	check_facts(topo, &f);
	for (unsigned i = 0; i < topo->nnodes; i++)
		assert_int_equal(topo->nodes[i].memory_free, topo->nodes[i].memory_total);
	np_topology_free(topo);
	facts_free(&f);
}

static void test_every_capture(void **state)
{
	struct dirent **names = NULL;
	int n = scandir(TOPOLOGIES, &names, is_facts, alphasort);

	(void)state;
	assert_true(n >= 6);
	for (int i = 0; i < n; i++) {
		print_message("checking %s\n", names[i]->d_name);
		check_capture(names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* ---- the synthetic 64-node machine ---- */

static void test_synthetic_asym(void **state)
{
	struct np_topology *topo = load_ok(TOPOLOGIES "/64n-synthetic-asym.xml");
	unsigned best = UINT_MAX, ba = 0, bb = 0, nbest = 0;
	bool asymmetric = false;

	(void)state;
	assert_int_equal(topo->nnodes, 64);
	for (unsigned a = 0; a < topo->nnodes; a++) {
		assert_int_equal(np_topology_distance(topo, a, a), 10);
		for (unsigned b = a + 1; b < topo->nnodes; b++) {
			unsigned d = np_topology_distance(topo, a, b);

			asymmetric |= d != np_topology_distance(topo, b, a);
			if (d < best) {
				best = d, ba = a, bb = b, nbest = 0;
			}
			nbest += d == best;
		}
	}
	assert_true(asymmetric);
	assert_int_equal(nbest, 1);
	assert_int_not_equal(ba, 0);
	assert_int_equal(topo->nodes[ba].id, 5);
	assert_int_equal(topo->nodes[bb].id, 6);
	assert_int_equal(np_topology_distance(topo, bb, ba), best);
	np_topology_free(topo);
}

/* ---- CPU-less nodes: hwloc's cpuset is not the kernel's ---- */

/* hwloc's own cpuset of node `id` in `xml`. */
static struct np_cpuset hwloc_node_cpuset(const char *xml, unsigned id)
{
	struct np_cpuset set;
	hwloc_topology_t hw;
	hwloc_obj_t node;
	unsigned cpu;

	np_cpuset_zero(&set);
	assert_int_equal(hwloc_topology_init(&hw), 0);
	assert_int_equal(hwloc_topology_set_xml(hw, xml), 0);
	assert_int_equal(hwloc_topology_load(hw), 0);
	node = hwloc_get_numanode_obj_by_os_index(hw, id);
	assert_non_null(node);
	hwloc_bitmap_foreach_begin(cpu, node->cpuset)
		np_cpuset_add(&set, cpu);
	hwloc_bitmap_foreach_end();
	hwloc_topology_destroy(hw);
	return set;
}

static void test_cpuless(void **state)
{
	const char *xml = TOPOLOGIES "/6n-8pu-2cpuless.xml";
	struct np_topology *topo = load_ok(xml);
	struct np_cpuset h4 = hwloc_node_cpuset(xml, 4), h5 = hwloc_node_cpuset(xml, 5);
	int i4 = np_topology_node_index(topo, 4), i5 = np_topology_node_index(topo, 5);
	int i1 = np_topology_node_index(topo, 1);

	(void)state;
	assert_true(i4 >= 0 && i5 >= 0 && i1 >= 0);
	/* hwloc attaches both to CPUs: node4 exactly like node1. */
	check_set(&h4, &topo->nodes[i1].cpus, "hwloc node4");
	assert_int_equal(np_cpuset_count(&h5), 4);
	assert_true(np_cpuset_empty(&topo->nodes[i4].cpus));
	assert_true(np_cpuset_empty(&topo->nodes[i5].cpus));
	assert_int_equal(np_cpuset_count(&topo->nodes[i1].cpus), 2);
	assert_true(topo->nodes[i5].memory_total > 0);
	for (unsigned c = 0; c < topo->ncores; c++)
		assert_true(topo->cores[c].node != (unsigned)i4 && topo->cores[c].node != (unsigned)i5);
	np_topology_free(topo);
}

/* ---- a topology narrowed to a pool (a cgroup parent's cpuset) ---- */

static void test_pool(void **state)
{
	struct np_topology *topo = load_ok(TOPOLOGIES "/4n-amd64-8pu.xml"), *pool = NULL;
	struct np_cpuset cpus, mems, want;
	struct np_err err = NP_ERR_INIT;
	int first1 = np_cpuset_next(&topo->nodes[1].cpus, 0);
	unsigned pus = 0;

	(void)state;
	assert_int_equal(topo->nnodes, 4);
	np_cpuset_zero(&cpus);
	np_cpuset_zero(&mems);
	np_cpuset_add(&cpus, (unsigned)first1);
	np_cpuset_or(&cpus, &cpus, &topo->nodes[2].cpus);
	np_cpuset_or(&cpus, &cpus, &topo->nodes[0].cpus); /* node 0 is not in mems */
	np_cpuset_add_range(&mems, 1, 3);
	assert_int_equal(np_topology_pool(topo, &cpus, &mems, &pool, &err), 0);
	assert_int_equal(pool->nnodes, 3);
	check_set(&pool->node_ids, &mems, "pool node ids");
	assert_int_equal(pool->nodes[0].id, 1);
	assert_int_equal(np_cpuset_count(&pool->nodes[0].cpus), 1);
	assert_true(np_cpuset_has(&pool->nodes[0].cpus, (unsigned)first1));
	check_set(&pool->nodes[1].cpus, &topo->nodes[2].cpus, "node 2 whole");
	assert_true(np_cpuset_empty(&pool->nodes[2].cpus)); /* node 3: memory only now */
	assert_int_equal(pool->nodes[2].memory_total, topo->nodes[3].memory_total);
	np_cpuset_or(&want, &pool->nodes[0].cpus, &pool->nodes[1].cpus);
	check_set(&pool->cpus, &want, "pool cpus");
	for (unsigned a = 0; a < 3; a++)
		for (unsigned b = 0; b < 3; b++)
			assert_int_equal(np_topology_distance(pool, a, b),
					 np_topology_distance(topo, a + 1, b + 1));
	for (unsigned c = 0; c < pool->ncores; c++) {
		assert_true(np_cpuset_subset(&pool->cores[c].pus, &pool->nodes[pool->cores[c].node].cpus));
		pus += np_cpuset_count(&pool->cores[c].pus);
	}
	assert_int_equal(pus, np_cpuset_count(&pool->cpus));
	np_topology_free(pool);
	np_topology_free(topo);
}

/* ---- lookups ---- */

static void test_lookups(void **state)
{
	struct np_topology *topo = load_ok(TOPOLOGIES "/8n-ppc64-256pu-smt4-sparseids.xml");

	(void)state;
	assert_int_equal(np_topology_node_index(topo, 0), 0);
	assert_int_equal(np_topology_node_index(topo, 4), 2);
	assert_int_equal(np_topology_node_index(topo, 13), 7);
	assert_int_equal(np_topology_node_index(topo, 2), -1);
	assert_int_equal(np_topology_node_index(topo, 14), -1);
	assert_int_equal(np_topology_distance(topo, 0, 2), 40);
	assert_int_equal(np_topology_distance(topo, 8, 0), UINT_MAX);
	np_topology_free(topo);
}

/* ---- broken captures ---- */

static char *tmp_dir(void)
{
	char *dir = strdup("/tmp/np-topology-test.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	_cleanup_free_ char *cmd = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	assert_true(r > 0);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
}

/* Loading `source` fails with an input error naming it; *out untouched. */
static void check_input_error(const char *source, const char *why)
{
	struct np_topology *sentinel = (struct np_topology *)&sentinel;
	struct np_topology *topo = sentinel;
	struct np_err err = NP_ERR_INIT;

	assert_true(np_topology_load(source, &topo, &err) < 0);
	assert_ptr_equal(topo, sentinel);
	assert_true(err.input);
	assert_non_null(err.msg);
	print_message("%s\n", err.msg);
	assert_non_null(strstr(err.msg, source));
	assert_non_null(strstr(err.msg, why));
	np_err_clear(&err);
}

static void test_bad_xml(void **state)
{
	_cleanup_free_ char *dir = tmp_dir();
	_cleanup_free_ char *truncated = NULL, *garbage = NULL, *empty = NULL, *none = NULL;
	static const char bytes[] = "\x7f" "ELF\x02\x01\x01 not xml at all <<<<";
	static const char no_topo[] = "<?xml version=\"1.0\"?>\n<topology version=\"2.0\"></topology>\n";

	(void)state;
	assert_true(asprintf(&truncated, "%s/truncated.xml", dir) > 0);
	assert_true(asprintf(&garbage, "%s/garbage.xml", dir) > 0);
	assert_true(asprintf(&empty, "%s/empty.xml", dir) > 0);
	assert_true(asprintf(&none, "%s/missing.xml", dir) > 0);
	assert_int_equal(run("head -c 5000 %s/4n-amd64-8pu.xml > %s", TOPOLOGIES, truncated), 0);
	write_file(garbage, bytes, sizeof(bytes) - 1);
	write_file(empty, "", 0);
	check_input_error(truncated, "not a valid hwloc XML topology");
	check_input_error(garbage, "not a valid hwloc XML topology");
	check_input_error(empty, "not a valid hwloc XML topology");
	check_input_error(none, "No such file or directory");
	write_file(empty, no_topo, sizeof(no_topo) - 1);
	check_input_error(empty, "not a valid hwloc XML topology");
	check_input_error("/dev/null", "neither an hwloc XML file nor a directory");
	assert_int_equal(run("rm -rf %s", dir), 0);
}

/* ---- directory sources made from the facts ---- */

/* Generate a sys/ tree for FACTS in a new directory and point HWLOC_FSROOT at it. */
static char *make_tree(const char *facts, const char *options)
{
	char *dir = tmp_dir();

	assert_int_equal(run("bash %s %s %s %s", FACTS_TO_SYSFS, options, facts, dir), 0);
	assert_int_equal(setenv("HWLOC_FSROOT", dir, 1), 0);
	return dir;
}

static void check_tree(const char *facts_name, const char *options, bool memfree)
{
	_cleanup_free_ char *facts_path = NULL;
	_cleanup_free_ char *dir = NULL;
	struct np_topology *topo;
	struct facts f;

	assert_true(asprintf(&facts_path, "%s/%s", TOPOLOGIES, facts_name) > 0);
	print_message("tree %s %s\n", facts_name, options);
	facts_load(facts_path, &f);
	dir = make_tree(facts_path, options);
	topo = load_ok(dir);
	check_facts(topo, &f);
	for (unsigned i = 0; i < topo->nnodes; i++) {
		uint64_t total = topo->nodes[i].memory_total;

		/* facts-to-sysfs.sh writes MemFree = MemTotal / 2 in kB. */
		assert_int_equal(topo->nodes[i].memory_free, memfree ? total / 1024 / 2 * 1024 : total);
	}
	np_topology_free(topo);
	facts_free(&f);
	assert_int_equal(run("rm -rf %s", dir), 0);
	unsetenv("HWLOC_FSROOT");
}

static void test_dir_sources(void **state)
{
	static const char *const captures[] = {
		"2n-x86_64-32pu-smt2.facts", "4n-amd64-8pu.facts",
		"8n-ppc64-256pu-smt4-sparseids.facts", "6n-8pu-2cpuless.facts",
	};

	(void)state;
	for (size_t i = 0; i < NP_ARRAY_SIZE(captures); i++) {
		check_tree(captures[i], "--form new", true);
		check_tree(captures[i], "--form old", true);
	}
	check_tree("6n-8pu-2cpuless.facts", "--form old --no-memfree", false);
}

/* A CPU-less node with a LOWER id than the node whose CPUs hwloc lends it:
 * hwloc's cpusets cannot tell the two apart, the kernel's files can. */
static void test_dir_cpuless_low_id(void **state)
{
	static const char facts_text[] =
		"nodes=3\nnode_ids=0-2\npackages=2\ncores=4\npus=8\n"
		"smt_threads_per_core=2\ncpus=0-7\ncpuless_nodes=0\n"
		"node0=\nnode1=0-3\nnode2=4-7\n"
		"mem0=4294967296\nmem1=8589934592\nmem2=8589934592\n"
		"distances=yes\ndist0=10 15 25\ndist1=15 10 20\ndist2=25 20 10\n";
	_cleanup_free_ char *work = tmp_dir();
	_cleanup_free_ char *facts_path = NULL;
	_cleanup_free_ char *dir = NULL;
	struct np_topology *topo;
	struct facts f;

	(void)state;
	assert_true(asprintf(&facts_path, "%s/low.facts", work) > 0);
	write_file(facts_path, facts_text, sizeof(facts_text) - 1);
	facts_load(facts_path, &f);
	dir = make_tree(facts_path, "--form old");
	topo = load_ok(dir);
	check_facts(topo, &f);
	np_topology_free(topo);
	facts_free(&f);
	unsetenv("HWLOC_FSROOT");
	assert_int_equal(run("rm -rf %s %s", dir, work), 0);
}

static void test_dir_needs_fsroot(void **state)
{
	_cleanup_free_ char *dir = make_tree(TOPOLOGIES "/4n-amd64-8pu.facts", "");
	_cleanup_free_ char *empty = tmp_dir();

	(void)state;
	unsetenv("HWLOC_FSROOT");
	check_input_error(dir, "HWLOC_FSROOT must name this directory");
	assert_int_equal(setenv("HWLOC_FSROOT", empty, 1), 0);
	check_input_error(dir, "HWLOC_FSROOT must name this directory");
	check_input_error(empty, "no sys/devices/system/cpu");
	unsetenv("HWLOC_FSROOT");
	assert_int_equal(run("rm -rf %s %s", dir, empty), 0);
}

/* ---- the live machine against /sys/devices/system/node ---- */

static char *read_text(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t cap = 0;

	assert_non_null(f);
	assert_true(getdelim(&text, &cap, '\0', f) >= 0);
	return text;
}

/* nodeN/distance: the row of node N, columns in ascending node id. */
static void check_live_distances(const struct np_topology *topo, const char *node_dir, unsigned a)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	char *save = NULL, *tok;

	assert_true(asprintf(&path, "%s/distance", node_dir) > 0);
	text = read_text(path);
	tok = strtok_r(text, " \n", &save);
	for (unsigned b = 0; b < topo->nnodes; b++, tok = strtok_r(NULL, " \n", &save)) {
		assert_non_null(tok);
		assert_int_equal(np_topology_distance(topo, a, b), strtoul(tok, NULL, 10));
	}
	assert_null(tok);
}

static void check_live_node(const struct np_topology *topo, const char *node_dir)
{
	unsigned id = (unsigned)strtoul(strrchr(node_dir, '/') + strlen("/node"), NULL, 10);
	int i = np_topology_node_index(topo, id);
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	const char *total;
	struct np_cpuset want;

	assert_true(i >= 0);
	assert_true(asprintf(&path, "%s/cpulist", node_dir) > 0);
	text = read_text(path);
	assert_int_equal(np_cpulist_parse(text, NP_CPULIST_KERNEL, &want, NULL), 0);
	check_set(&topo->nodes[i].cpus, &want, path);
	free(path);
	free(text);
	assert_true(asprintf(&path, "%s/meminfo", node_dir) > 0);
	text = read_text(path);
	total = strstr(text, "MemTotal:");
	assert_non_null(total);
	assert_int_equal(topo->nodes[i].memory_total,
			 strtoull(total + strlen("MemTotal:"), NULL, 10) * 1024);
	assert_true(topo->nodes[i].memory_free > 0);
	assert_true(topo->nodes[i].memory_free <= topo->nodes[i].memory_total);
	check_live_distances(topo, node_dir, (unsigned)i);
}

static void test_live(void **state)
{
	glob_t g;
	struct np_topology *topo;

	(void)state;
	if (glob(LIVE_NODES "/node[0-9]*", 0, NULL, &g) != 0)
		skip();
	unsetenv("HWLOC_FSROOT");
	topo = load_ok(NULL);
	assert_string_equal(topo->source, "live");
	assert_int_equal(topo->nnodes, g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++)
		check_live_node(topo, g.gl_pathv[i]);
	if (topo->nnodes == 1) {
		assert_true(topo->distances_default);
		assert_int_equal(np_topology_distance(topo, 0, 0), 10);
	}
	assert_true(topo->ncores > 0);
	np_topology_free(topo);
	globfree(&g);
}

/* `test_topology [--only|--skip TEST]`: tests/CMakeLists.txt runs test_bad_xml
 * on its own, the one run where hwloc's leak on broken XML is suppressed. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture),
		cmocka_unit_test(test_synthetic_asym),
		cmocka_unit_test(test_cpuless),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_bad_xml),
		cmocka_unit_test(test_dir_sources),
		cmocka_unit_test(test_dir_cpuless_low_id),
		cmocka_unit_test(test_dir_needs_fsroot),
		cmocka_unit_test(test_live),
	};

	if (argc == 3 && strcmp(argv[1], "--only") == 0)
		cmocka_set_test_filter(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "--skip") == 0)
		cmocka_set_skip_filter(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--only|--skip TEST]\n", argv[0]);
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
