/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace status: every placed guest and what the machine says of it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli_engine.h"
#include "cpulist.h"
#include "json.h"
#include "name.h"

/* local/total, or a negative number when it is unknown (total 0 or no
 * task read). */
static double np_status_locality(const struct np_guest_status *g)
{
	if (!g->memory_known || g->memory.total == 0)
		return -1;
	return (double)g->memory_local / (double)g->memory.total;
}

static struct json_object *np_status_json_node(unsigned node, uint64_t bytes)
{
	_cleanup_json_ struct json_object *n = json_object_new_object();

	if (!n || np_json_add(n, "node", json_object_new_int64(node)) < 0 ||
	    np_json_add(n, "bytes", json_object_new_uint64(bytes)) < 0)
		return NULL;
	return np_steal_ptr(&n);
}

static int np_status_json_memory(struct json_object *obj, const struct np_guest_status *g)
{
	_cleanup_json_ struct json_object *mem = json_object_new_object();
	struct json_object *nodes = NULL;
	double loc = np_status_locality(g);

	if (!mem || np_json_add(mem, "total", json_object_new_uint64(g->memory.total)) < 0 ||
	    np_json_add(mem, "local", json_object_new_uint64(g->memory_local)) < 0 ||
	    np_json_add(mem, "by_node", nodes = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < g->memory.n; i++)
		if (np_json_append(nodes, np_status_json_node(g->memory.by_node[i].node,
							      g->memory.by_node[i].bytes)) < 0)
			return -ENOMEM;
	if (np_json_add(obj, "memory", np_steal_ptr(&mem)) < 0)
		return -ENOMEM;
	if (loc < 0)
		return np_json_add_string_or_null(obj, "locality", NULL);
	return np_json_add(obj, "locality", json_object_new_double(loc));
}

static struct json_object *np_status_json_guest(const struct np_guest_status *g)
{
	_cleanup_json_ struct json_object *obj = np_cli_result_json(&g->rec);

	if (!obj || np_json_add(obj, "pid", json_object_new_int(g->rec.pid)) < 0 ||
	    np_json_add_string_or_null(obj, "cgroup", g->rec.cgroup) < 0 ||
	    np_json_add(obj, "phase", json_object_new_string(np_record_phase_name(g->rec.phase))) < 0 ||
	    np_json_add(obj, "alive", json_object_new_boolean(g->alive)) < 0 ||
	    np_json_add(obj, "cgroup_present", json_object_new_boolean(g->cgroup_present)) < 0 ||
	    np_json_add(obj, "tasks", json_object_new_int64(g->tasks)) < 0 ||
	    np_json_add(obj, "drift", json_object_new_boolean(g->drift)) < 0)
		return NULL;
	if (g->cgroup_present &&
	    (np_json_add_cpuset(obj, "effective_cpus", &g->effective_cpus) < 0 ||
	     np_json_add_cpuset(obj, "effective_mems", &g->effective_mems) < 0))
		return NULL;
	if (np_status_json_memory(obj, g) < 0)
		return NULL;
	return np_steal_ptr(&obj);
}

static struct json_object *np_status_json_refusal(const struct np_refusal *item)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o || np_json_add(o, "name", json_object_new_string(item->name)) < 0 ||
	    np_json_add(o, "time", json_object_new_int64(item->time)) < 0 ||
	    np_json_add(o, "reason", json_object_new_string(item->reason)) < 0)
		return NULL;
	return np_steal_ptr(&o);
}

/* "refused": [{"name","time","reason"}, …], only guest `only` when set. */
static int np_status_json_refused(struct json_object *root, const struct np_refused *list,
				  const char *only)
{
	struct json_object *arr = NULL;
	int r = np_json_add(root, "refused", arr = json_object_new_array());

	for (unsigned i = 0; r == 0 && i < list->n; i++)
		if (!only || strcmp(only, list->items[i].name) == 0)
			r = np_json_append(arr, np_status_json_refusal(&list->items[i]));
	return r;
}

/* Print `st` as JSON (its refusals: only guest `only` when set); exit 1
 * with one line when out of memory. */
