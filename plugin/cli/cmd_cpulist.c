/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace cpulist: print a CPU or node list in canonical form or as a mask. */
#include <getopt.h>
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "cpulist.h"
#include "json.h"

enum { OPT_DIALECT = 1, OPT_MASK };

/* --json: {"list":"0-3","mask":"0000000f","count":4}, whatever --mask says. */
static int np_cpulist_print_json(const struct np_cpuset *set)
{
	_cleanup_free_ char *mask = np_cpumask_format(set);
	_cleanup_json_ struct json_object *obj = json_object_new_object();
	const char *text = NULL;

	if (mask && obj && np_json_add_cpuset(obj, "list", set) == 0 &&
	    np_json_add(obj, "mask", json_object_new_string(mask)) == 0 &&
	    np_json_add(obj, "count", json_object_new_int64(np_cpuset_count(set))) == 0)
		text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	if (!text)
		return np_cli_usage("cpulist", "out of memory");
	printf("%s\n", text);
	return NP_EXIT_OK;
}

static int np_cpulist_run(struct np_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, OPT_DIALECT },
		{ "mask", no_argument, NULL, OPT_MASK },
		{ NULL, 0, NULL, 0 },
	};
	enum np_cpulist_dialect dialect = NP_CPULIST_KERNEL;
	struct np_err err = NP_ERR_INIT;
	_cleanup_free_ char *out = NULL;
	struct np_cpuset set;
	bool mask = false;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_cpulist, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code;
		if (c == OPT_MASK)
			mask = true;
		else if (np_cpulist_dialect_parse(optarg, &dialect, &err) < 0)
			return np_cli_fail("cpulist", &err);
	}
	if (argc - optind != 1)
		return np_cli_usage("cpulist", "expected exactly one LIST (see --help)");
	if (np_cpulist_parse(argv[optind], dialect, &set, &err) < 0)
		return np_cli_fail("cpulist", &err);
	if (cli->json)
		return np_cpulist_print_json(&set);
	out = mask ? np_cpumask_format(&set) : np_cpulist_format(&set);
	if (!out)
		return np_cli_usage("cpulist", "out of memory");
	printf("%s\n", out);
	return NP_EXIT_OK;
}

const struct np_command np_cmd_cpulist = {
	.name = "cpulist",
	.synopsis = "cpulist [--dialect kernel|libvirt] [--mask] LIST",
	.summary = "print a CPU or node list in canonical form (0-3,8-11)",
	.help = "  --dialect kernel   a, a-b, a-b:used/group (as the kernel's cpuset files)\n"
		"  --dialect libvirt  a, a-b, ^a exclusions (as libvirt's cpuset attribute)\n"
		"  --mask             print the kernel hex mask instead (0000000f for 0-3)\n"
		"An empty set prints an empty line. Bad input exits 2.\n"
		"With --json: {\"list\":\"0-3\",\"mask\":\"0000000f\",\"count\":4}.\n",
	.run = np_cpulist_run,
};
