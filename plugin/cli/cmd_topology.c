/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace topology: the machine's NUMA nodes, CPUs, memory and distances. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cli_topology.h"
#include "cpulist.h"
#include "json.h"

static json_object *np_topology_json_distances(const struct np_topology *topo, unsigned a)
{
	json_object *row = json_object_new_array();

	for (unsigned b = 0; row && b < topo->nnodes; b++) {
		if (np_json_append(row, json_object_new_int64(np_topology_distance(topo, a, b))) < 0) {
			json_object_put(row);
			return NULL;
		}
	}
	return row;
}

static json_object *np_topology_json_node(const struct np_topology *topo, unsigned i)
{
	const struct np_node *node = &topo->nodes[i];
	json_object *obj = json_object_new_object();

	if (!obj || np_json_add(obj, "id", json_object_new_int64(node->id)) < 0 ||
	    np_json_add_cpuset(obj, "cpus", &node->cpus) < 0 ||
	    np_json_add(obj, "memory_total", json_object_new_uint64(node->memory_total)) < 0 ||
	    np_json_add(obj, "memory_free", json_object_new_uint64(node->memory_free)) < 0 ||
	    np_json_add(obj, "distances", np_topology_json_distances(topo, i)) < 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static int np_topology_print_json(const struct np_topology *topo)
{
	_cleanup_json_ json_object *root = json_object_new_object();
	json_object *nodes = NULL;
	const char *text;

	if (!root || np_json_add(root, "source", json_object_new_string(topo->source)) < 0 ||
	    np_json_add(root, "distances_default", json_object_new_boolean(topo->distances_default)) < 0 ||
	    np_json_add(root, "nodes", nodes = json_object_new_array()) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < topo->nnodes; i++)
		if (np_json_append(nodes, np_topology_json_node(topo, i)) < 0)
			return -ENOMEM;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	return 0;
}

/* A size for people: 1023 bytes, 512.0K, 15.9G ... (binary units). */
static char *np_size_human(uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	char *s = NULL;
	unsigned u = 0;

	if (bytes < 1024)
		return asprintf(&s, "%lluB", (unsigned long long)bytes) < 0 ? NULL : s;
	while (v >= 1024 && u < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	return asprintf(&s, "%.1f%c", v, units[u - 1]) < 0 ? NULL : s;
}

/* One table row, node i's CPU list `cpus` in a column `width` wide. */
static int np_topology_print_row(const struct np_topology *topo, unsigned i, const char *cpus,
				 int width)
{
	const struct np_node *node = &topo->nodes[i];
	_cleanup_free_ char *total = np_size_human(node->memory_total);
	_cleanup_free_ char *avail = np_size_human(node->memory_free);

	if (!total || !avail)
		return -ENOMEM;
	printf("%-5u %-*s %8s %8s  ", node->id, width, *cpus ? cpus : "-", total, avail);
	for (unsigned b = 0; b < topo->nnodes; b++)
		printf("%s%u", b ? " " : "", np_topology_distance(topo, i, b));
	putchar('\n');
	return 0;
}

static void np_topology_free_lists(char **lists)
{
	for (char **p = lists; p && *p; p++)
		free(*p);
	free(lists);
}

/* Every node's CPU list in a NULL-terminated array, formatted once for the
 * column width and the rows. Returns the width (the widest list, at least
 * the column title), or -ENOMEM with nothing left allocated. */
static int np_topology_cpu_lists(const struct np_topology *topo, char ***out)
{
	char **lists = calloc((size_t)topo->nnodes + 1, sizeof(*lists));
	size_t width = strlen("cpus");

	if (!lists)
		return -ENOMEM;
	for (unsigned i = 0; i < topo->nnodes; i++) {
		lists[i] = np_cpulist_format(&topo->nodes[i].cpus);
		if (!lists[i]) {
			np_topology_free_lists(lists);
			return -ENOMEM;
		}
		if (strlen(lists[i]) > width)
			width = strlen(lists[i]);
	}
	*out = lists;
	return (int)width;
}

static int np_topology_print_text(const struct np_topology *topo)
{
	char **cpus = NULL;
	int width = np_topology_cpu_lists(topo, &cpus);
	int r = 0;

	if (width < 0)
		return width;
	printf("source: %s\n", topo->source);
	printf("%-5s %-*s %8s %8s  %s\n", "node", width, "cpus", "total", "free",
	       topo->distances_default ? "distances (none found: default 10/20)" : "distances");
	for (unsigned i = 0; r == 0 && i < topo->nnodes; i++)
		r = np_topology_print_row(topo, i, cpus[i], width);
	np_topology_free_lists(cpus);
	return r;
}

static int np_topology_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_err err = NP_ERR_INIT;
	struct np_topology *topo = NULL;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_topology, argc, argv, NULL, &code)) != -1)
		if (c == NP_CLI_STOP)
			return code;
	if (optind != argc)
		return np_cli_usage("topology", "unexpected argument: %s", argv[optind]);
	if (np_cli_topology_load(cli, &topo, &err) < 0)
		return np_cli_fail("topology", &err);
	code = cli->json ? np_topology_print_json(topo) : np_topology_print_text(topo);
	np_topology_free(topo);
	if (code < 0)
		return np_cli_usage("topology", "out of memory");
	return NP_EXIT_OK;
}

const struct np_command np_cmd_topology = {
	.name = "topology",
	.synopsis = "topology",
	.summary = "show the NUMA nodes: cpus, memory total and free, distances",
	.help = "Reads the live machine, or the source named by --topology (an hwloc XML\n"
		"file, or a directory holding a captured sys/ tree). With --json prints\n"
		"{\"source\",\"distances_default\",\"nodes\":[{\"id\",\"cpus\",\"memory_total\",\n"
		"\"memory_free\",\"distances\"}]}; memory in bytes. A node without CPUs\n"
		"shows \"cpus\":\"\" (\"-\" in the table). A source that fails to load exits 2.\n",
	.run = np_topology_run,
};
