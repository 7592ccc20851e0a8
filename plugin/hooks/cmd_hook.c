/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace hook lxc|oci|libvirt: `hook oci` goes to hook_oci.c, `hook
 * libvirt` to hook_libvirt.c; the rest of this
 * file is `hook lxc`, the entry point of LXC hooks (lxc.hook.version = 1).
 * LXC runs it with LXC_HOOK_TYPE, LXC_NAME and LXC_PID in the environment:
 *  - start-host: the container's init (LXC_PID, not yet exec'd) already sits
 *    in LXC's group lxc.payload.$LXC_NAME; the guest's cpuset is written
 *    into that group and nothing is moved. A non-zero exit aborts the start.
 *  - post-stop: the container's reservation is released; the group is
 *    LXC's and stays LXC's to remove.
 * Any other hook type is a configuration mistake and exits 2 touching
 * nothing. Never runs lxc-* commands: they block while a hook runs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli_engine.h"
#include "hook_libvirt.h"
#include "hook_oci.h"
#include "ledger.h"
#include "name.h"
#include "quote.h"

#define NP_HOOK_CONTEXT "hook lxc"

/* What LXC told the hook, checked. */
struct np_lxc_env {
	bool start;            /* start-host; else post-stop */
	const char *name;      /* LXC_NAME, a valid guest name */
	pid_t pid;             /* LXC_PID */
	char group[sizeof("lxc.payload.") + NP_NAME_MAX]; /* lxc.payload.NAME */
};

/* The hook's own words: `lxc` and the request's overrides. Returns -1 to
 * go on, or the exit code to stop with. */
static int np_hook_parse(int argc, char **argv, struct np_request_opts *req)
{
	static const struct option opts[] = {
		NP_CLI_REQUEST_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct np_err err = NP_ERR_INIT;
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_hook, argc, argv, opts, &code)) != -1) {
		if (c == NP_CLI_STOP)
			return code;
		if (np_cli_request_opt(c, req, &err) < 0)
			return np_cli_fail(NP_HOOK_CONTEXT, &err);
	}
	if (argc - optind == 1 && strcmp(argv[optind], "lxc") == 0)
		return -1;
	if (argc - optind > 1)
		return np_cli_usage(NP_HOOK_CONTEXT, "unexpected operands (LXC passes them when "
				    "lxc.hook.version is not 1); usage: numaplace %s",
				    np_cmd_hook.synopsis);
	return np_cli_usage(NP_HOOK_CONTEXT, "usage: numaplace %s", np_cmd_hook.synopsis);
}

/* An environment variable LXC must have set, non-empty. */
static int np_hook_getenv(const char *var, const char **out)
{
	const char *v = getenv(var);

	if (!v || !*v)
		return np_cli_usage(NP_HOOK_CONTEXT, "%s is not set: run this as an LXC hook with "
				    "lxc.hook.version = 1", var);
	*out = v;
	return -1;
}

/* The hook type: start-host or post-stop. */
static int np_hook_type(struct np_lxc_env *env)
{
	_cleanup_free_ char *quoted = NULL;
	const char *type = NULL;
	int code = np_hook_getenv("LXC_HOOK_TYPE", &type);

	if (code >= 0)
		return code;
	env->start = strcmp(type, "start-host") == 0;
	if (env->start || strcmp(type, "post-stop") == 0)
		return -1;
	quoted = np_quote_string(type, 32);
	return np_cli_usage(NP_HOOK_CONTEXT, "LXC_HOOK_TYPE %s is not supported: configure "
			    "numaplace as lxc.hook.start-host and lxc.hook.post-stop only",
			    quoted ? quoted : "(?)");
}

/* Read and check LXC_HOOK_TYPE, LXC_NAME and LXC_PID. Returns -1 to go on,
 * or the exit code (2) after printing the one error line. */
static int np_hook_env(struct np_lxc_env *env)
{
	struct np_err err = NP_ERR_INIT;
	const char *pid = NULL;
	int code;

	if ((code = np_hook_type(env)) >= 0 ||
	    (code = np_hook_getenv("LXC_NAME", &env->name)) >= 0 ||
	    (code = np_hook_getenv("LXC_PID", &pid)) >= 0)
		return code;
	if (np_name_validate(env->name, &err) < 0)
		np_err_wrap(&err, "LXC_NAME");
	else if (np_cli_pid_parse(pid, &env->pid, &err) < 0)
		np_err_wrap(&err, "LXC_PID");
	if (err.code)
		return np_cli_fail(NP_HOOK_CONTEXT, &err);
	snprintf(env->group, sizeof(env->group), "lxc.payload.%s", env->name);
	return -1;
}

/* LXC_PID must be the container's init, in the container's own group: the
 * hook writes into no other group. */
