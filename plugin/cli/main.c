/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace: the dispatcher. Takes the global options wherever they stand
 * before `--`, picks the subcommand and hands it the remaining words.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"

static const struct np_command *const np_commands[] = {
	&np_cmd_cpulist,
	&np_cmd_advise,
	&np_cmd_reserve,
	&np_cmd_place,
	&np_cmd_release,
	&np_cmd_run,
	&np_cmd_status,
	&np_cmd_reconcile,
	&np_cmd_check_config,
	&np_cmd_topology,
	&np_cmd_hook,
	&np_cmd_numad,
};

/* Global options that take a value, and where each one lands. */
struct np_global_opt {
	const char *name;
	const char **dest;
};

/* The last component of `path`. */
static const char *np_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const struct np_command *np_find_command(const char *name)
{
	for (size_t i = 0; i < NP_ARRAY_SIZE(np_commands); i++)
		if (strcmp(np_commands[i]->name, name) == 0)
			return np_commands[i];
	return NULL;
}

static int np_main_help(void)
{
	printf("Usage: numaplace [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
	       "Places containers and VMs on the NUMA nodes that fit them, through\n"
	       "cpuset cgroups.\n\nCommands:\n");
	for (size_t i = 0; i < NP_ARRAY_SIZE(np_commands); i++)
		printf("  %-14s %s\n", np_commands[i]->name, np_commands[i]->summary);
	printf("\nGlobal options (before or after the command; `--` ends them):\n"
	       "  --config FILE    policy file, then FILE.d/*.conf   [$NUMAPLACE_CONFIG, %s]\n"
	       "  --topology SRC   hwloc XML file or a directory holding sys/  [$NUMAPLACE_TOPOLOGY, live]\n"
	       "                   (a capture is for planning: place, run, reconcile, hook refuse it)\n"
	       "  --state-dir DIR  reservations, bound to one topology [$NUMAPLACE_STATE_DIR, %s]\n"
	       "  --json           print JSON instead of text\n"
	       "  --help, --version\n\n"
	       "Run `numaplace COMMAND --help` for a command's options.\n"
	       "Exit codes: 0 success, 1 runtime failure, 2 usage, config or input error.\n",
	       NP_DEFAULT_CONFIG, NP_DEFAULT_STATE_DIR);
	return NP_EXIT_OK;
}

/* If `word` is the global option `opt->name` (as `--x V` or `--x=V`), store
 * its value and return how many words it used; 0 when it is not; -1 when
 * its value is missing. */
static int np_take_global(const struct np_global_opt *opt, int argc, char **argv, int i)
{
	size_t len = strlen(opt->name);
	const char *word = argv[i];

	if (strncmp(word, opt->name, len) != 0)
		return 0;
	if (word[len] == '=') {
		*opt->dest = word + len + 1;
		return 1;
	}
	if (word[len] != '\0')
		return 0;
	if (i + 1 >= argc)
		return -1;
	*opt->dest = argv[i + 1];
	return 2;
}

static void np_cli_from_env(struct np_cli *cli)
{
	cli->config = getenv("NUMAPLACE_CONFIG");
	cli->topology = getenv("NUMAPLACE_TOPOLOGY");
	cli->state_dir = getenv("NUMAPLACE_STATE_DIR");
	if (cli->config && !*cli->config)
		cli->config = NULL;
	if (cli->topology && !*cli->topology)
		cli->topology = NULL;
	if (!cli->state_dir || !*cli->state_dir)
		cli->state_dir = NP_DEFAULT_STATE_DIR;
}

/*
 * Split argv into global options (stored in `cli`) and the subcommand's
 * words (into `sub`, with the subcommand name first). Returns -1 to go on,
 * or an exit code when main must stop (help, version, usage error).
 */
static int np_split_args(int argc, char **argv, struct np_cli *cli,
			 const struct np_command **cmd, char **sub, int *nsub)
{
	const struct np_global_opt globals[] = {
		{ "--config", &cli->config },
		{ "--topology", &cli->topology },
		{ "--state-dir", &cli->state_dir },
	};

	for (int i = 1; i < argc; i++) {
		int used = 0;

		if (strcmp(argv[i], "--") == 0) {
			if (!*cmd)
				*cmd = np_find_command("run");
			while (i < argc)
				sub[(*nsub)++] = argv[i++];
			break;
		}
		for (size_t g = 0; g < NP_ARRAY_SIZE(globals) && !used; g++)
			used = np_take_global(&globals[g], argc, argv, i);
		if (used < 0)
			return np_cli_usage(argv[i], "option needs a value");
		if (used) {
			i += used - 1;
			continue;
		}
		if (strcmp(argv[i], "--json") == 0) {
			cli->json = true;
		} else if (*cmd) {
			sub[(*nsub)++] = argv[i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			return np_main_help();
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("numaplace %s\n", NUMAPLACE_VERSION);
			return NP_EXIT_OK;
		} else if (argv[i][0] == '-') {
			return np_cli_usage(argv[i], "unknown option (see numaplace --help)");
		} else if (!(*cmd = np_find_command(argv[i]))) {
			return np_cli_usage(argv[i], "unknown command (see numaplace --help)");
		}
	}
	if (!*cmd)
		return np_cli_usage("usage", "no command given (see numaplace --help)");
	return -1;
}

int main(int argc, char **argv)
{
	struct np_cli cli = { 0 };
	const struct np_command *cmd = NULL;
	_cleanup_free_ char **sub = calloc((size_t)argc + 2, sizeof(*sub));
	int nsub = 1;
	int r;

	if (!sub) {
		fputs("numaplace: out of memory\n", stderr);
		return NP_EXIT_FAILURE;
	}
	np_cli_from_env(&cli);
	if (argc > 0 && strcmp(np_basename(argv[0]), "numad") == 0)
		return np_cmd_numad.run(&cli, argc, argv);
	r = np_split_args(argc, argv, &cli, &cmd, sub, &nsub);
	if (r >= 0)
		return r;
	if (cmd->live_only && cli.topology)
		return np_cli_usage(cmd->name, "topology %s is a capture: %s acts on the live "
				    "machine only (plan with advise or reserve in a state dir of its own)",
				    cli.topology, cmd->name);
	sub[0] = (char *)cmd->name;
	sub[nsub] = NULL;
	optind = 0;
	return cmd->run(&cli, nsub, sub);
}
