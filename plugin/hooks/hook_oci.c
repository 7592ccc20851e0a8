/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace hook oci create|delete: the OCI runtime hook (runc, crun, and
 * Podman through hooks.d). The container state comes on stdin.
 *  - create (createRuntime or prestart): the runtime has made the
 *    container's cgroup and put its init there; the guest's cpuset is
 *    written into that group, found from /proc/PID/cgroup, and nothing is
 *    moved. A non-zero exit makes the runtime refuse the create.
 *  - delete (poststop; the pid may be 0): the reservation is released; the
 *    group is the runtime's to remove.
 * Never runs the runtime (it waits for the hook).
 */
#include "hook_oci.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli_engine.h"
#include "fileio.h"
#include "ledger.h"
#include "proc.h"
#include "quote.h"

#define NP_OCI_CONTEXT "hook oci"
#define NP_OCI_STATE_MAX (1u << 20)

/* For `hook oci --help`. */
static const struct np_command np_cmd_hook_oci = {
	.name = "hook oci",
	.synopsis = "hook oci create|delete",
	.help = "Configure it as an OCI hook (see contrib/oci/): createRuntime (or prestart)\n"
		"runs `numaplace hook oci create`, poststop runs `numaplace hook oci delete`.\n"
		"The container state comes on stdin. At create it writes the container's\n"
		"cpuset into the container's own cgroup (moving nothing); a failure exits\n"
		"non-zero, which makes the runtime refuse the create. At delete it releases\n"
		"the reservation. The guest name is the annotation org.numaplace.name, else\n"
		"the container id; org.numaplace.vcpus, org.numaplace.memory and\n"
		"org.numaplace.exclusive size it where the policy does not.\n",
};

/* `create` or `delete`. Returns -1 to go on, or the exit code. */
static int np_oci_parse(int argc, char **argv, bool *create)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	int c, code;

	while ((c = np_cli_getopt(&np_cmd_hook_oci, argc, argv, opts, &code)) != -1)
		if (c == NP_CLI_STOP)
			return code;
	if (argc - optind == 1 && (strcmp(argv[optind], "create") == 0 ||
				   strcmp(argv[optind], "delete") == 0)) {
		*create = strcmp(argv[optind], "create") == 0;
		return -1;
	}
	return np_cli_usage(NP_OCI_CONTEXT, "usage: numaplace %s", np_cmd_hook_oci.synopsis);
}

/* Read and check the state on stdin (and the bundle). Returns -1 to go on,
 * or the exit code after the one error line. */
static int np_oci_read(bool create, struct np_oci_state *st)
{
	struct np_err err = NP_ERR_INIT;
	_cleanup_free_ char *text = NULL;
	int r = np_read_fd(0, NP_OCI_STATE_MAX, &text, NULL);

	if (r < 0) {
		np_err_input(&err, "state on stdin: %s", strerror(-r));
		return np_cli_fail(NP_OCI_CONTEXT, &err);
	}
	if (np_oci_state_parse(text, create, st, &err) < 0)
		return np_cli_fail(NP_OCI_CONTEXT, &err);
	return -1;
}

/* The container's own cpuset group: the one its init is in, which must be
 * below the root and hold no other process. */
static int np_oci_group(const struct np_oci_state *st, char **out, struct np_err *err)
{
	_cleanup_cgroup_ struct np_cgroup *cg = NULL;
	_cleanup_free_ char *group = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r;

	if ((r = np_cgroup_open("/proc", &cg, err)) < 0 ||
	    (r = np_cgroup_pid_group(cg, st->pid, &group, err)) < 0)
		return np_err_wrap(err, "pid %d", (int)st->pid);
	if (!*group)
		return np_err_input(err, "pid %d is in the root cpuset group: set the "
				    "container's linux.cgroupsPath", (int)st->pid);
	if ((r = np_cgroup_tasks(cg, group, &pids, &n, err)) < 0)
		return np_err_wrap(err, "pid %d", (int)st->pid);
	for (size_t i = 0; i < n; i++) {
		if (pids[i] != st->pid) {
			_cleanup_free_ char *quoted = *group ? np_quote_string(group, 128) : strdup("/");

			return np_err_input(err, "cpuset group %s of pid %d also holds pid %d: "
					    "not the container's own group", quoted ? quoted : "(?)",
					    (int)st->pid, (int)pids[i]);
		}
	}
	*out = group;
	group = NULL;
	return 0;
}