static int np_status_json(const struct np_status *st, const char *only)
{
	_cleanup_json_ struct json_object *root = json_object_new_object();
	struct json_object *arr = NULL;
	struct np_err err = NP_ERR_INIT;
	const char *text = NULL;
	int r = root ? np_json_add(root, "guests", arr = json_object_new_array()) : -ENOMEM;

	for (unsigned i = 0; r == 0 && i < st->n; i++)
		r = np_json_append(arr, np_status_json_guest(&st->guests[i]));
	if (r == 0)
		r = np_status_json_refused(root, &st->refused, only);
	if (r == 0)
		text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	if (!text) {
		np_err_set(&err, -ENOMEM, "out of memory");
		return np_cli_fail("status", &err);
	}
	puts(text);
	return NP_EXIT_OK;
}

/* The locality in percent ("99.5%"), or "-" when unknown. */
static void np_status_percent(const struct np_guest_status *g, char *buf, size_t size)
{
	double loc = np_status_locality(g);

	if (loc < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", loc * 100);
}

static void np_status_line(const struct np_guest_status *g)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&g->rec.cpus);
	_cleanup_free_ char *mems = np_cpulist_format(&g->rec.mems);
	_cleanup_free_ char *eff = np_cpulist_format(&g->effective_cpus);
	char local[16], alive[16];

	np_status_percent(g, local, sizeof(local));
	snprintf(alive, sizeof(alive), "%s", g->rec.pid ? (g->alive ? "yes" : "no") : "-");
	if (g->rec.pid && !g->alive && g->tasks)
		snprintf(alive, sizeof(alive), "no+%u", g->tasks);
	printf("%-20s %-8s %7d %-5s %-12s %-8s %-8s %-6s %s\n", g->rec.name,
	       np_record_phase_name(g->rec.phase), (int)g->rec.pid, alive,
	       cpus ? cpus : "", mems ? mems : "",
	       g->rec.cgroup ? (g->cgroup_present ? "present" : "missing") : "-",
	       local, g->drift ? (eff && *eff ? eff : "none") : "");
}

/* `status NAME`: one guest, with its nodes and its memory per node. */
static void np_status_detail(const struct np_guest_status *g)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&g->rec.cpus);
	_cleanup_free_ char *mems = np_cpulist_format(&g->rec.mems);
	_cleanup_free_ char *nodes = np_cpulist_format(&g->rec.nodes);
	char local[16];

	np_status_percent(g, local, sizeof(local));
	printf("name:     %s\nphase:    %s\npid:      %d (%s)\n", g->rec.name,
	       np_record_phase_name(g->rec.phase), (int)g->rec.pid,
	       g->rec.pid ? (g->alive ? "alive" : "gone") : "none");
	if (g->tasks)
		printf("tasks:    %u in its group\n", g->tasks);
	printf("cpus:     %s\nmems:     %s\nnodes:    %s\nadvisor:  %s\n", cpus ? cpus : "",
	       mems ? mems : "", nodes ? nodes : "", np_advisor_name(g->rec.advisor));
	printf("cgroup:   %s%s\n", g->rec.cgroup ? g->rec.cgroup : "-",
	       g->rec.cgroup ? (g->cgroup_present ? "" : " (missing)") : "");
	printf("memory:   %" PRIu64 " bytes, %" PRIu64 " on its mems (local %s)\n",
	       g->memory.total, g->memory_local, local);
	for (size_t i = 0; i < g->memory.n; i++)
		printf("  node %-4u %" PRIu64 " bytes%s\n", g->memory.by_node[i].node,
		       g->memory.by_node[i].bytes,
		       np_cpuset_has(&g->rec.mems, g->memory.by_node[i].node) ? "" : " (remote)");
}

/* A refusal's time as local "YYYY-MM-DD HH:MM:SS". */
static void np_status_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
}

static void np_status_refusal(const struct np_refusal *item)
{
	_cleanup_free_ char *reason = np_cli_escape(item->reason);
	char when[32];

	np_status_time(item->time, when, sizeof(when));
	printf("%-20s %s  %s\n", item->name, when, reason ? reason : "");
}

