/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace hook libvirt NAME OP SUBOP EXTRA: libvirt's qemu hook
 * (/etc/libvirt/hooks/qemu.d/50-numaplace). The domain XML comes on stdin.
 *  - prepare begin: reserve, sized by the policy, else by <vcpu> and
 *    <memory>, noting the numad request libvirt will send (vcpus:MiB).
 *    A non-zero exit makes libvirt refuse the start with our line.
 *  - started begin: apply the reservation to the domain's cgroup tree and
 *    record the QEMU PID; a domain that pins its own CPUs is booked and
 *    nothing is written. A failure exits 1 and libvirt stops the domain.
 *  - reconnect begin (libvirtd restarted): apply again; a failure is one
 *    line on stderr and exit 0 (non-zero would kill a running domain).
 *  - release end: release.
 * Any other stage exits 0. It never writes stdout (libvirt feeds it to the
 * next qemu.d script) and never calls libvirt (deadlock).
 */
#include "hook_libvirt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli_engine.h"
#include "fileio.h"
#include "ledger.h"
#include "name.h"
#include "quote.h"

#define NP_LV_CONTEXT "hook libvirt"
#define NP_LV_XML_MAX (16u << 20)
/* Where libvirt keeps NAME.pid; NUMAPLACE_LIBVIRT_RUN_DIR overrides it. */
#define NP_LV_RUN_DIR "/run/libvirt/qemu"

enum np_lv_stage { NP_LV_OTHER, NP_LV_PREPARE, NP_LV_STARTED, NP_LV_RECONNECT, NP_LV_RELEASE };

/* One hook call: the stage, the domain and its guest name. */
struct np_lv_call {
	struct np_cli *cli;
	const char *domain;        /* NAME, the libvirt domain name */
	enum np_lv_stage stage;
	struct np_domain dom;
	char name[NP_NAME_MAX + 1]; /* the guest name: NAME, else the UUID */
};

static const struct np_command np_cmd_hook_libvirt = {
	.name = "hook libvirt",
	.synopsis = "hook libvirt NAME OP SUBOP EXTRA",
	.help = "Install it as /etc/libvirt/hooks/qemu.d/50-numaplace (see\n"
		"contrib/libvirt/README.md); libvirt passes the domain XML on stdin.\n"
		"prepare begin reserves (the policy's size, else <vcpu> and <memory>) and\n"
		"notes the numad request; a failure refuses the start. started begin writes\n"
		"the reservation into the domain's cgroup tree (a domain that pins its own\n"
		"CPUs is booked, not rewritten); reconnect begin does it again, exit 0 even\n"
		"on failure; release end releases. Other stages exit 0. The guest name is the\n"
		"domain name, else its UUID. Never writes stdout. The PID file is read from\n"
		"$NUMAPLACE_LIBVIRT_RUN_DIR/NAME.pid (default " NP_LV_RUN_DIR ").\n",
};

static enum np_lv_stage np_lv_stage(const char *op, const char *sub)
{
	if (strcmp(op, "prepare") == 0 && strcmp(sub, "begin") == 0)
		return NP_LV_PREPARE;
	if (strcmp(op, "started") == 0 && strcmp(sub, "begin") == 0)
		return NP_LV_STARTED;
	if (strcmp(op, "reconnect") == 0 && strcmp(sub, "begin") == 0)
		return NP_LV_RECONNECT;
	if (strcmp(op, "release") == 0 && strcmp(sub, "end") == 0)
		return NP_LV_RELEASE;
	return NP_LV_OTHER;
}

/* Read stdin whole (an unknown stage drains it too, so libvirt never
 * sees a broken pipe). */
static int np_lv_stdin(char **text, size_t *len, struct np_err *err)
{
	int r = np_read_fd(0, NP_LV_XML_MAX, text, len);

	if (r == -EFBIG)
		return np_err_input(err, "domain XML on stdin is larger than %u bytes",
				    NP_LV_XML_MAX);
	if (r < 0)
		return np_err_input(err, "domain XML on stdin: %s", strerror(-r));
	return 0;
}

