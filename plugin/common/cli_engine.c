/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli_engine.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli_topology.h"
#include "cpulist.h"
#include "json.h"
#include "size.h"

static void np_cli_log(enum np_log_level level, const char *msg, void *data)
{
	static const int prio[] = { LOG_INFO, LOG_WARNING, LOG_ERR };

	(void)data;
	syslog(prio[level], "%s", msg);
}

/* NUMAPLACE_TEST_PAUSE=POINT stops the process at that point until it is
 * killed: the crash tests use it to make races deterministic. */
static void np_cli_pause(const char *point, void *data)
{
	const char *want = getenv("NUMAPLACE_TEST_PAUSE");

	(void)data;
	if (!want || strcmp(want, point) != 0)
		return;
	fprintf(stderr, "numaplace: paused at %s (pid %d)\n", point, (int)getpid());
	for (;;)
		pause();
}

int np_cli_engine_open(const struct np_cli *cli, const char *command, struct np_engine **out)
{
	struct np_engine_opts opts = {
		.config = cli->config,
		.config_required = cli->config != NULL,
		.topology = cli->topology,
		.state_dir = cli->state_dir,
		.log = np_cli_log,
		.pause = np_cli_pause,
	};
	struct np_err err = NP_ERR_INIT;

	openlog("numaplace", LOG_PID, LOG_DAEMON);
	if (np_cli_topology_env(cli, &err) == 0 &&
	    np_engine_open(&opts, out, NULL, &err) == 0)
		return 0;
	return np_cli_fail(command, &err);
}

int np_cli_release(struct np_cli *cli, const char *context, const char *name, bool force)
{
	struct np_engine *eng = NULL;
	struct np_err err = NP_ERR_INIT;
	int code = np_cli_engine_open(cli, context, &eng);

	if (code != 0)
		return code;
	if (np_engine_release(eng, name, force, &err) < 0)
		code = np_cli_fail(context, &err);
	np_engine_close(eng);
	return code;
}

int np_cli_release_stage(struct np_cli *cli, const char *context, const char *name)
{
	struct np_engine *eng = NULL;
	struct np_err err = NP_ERR_INIT;
	int code = np_cli_engine_open(cli, context, &eng);

	if (code != 0)
		return code;
	if (np_engine_release_stage(eng, name, &err) < 0)
		code = np_cli_fail(context, &err);
	np_engine_close(eng);
	return code;
}

int np_cli_request_opt(int c, struct np_request_opts *out, struct np_err *err)
{
	if (c == NP_CLI_OPT_VCPUS)
		return np_count_parse(optarg, NP_CPUSET_MAX, &out->vcpus, err);
	return np_size_parse(optarg, &out->memory, err);
}

int np_cli_pid_parse(const char *text, pid_t *out, struct np_err *err)
{
	unsigned pid;

	if (np_count_parse(text, INT32_MAX, &pid, err) < 0)
		return np_err_wrap(err, "PID");
	*out = (pid_t)pid;
	return 0;
}

/* Parse a request's words, NAME [PID] [--vcpus N] [--memory SIZE], into
 * `out`; `want_pid` adds the PID operand. Returns -1 to go on, or the exit
 * code to stop with (the error already printed). */
static int np_cli_request_parse(const struct np_command *cmd, int argc, char **argv,
				bool want_pid, struct np_request_opts *out)
{
	static const struct option opts[] = {
		NP_CLI_REQUEST_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct np_err err = NP_ERR_INIT;
	int operands = want_pid ? 2 : 1;
	int c, code;

	while ((c = np_cli_getopt(cmd, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code;
		if (np_cli_request_opt(c, out, &err) < 0)
			return np_cli_fail(cmd->name, &err);
	}
	if (argc - optind != operands)
		return np_cli_usage(cmd->name, "usage: numaplace %s", cmd->synopsis);
	out->name = argv[optind];
	if (want_pid && np_cli_pid_parse(argv[optind + 1], &out->pid, &err) < 0)
		return np_cli_fail(cmd->name, &err);
	return -1;
}

struct json_object *np_cli_result_json(const struct np_record *rec)
{
	_cleanup_json_ struct json_object *obj = json_object_new_object();

	if (!obj || np_json_add(obj, "name", json_object_new_string(rec->name)) < 0 ||
	    np_json_add_cpuset(obj, "cpus", &rec->cpus) < 0 ||
	    np_json_add_cpuset(obj, "mems", &rec->mems) < 0 ||
	    np_json_add(obj, "nodes", np_json_new_ids(&rec->nodes)) < 0 ||
	    np_json_add(obj, "advisor", json_object_new_string(np_advisor_name(rec->advisor))) < 0 ||
	    np_json_add(obj, "fallback", json_object_new_boolean(rec->fallback)) < 0 ||
	    np_json_add(obj, "reason", json_object_new_string(rec->reason ? rec->reason : "")) < 0)
		return NULL;
	return np_steal_ptr(&obj);
}

/* Print an advice / reservation / placement in text or JSON (docs/contract.md shape). */
void np_cli_print_result(const struct np_cli *cli, const struct np_result *res)
{
	_cleanup_free_ char *cpus = NULL;
	_cleanup_free_ char *mems = NULL;

	if (cli->json) {
		_cleanup_json_ struct json_object *obj = np_cli_result_json(&res->rec);
		const char *text = obj ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN) : NULL;

		if (text)
			puts(text);
		else
			fputs("numaplace: out of memory\n", stderr);
		return;
	}
	cpus = np_cpulist_format(&res->rec.cpus);
	mems = np_cpulist_format(&res->rec.mems);
	printf("cpus=%s mems=%s advisor=%s", cpus ? cpus : "", mems ? mems : "",
	       np_advisor_name(res->rec.advisor));
	if (res->rec.fallback)
		printf(" fallback: %s", res->rec.reason ? res->rec.reason : "");
	putchar('\n');
}

int np_cli_decide_request(struct np_cli *cli, const char *context,
			  const struct np_request_opts *req, np_engine_decide_fn fn)
{
	struct np_engine *eng = NULL;
	struct np_result res = { 0 };
	struct np_err err = NP_ERR_INIT;
	int code = np_cli_engine_open(cli, context, &eng);

	if (code != 0)
		return code;
	if (fn(eng, req, &res, &err) < 0) {
		code = np_cli_fail(context, &err);
	} else {
		np_cli_print_result(cli, &res);
		code = NP_EXIT_OK;
	}
	np_result_clear(&res);
	np_err_clear(&err);
	np_engine_close(eng);
	return code;
}

int np_cli_decide(struct np_cli *cli, const struct np_command *cmd, int argc, char **argv,
		  bool want_pid, np_engine_decide_fn fn)
{
	struct np_request_opts req = { .target = NP_TARGET_CREATE, .frontend = NP_FRONTEND_CLI };
	int code = np_cli_request_parse(cmd, argc, argv, want_pid, &req);

	return code >= 0 ? code : np_cli_decide_request(cli, cmd->name, &req, fn);
}