static void np_status_text(const struct np_status *st)
{
	printf("%-20s %-8s %7s %-5s %-12s %-8s %-8s %-6s %s\n", "NAME", "PHASE", "PID", "ALIVE",
	       "CPUS", "MEMS", "CGROUP", "LOCAL", "DRIFT(effective cpus)");
	for (unsigned i = 0; i < st->n; i++)
		np_status_line(&st->guests[i]);
	if (st->refused.n)
		printf("\nREFUSED (the last refusal of each guest not placed)\n%-20s %-19s  %s\n",
		       "NAME", "TIME", "REASON");
	for (unsigned i = 0; i < st->refused.n; i++)
		np_status_refusal(&st->refused.items[i]);
}

/* `status NAME` of a guest that is not placed but was refused. */
static int np_status_one_refused(const struct np_cli *cli, const struct np_status *st,
				 const char *name)
{
	for (unsigned i = 0; i < st->refused.n; i++) {
		const struct np_refusal *item = &st->refused.items[i];
		_cleanup_free_ char *reason = NULL;
		char when[32];

		if (strcmp(item->name, name) != 0)
			continue;
		if (cli->json) {
			struct np_status none = { .refused = st->refused };

			return np_status_json(&none, name);
		}
		reason = np_cli_escape(item->reason);
		np_status_time(item->time, when, sizeof(when));
		printf("name:     %s\nphase:    refused\ntime:     %s\nreason:   %s\n", name, when,
		       reason ? reason : "");
		return NP_EXIT_OK;
	}
	return -1;
}

/* Keep only guest `name` in `st` and print it; exit 1 when it has no record. */
static int np_status_one(const struct np_cli *cli, struct np_status *st, const char *name)
{
	for (unsigned i = 0; i < st->n; i++) {
		struct np_status one = { .n = 1, .guests = &st->guests[i], .refused = st->refused };

		if (strcmp(st->guests[i].rec.name, name) != 0)
			continue;
		if (cli->json)
			return np_status_json(&one, name);
		np_status_detail(&st->guests[i]);
		return NP_EXIT_OK;
	}
	int code = np_status_one_refused(cli, st, name);

	if (code >= 0)
		return code;
	struct np_err err = NP_ERR_INIT;

	np_err_set(&err, -ENOENT, "no guest %s", name);
	return np_cli_fail("status", &err);
}

static int np_status_run(struct np_cli *cli, int argc, char **argv)
{
	const char *name;
	struct np_engine *eng = NULL;
	struct np_status st = { 0 };
	struct np_err err = NP_ERR_INIT;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_status, argc, argv, NULL, &code)) != -1)
		if (c == NP_CLI_STOP)
			return code;
	if (argc - optind > 1)
		return np_cli_usage("status", "takes at most one guest name");
	name = argc > optind ? argv[optind] : NULL;
	if (name && np_name_validate(name, &err) < 0)
		return np_cli_fail("status", &err);
	if ((code = np_cli_engine_open(cli, "status", &eng)) != 0)
		return code;
	code = NP_EXIT_OK;
	if (np_engine_status(eng, name, &st, &err) < 0)
		code = np_cli_fail("status", &err);
	else if (name)
		code = np_status_one(cli, &st, name);
	else if (cli->json)
		code = np_status_json(&st, NULL);
	else
		np_status_text(&st);
	np_status_clear(&st);
	np_err_clear(&err);
	np_engine_close(eng);
	return code;
}

const struct np_command np_cmd_status = {
	.name = "status",
	.synopsis = "status [NAME]",
	.summary = "every placed guest: cpus, mems, pid alive, cgroup, memory locality; refusals",
	.help = "With NAME, one guest with its nodes and its resident memory per node.\n"
		"LOCAL is the part of the guest's resident memory on its mems, from the\n"
		"group's memory.numa_stat where the memory controller covers it, else from\n"
		"its processes' /proc/PID/numa_maps (docs/locality.md); \"-\" when unknown.\n"
		"ALIVE no+N: the process is gone but N tasks it left remain in the group\n"
		"(a command that daemonized); `numaplace reconcile` releases it once empty.\n"
		"DRIFT shows the kernel's effective cpus when they differ from the\n"
		"reservation (CPU hotplug); `numaplace reconcile` re-applies it.\n"
		"REFUSED lists the last refusal (time, reason) of each guest that is not\n"
		"placed, the latest 100: why an LXC, libvirt or OCI start was refused. It\n"
		"stays until the guest is placed or `numaplace release NAME`.\n",
	.run = np_status_run,
};