/* The guest name: the domain name when it is a valid guest name, else the
 * domain's UUID. */
static int np_lv_name(struct np_lv_call *call, struct np_err *err)
{
	const char *name = call->domain;

	if (np_name_validate(name, NULL) < 0)
		name = call->dom.uuid;
	if (!name)
		return np_err_input(err, "domain name is not a valid guest name and the domain "
				    "XML has no <uuid>");
	if (np_name_validate(name, err) < 0)
		return np_err_wrap(err, "domain <uuid>");
	snprintf(call->name, sizeof(call->name), "%s", name);
	return 0;
}

static int np_lv_read(struct np_lv_call *call, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = np_lv_stdin(&text, &len, err);

	if (r < 0 || call->stage == NP_LV_OTHER)
		return r;
	if ((r = np_domain_parse(text, len, &call->dom, err)) < 0)
		return r;
	return np_lv_name(call, err);
}

/* The request for this domain: the policy's size, else the XML's. */
static int np_lv_request(struct np_engine *eng, struct np_lv_call *call,
			 struct np_request_opts *req, struct np_err *err)
{
	struct np_settings s;

	if (np_engine_settings(eng, call->name, &s, err) < 0)
		return err->code;
	req->name = call->name;
	req->frontend = NP_FRONTEND_LIBVIRT;
	req->vcpus = s.vcpus ? 0 : call->dom.vcpus;
	req->memory = s.memory ? 0 : call->dom.memory_kib * 1024;
	req->pinned = call->dom.pinned ? &call->dom.cpus : NULL;
	return 0;
}

static int np_lv_prepare(struct np_engine *eng, struct np_lv_call *call, struct np_err *err)
{
	struct np_request_opts req = { 0 };
	struct np_result res = { 0 };
	int r;

	if (!call->dom.vcpus)
		return np_err_input(err, "domain %s: the domain XML has no <vcpu>", call->name);
	if ((r = np_lv_request(eng, call, &req, err)) < 0)
		return r;
	req.numad_vcpus = call->dom.vcpus;
	req.numad_mb = (call->dom.memory_kib + 1023) / 1024;
	r = np_engine_reserve(eng, &req, &res, err);
	np_result_clear(&res);
	return r;
}