/* The request: the policy's size, else the annotations'. */
static int np_oci_request(struct np_engine *eng, const struct np_oci_state *st,
			  struct np_request_opts *req, struct np_err *err)
{
	struct np_settings s;

	if (np_engine_settings(eng, st->name, &s, err) < 0)
		return err->code;
	req->name = st->name;
	req->pid = st->pid;
	req->target = NP_TARGET_GROUP;
	req->vcpus = s.vcpus ? 0 : st->vcpus;
	req->memory = s.memory ? 0 : st->memory;
	req->exclusive = st->exclusive;
	req->frontend = NP_FRONTEND_OCI;
	req->pinned = st->has_cpus ? &st->cpus : NULL;
	return 0;
}

static int np_oci_create(struct np_cli *cli, const struct np_oci_state *st)
{
	struct np_request_opts req = { 0 };
	struct np_result res = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_engine *eng = NULL;
	_cleanup_free_ char *group = NULL;
	int code = np_cli_engine_open(cli, NP_OCI_CONTEXT, &eng);

	if (code != 0)
		return code;
	if (np_oci_group(st, &group, &err) == 0 && np_oci_request(eng, st, &req, &err) == 0) {
		req.group = group;
		if (np_engine_place(eng, &req, &res, &err) == 0)
			np_cli_print_result(cli, &res);
	}
	code = err.code ? np_cli_fail(NP_OCI_CONTEXT, &err) : NP_EXIT_OK;
	np_result_clear(&res);
	np_engine_close(eng);
	return code;
}

/* The PID recorded under the name (0: a PID-less reservation), -1 when
 * there is no record. */
static int np_oci_holder(const struct np_cli *cli, const char *name, pid_t *holder,
			 struct np_err *err)
{
	struct np_ledger_options lo = { .read_only = true };
	struct np_record rec = { 0 };
	struct np_ledger *ledger = NULL;
	int r = np_ledger_open(cli->state_dir, &lo, &ledger, err);

	if (r == 0)
		r = np_ledger_read(ledger, name, &rec, err);
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

/* Whether the record's process is another container's: a PID-less
 * reservation never is this container's; a recorded pid is when the state
 * names another pid, or (pid 0 at poststop) when it still runs. */
static int np_oci_foreign(pid_t holder, pid_t pid, bool *foreign, struct np_err *err)
{
	bool alive = false;

	*foreign = holder == 0 || (pid != 0 && holder != pid);
	if (*foreign || pid != 0)
		return 0;
	if (np_proc_alive("/proc", holder, &alive, NULL, err) < 0)
		return np_err_wrap(err, "pid %d", (int)holder);
	*foreign = alive;
	return 0;
}

static int np_oci_delete(struct np_cli *cli, const struct np_oci_state *st)
{
	struct np_err err = NP_ERR_INIT;
	bool foreign = false;
	pid_t holder;

	if (np_oci_holder(cli, st->name, &holder, &err) < 0 ||
	    (holder >= 0 && np_oci_foreign(holder, st->pid, &foreign, &err) < 0))
		return np_cli_fail(NP_OCI_CONTEXT, &err);
	if (foreign) {
		printf("guest %s is held by %s, not by this container: left alone\n", st->name,
		       holder ? "another process" : "a reservation without a process");
		return NP_EXIT_OK;
	}
	return np_cli_release_stage(cli, NP_OCI_CONTEXT, st->name);
}

int np_hook_oci_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_oci_state st = { 0 };
	bool create = false;
	int code;

	if ((code = np_oci_parse(argc, argv, &create)) >= 0 || (code = np_oci_read(create, &st)) >= 0)
		return code;
	return create ? np_oci_create(cli, &st) : np_oci_delete(cli, &st);
}
