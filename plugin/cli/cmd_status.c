/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace status: every placed guest and what the machine says of it. */
#include <json-c/json.h>
#include <getopt.h>
#include <stdio.h>

#include "cleanup.h"
#include "cli_engine.h"
#include "cpulist.h"

static void np_status_json(const struct np_status *st)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < st->n; i++) {
		const struct np_guest_status *g = &st->guests[i];
		struct json_object *obj = np_cli_result_json(&g->rec);

		json_object_object_add(obj, "pid", json_object_new_int(g->rec.pid));
		json_object_object_add(obj, "cgroup", g->rec.cgroup ?
				       json_object_new_string(g->rec.cgroup) : NULL);
		json_object_object_add(obj, "phase", json_object_new_string(np_record_phase_name(g->rec.phase)));
		json_object_object_add(obj, "alive", json_object_new_boolean(g->alive));
		json_object_object_add(obj, "cgroup_present", json_object_new_boolean(g->cgroup_present));
		json_object_object_add(obj, "drift", json_object_new_boolean(g->drift));
		if (g->cgroup_present) {
			np_cli_json_add_set(obj, "effective_cpus", &g->effective_cpus);
			np_cli_json_add_set(obj, "effective_mems", &g->effective_mems);
		}
		json_object_array_add(arr, obj);
	}
	json_object_object_add(root, "guests", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
}

static void np_status_line(const struct np_guest_status *g)
{
	_cleanup_free_ char *cpus = np_cpulist_format(&g->rec.cpus);
	_cleanup_free_ char *mems = np_cpulist_format(&g->rec.mems);
	_cleanup_free_ char *eff = np_cpulist_format(&g->effective_cpus);

	printf("%-20s %-8s %7d %-5s %-12s %-8s %-8s %s\n", g->rec.name,
	       np_record_phase_name(g->rec.phase), (int)g->rec.pid,
	       g->rec.pid ? (g->alive ? "yes" : "no") : "-",
	       cpus ? cpus : "", mems ? mems : "",
	       g->rec.cgroup ? (g->cgroup_present ? "present" : "missing") : "-",
	       g->drift ? (eff && *eff ? eff : "none") : "");
}

static void np_status_text(const struct np_status *st)
{
	printf("%-20s %-8s %7s %-5s %-12s %-8s %-8s %s\n", "NAME", "PHASE", "PID", "ALIVE",
	       "CPUS", "MEMS", "CGROUP", "DRIFT(effective cpus)");
	for (unsigned i = 0; i < st->n; i++)
		np_status_line(&st->guests[i]);
}

static int np_status_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_engine *eng = NULL;
	struct np_status st = { 0 };
	struct np_err err = NP_ERR_INIT;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_status, argc, argv, NULL, &code)) != -1)
		if (c == NP_CLI_STOP)
			return code;
	if (argc - optind != 0)
		return np_cli_usage("status", "takes no operands");
	if ((code = np_cli_engine_open(cli, "status", &eng)) != 0)
		return code;
	code = NP_EXIT_OK;
	if (np_engine_status(eng, &st, &err) < 0)
		code = np_cli_fail("status", &err);
	else if (cli->json)
		np_status_json(&st);
	else
		np_status_text(&st);
	np_status_clear(&st);
	np_err_clear(&err);
	np_engine_close(eng);
	return code;
}

const struct np_command np_cmd_status = {
	.name = "status",
	.synopsis = "status",
	.summary = "every placed guest: cpus, mems, pid alive, cgroup present, drift",
	.help = "DRIFT shows the kernel's effective cpus when they differ from the\n"
		"reservation (CPU hotplug); `numaplace reconcile` re-applies it.\n",
	.run = np_status_run,
};