/* QEMU's PID from RUN_DIR/DOMAIN.pid. */
static int np_lv_pid(const struct np_lv_call *call, pid_t *pid, struct np_err *err)
{
	const char *dir = getenv("NUMAPLACE_LIBVIRT_RUN_DIR");
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	if (strchr(call->domain, '/') || call->domain[0] == '.' || !call->domain[0])
		return np_err_input(err, "domain name is not a file name");
	if (asprintf(&path, "%s/%s.pid", dir && *dir ? dir : NP_LV_RUN_DIR, call->domain) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_read_file(path, 64, &text, NULL);
	if (r < 0)
		return np_err_set(err, r, "domain %s: PID file %s: %s", call->name, path,
				  strerror(-r));
	text[strcspn(text, "\n")] = '\0';
	if (np_cli_pid_parse(text, pid, err) < 0)
		return np_err_wrap(err, "domain %s: PID file %s", call->name, path);
	return 0;
}

/* The domain's own cpuset group: QEMU's, or its parent when QEMU sits in
 * libvirt's `emulator` child. */
static int np_lv_group(pid_t pid, char **out, struct np_err *err)
{
	_cleanup_cgroup_ struct np_cgroup *cg = NULL;
	_cleanup_free_ char *group = NULL;
	char *slash;
	int r;

	if ((r = np_cgroup_open("/proc", &cg, err)) < 0 ||
	    (r = np_cgroup_pid_group(cg, pid, &group, err)) < 0)
		return np_err_wrap(err, "pid %d", (int)pid);
	slash = strrchr(group, '/');
	if (slash && strcmp(slash + 1, "emulator") == 0)
		*slash = '\0';
	if (!*group || !strchr(group, '/'))
		return np_err_input(err, "pid %d is not in a domain's own cpuset group",
				    (int)pid);
	*out = group;
	group = NULL;
	return 0;
}

static int np_lv_place(struct np_engine *eng, struct np_lv_call *call, struct np_err *err)
{
	struct np_request_opts req = { 0 };
	struct np_result res = { 0 };
	_cleanup_free_ char *group = NULL;
	int r;

	if ((r = np_lv_request(eng, call, &req, err)) < 0 ||
	    (r = np_lv_pid(call, &req.pid, err)) < 0)
		return r;
	if (!req.pinned && (r = np_lv_group(req.pid, &group, err)) < 0)
		return r;
	req.target = NP_TARGET_GROUP;
	req.group = group;
	req.reapply = call->stage == NP_LV_RECONNECT;
	r = np_engine_place(eng, &req, &res, err);
	np_result_clear(&res);
	return r;
}

/* Release the domain's reservation, unless another front end holds the
 * name (then it was never this domain's). */
static int np_lv_release(struct np_engine *eng, struct np_lv_call *call, struct np_err *err)
{
	struct np_ledger_options lo = { .read_only = true };
	struct np_record rec = { 0 };
	struct np_ledger *ledger = NULL;
	int r = np_ledger_open(call->cli->state_dir, &lo, &ledger, err);

	if (r == 0)
		r = np_ledger_read(ledger, call->name, &rec, err);
	np_ledger_close(ledger);
	if (r == -ENOENT) {
		np_err_clear(err);
		return 0;
	}
	if (r < 0)
		return np_err_wrap(err, "state %s", call->cli->state_dir);
	r = rec.frontend == NP_FRONTEND_LIBVIRT || rec.frontend == NP_FRONTEND_UNKNOWN;
	np_record_clear(&rec);
	return r ? np_engine_release(eng, call->name, true, err) : 0;
}

static int np_lv_stage_run(struct np_engine *eng, struct np_lv_call *call, struct np_err *err)
{
	switch (call->stage) {
	case NP_LV_PREPARE:
		return np_lv_prepare(eng, call, err);
	case NP_LV_STARTED:
	case NP_LV_RECONNECT:
		return np_lv_place(eng, call, err);
	case NP_LV_RELEASE:
		return np_lv_release(eng, call, err);
	case NP_LV_OTHER:
		break;
	}
	return 0;
}

static int np_lv_parse(int argc, char **argv, struct np_lv_call *call)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		return np_cli_help(&np_cmd_hook_libvirt);
	}
	if (argc != 5)
		return np_cli_usage(NP_LV_CONTEXT, "usage: numaplace %s (run by libvirt as "
				    "/etc/libvirt/hooks/qemu.d/50-numaplace)",
				    np_cmd_hook_libvirt.synopsis);
	call->domain = argv[1];
	call->stage = np_lv_stage(argv[2], argv[3]);
	return -1;
}

int np_hook_libvirt_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_lv_call call = { .cli = cli };
	struct np_err err = NP_ERR_INIT;
	struct np_engine *eng = NULL;
	int code = np_lv_parse(argc, argv, &call);

	if (code >= 0)
		return code;
	if (np_lv_read(&call, &err) < 0) {
		np_domain_clear(&call.dom);
		return np_cli_fail(NP_LV_CONTEXT, &err);
	}
	if (call.stage == NP_LV_OTHER)
		return NP_EXIT_OK;
	code = np_cli_engine_open(cli, NP_LV_CONTEXT, &eng);
	if (code == 0 && np_lv_stage_run(eng, &call, &err) < 0) {
		code = np_cli_fail(NP_LV_CONTEXT, &err);
		if (call.stage == NP_LV_RECONNECT)
			code = NP_EXIT_OK;
	}
	np_engine_close(eng);
	np_domain_clear(&call.dom);
	return code;
}
