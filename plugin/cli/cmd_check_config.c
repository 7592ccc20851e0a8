/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace check-config: validate every policy file, print every problem. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "cli.h"
#include "cli_topology.h"
#include "policy.h"

/* Problems printed before "… and N more". */
#define NP_CHECK_SHOWN 50u

enum { OPT_VERBOSE = 1 };

/* Each problem as "FILE:LINE: MESSAGE" (warnings say so), then the count
 * of those left out. */
static void np_check_print_diags(const struct np_diags *diags)
{
	for (unsigned i = 0; i < diags->n && i < NP_CHECK_SHOWN; i++) {
		const struct np_diag *d = &diags->items[i];
		const char *kind = d->warning ? "warning: " : "";
		_cleanup_free_ char *file = np_cli_escape(d->file);
		_cleanup_free_ char *msg = np_cli_escape(d->msg);

		if (!file || !msg)
			fprintf(stderr, "numaplace: check-config: out of memory\n");
		else if (d->line)
			fprintf(stderr, "%s:%u: %s%s\n", file, d->line, kind, msg);
		else
			fprintf(stderr, "%s: %s%s\n", file, kind, msg);
	}
	if (diags->n > NP_CHECK_SHOWN)
		fprintf(stderr, "\u2026 and %u more\n", diags->n - NP_CHECK_SHOWN);
}

/* Where a resolved value came from, for --verbose. */
static void np_check_print_origin(const struct np_settings *s, enum np_key key,
				  const char *value)
{
	const struct np_origin *o = &s->origin[key];

	if (o->file)
		printf("; %s:%u\n", o->file, o->line);
	else if (key == NP_KEY_CGROUP_PARENT && !*value)
		printf("; not set: numaplace on cgroup v1, numaplace.slice on v2\n");
	else if (!*value)
		printf("; not set\n");
	else
		printf("; built-in default\n");
}

/* --verbose: the files read and the resolved [placement] settings. */
static int np_check_print_placement(const struct np_policy *policy)
{
	struct np_settings s;
	unsigned nfiles;
	const char *const *files = np_policy_files(policy, &nfiles);

	for (unsigned i = 0; i < nfiles; i++)
		printf("; read %s\n", files[i]);
	if (nfiles == 0)
		printf("; no file read: built-in defaults\n");
	np_policy_placement(policy, &s);
	printf("[placement]\n");
	for (int k = 0; k < NP_KEY_COUNT; k++) {
		_cleanup_free_ char *value = np_settings_value(&s, (enum np_key)k);

		if (!value)
			return -ENOMEM;
		printf("%-17s = %-12s ", np_key_name((enum np_key)k), value);
		np_check_print_origin(&s, (enum np_key)k, value);
	}
	return 0;
}

/* Load the policy, then warn about what this machine lacks. */
static int np_check(const struct np_cli *cli, bool verbose, struct np_diags *diags,
		    struct np_err *err)
{
	struct np_topology *topo = NULL;
	struct np_policy *policy = NULL;
	int r;

	r = np_policy_load(cli->config, cli->config != NULL, &policy, diags, err);
	if (r < 0)
		return r;
	r = np_cli_topology_load(cli, &topo, err);
	if (r == 0)
		r = np_policy_check_machine(policy, topo, diags, err);
	if (r >= 0 && verbose && np_check_print_placement(policy) < 0)
		r = np_err_set(err, -ENOMEM, "out of memory");
	np_topology_free(topo);
	np_policy_free(policy);
	return r < 0 ? r : 0;
}

static int np_check_config_run(struct np_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ NULL, 0, NULL, 0 },
	};
	struct np_diags diags = { 0 };
	struct np_err err = NP_ERR_INIT;
	bool verbose = false;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_check_config, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code;
		verbose = true;
	}
	if (optind != argc)
		return np_cli_usage("check-config", "no operands expected (see --help)");
	code = np_check(cli, verbose, &diags, &err) < 0 ? np_err_exit_code(&err) : NP_EXIT_OK;
	np_check_print_diags(&diags);
	if (code != NP_EXIT_OK && diags.n == 0)
		np_cli_fail("check-config", &err);
	if (code == NP_EXIT_OK)
		printf("ok\n");
	np_diags_clear(&diags);
	np_err_clear(&err);
	return code;
}

const struct np_command np_cmd_check_config = {
	.name = "check-config",
	.synopsis = "check-config [--verbose]",
	.summary = "validate the policy file and its drop-ins, printing every problem",
	.help = "  --verbose   also print the files read and the resolved [placement]\n"
		"              settings, each with the FILE:LINE it comes from\n"
		"Each problem is printed on stderr as FILE:LINE: MESSAGE (at most 50, then\n"
		"a count). CPUs or nodes this machine lacks are warnings: such a rule fails\n"
		"only the guests it matches. Exit 0 and `ok` when the policy loads, else 2.\n",
	.run = np_check_config_run,
};