static int np_hook_check_group(const struct np_lxc_env *env, struct np_err *err)
{
	_cleanup_cgroup_ struct np_cgroup *cg = NULL;
	_cleanup_free_ char *group = NULL;
	_cleanup_free_ char *quoted = NULL;
	int r;

	if ((r = np_cgroup_open("/proc", &cg, err)) < 0 ||
	    (r = np_cgroup_pid_group(cg, env->pid, &group, err)) < 0)
		return np_err_wrap(err, "LXC_PID %d", (int)env->pid);
	if (strcmp(group, env->group) == 0)
		return 0;
	quoted = *group ? np_quote_string(group, 128) : strdup("/");
	return np_err_input(err, "LXC_PID %d is in cpuset group %s, not in the container's "
			    "group %s", (int)env->pid, quoted ? quoted : "(?)", env->group);
}

static int np_hook_start(struct np_cli *cli, const struct np_lxc_env *env,
			 struct np_request_opts *req)
{
	struct np_err err = NP_ERR_INIT;

	req->name = env->name;
	req->pid = env->pid;
	req->target = NP_TARGET_GROUP;
	req->group = env->group;
	req->frontend = NP_FRONTEND_LXC;
	if (np_hook_check_group(env, &err) < 0)
		return np_cli_fail(NP_HOOK_CONTEXT, &err);
	return np_cli_decide_request(cli, NP_HOOK_CONTEXT, req, np_engine_place);
}

/* The PID recorded under the container's name (0: a PID-less reservation),
 * or -1 when there is no record. */
static int np_hook_holder(const struct np_cli *cli, const struct np_lxc_env *env,
			  pid_t *holder, struct np_err *err)
{
	struct np_ledger_options lo = { .read_only = true };
	struct np_record rec = { 0 };
	struct np_ledger *ledger = NULL;
	int r = np_ledger_open(cli->state_dir, &lo, &ledger, err);

	if (r == 0)
		r = np_ledger_read(ledger, env->name, &rec, err);
	np_ledger_close(ledger);
	*holder = -1;
	if (r == -ENOENT) {
		np_err_clear(err);
		return 0;
	}
	if (r < 0)
		return np_err_wrap(err, "state %s", cli->state_dir);
	*holder = rec.pid;
	np_record_clear(&rec);
	return 0;
}

/* Release the container's reservation. One recorded for another process
 * (the same name under another lxcpath, or a PID-less `reserve` this start
 * never adopted) is not this hook's to drop. */
static int np_hook_stop(struct np_cli *cli, const struct np_lxc_env *env)
{
	struct np_err err = NP_ERR_INIT;
	pid_t holder;

	if (np_hook_holder(cli, env, &holder, &err) < 0)
		return np_cli_fail(NP_HOOK_CONTEXT, &err);
	if (holder != env->pid) {
		if (holder == 0)
			printf("guest %s is reserved without a process, not by this container "
			       "(pid %d): left alone\n", env->name, (int)env->pid);
		else if (holder > 0)
			printf("guest %s is reserved for pid %d, not for this container's pid %d: "
			       "left alone\n", env->name, (int)holder, (int)env->pid);
		return NP_EXIT_OK;
	}
	return np_cli_release_stage(cli, NP_HOOK_CONTEXT, env->name);
}

static int np_hook_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_request_opts req = { 0 };
	struct np_lxc_env env = { 0 };
	int code;

	if (argc >= 2 && strcmp(argv[1], "oci") == 0)
		return np_hook_oci_run(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "libvirt") == 0)
		return np_hook_libvirt_run(cli, argc - 1, argv + 1);
	if ((code = np_hook_parse(argc, argv, &req)) >= 0 || (code = np_hook_env(&env)) >= 0)
		return code;
	return env.start ? np_hook_start(cli, &env, &req) : np_hook_stop(cli, &env);
}

const struct np_command np_cmd_hook = {
	.name = "hook",
	.live_only = true,
	.synopsis = "hook lxc [--vcpus N] [--memory SIZE] | hook oci create|delete | "
		    "hook libvirt NAME OP SUBOP EXTRA",
	.summary = "the LXC, OCI and libvirt hooks: place a guest as it starts, release it as it stops",
	.help = "  --vcpus N      vCPUs of the container (default: the policy's, else 1)\n"
		"  --memory SIZE  memory of the container (default: the policy's)\n"
		"Configure it in the container's config, or include the installed snippet:\n"
		"  lxc.include = " NP_LXC_SNIPPET "\n"
		"which sets:\n"
		"  lxc.hook.version = 1\n"
		"  lxc.hook.start-host = numaplace hook lxc\n"
		"  lxc.hook.post-stop = numaplace hook lxc\n"
		"Reads LXC_HOOK_TYPE, LXC_NAME and LXC_PID. At start-host it writes the\n"
		"container's cpuset into LXC's group lxc.payload.NAME (moving nothing); a\n"
		"failure exits non-zero, which aborts the start. At post-stop it releases the\n"
		"container's reservation. Any other hook type exits 2, touching nothing.\n"
		"`numaplace hook oci --help` tells the OCI hook (runc, crun, Podman),\n"
		"`numaplace hook libvirt --help` libvirt's qemu hook.\n",
	.run = np_hook_run,
};
