/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace numad -w VCPUS[:MB]: numad's advisory interface, which
 * libvirt's <vcpu placement='auto'> runs as /usr/bin/numad. It takes the
 * oldest unclaimed reservation the libvirt hook made at prepare for this
 * request and prints its nodes, so the domain is booked under its own
 * name; with none, it advises without booking. Also run as `numad`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli_engine.h"
#include "cpulist.h"
#include "quote.h"
#include "size.h"

#define NP_NUMAD_CONTEXT "numad"
/* Name of the request when no reservation answers it (advice only). */
#define NP_NUMAD_GUEST "numad-request"

struct np_numad_req {
	unsigned vcpus;
	uint64_t mb; /* 0: not given */
};

/* "VCPUS[:MB]", both decimal, VCPUS in 1..NP_CPUSET_MAX. */
static int np_numad_parse_w(const char *text, struct np_numad_req *req, struct np_err *err)
{
	_cleanup_free_ char *quoted = np_quote_string(text, 32);
	unsigned long long v, m = 0;
	char *end;

	errno = 0;
	v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
	if (v >= 1 && v <= NP_CPUSET_MAX && errno == 0 && *end == ':') {
		const char *mb = end + 1;

		m = mb[0] >= '0' && mb[0] <= '9' ? strtoull(mb, &end, 10) : 0;
		if (m == 0 || errno != 0 || m > (UINT64_C(1) << 40))
			end = (char *)mb;
	}
	if (v < 1 || v > NP_CPUSET_MAX || errno != 0 || *end != '\0')
		return np_err_input(err, "-w %s: expected VCPUS[:MB], numbers above 0",
				    quoted ? quoted : "(?)");
	req->vcpus = (unsigned)v;
	req->mb = m;
	return 0;
}

/* Only `-w ARG` (or -wARG) and --help. Returns -1 to go on, else the exit code. */
static int np_numad_args(int argc, char **argv, struct np_numad_req *req)
{
	struct np_err err = NP_ERR_INIT;
	const char *w = NULL;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return np_cli_help(&np_cmd_numad);
	if (argc == 3 && strcmp(argv[1], "-w") == 0)
		w = argv[2];
	else if (argc == 2 && strncmp(argv[1], "-w", 2) == 0 && argv[1][2])
		w = argv[1] + 2;
	if (!w)
		return np_cli_usage(NP_NUMAD_CONTEXT, "usage: numaplace %s (numaplace answers "
				    "only numad's -w)", np_cmd_numad.synopsis);
	if (np_numad_parse_w(w, req, &err) < 0)
		return np_cli_fail(NP_NUMAD_CONTEXT, &err);
	return -1;
}

static int np_numad_print(const struct np_record *rec)
{
	_cleanup_free_ char *nodes = np_cpulist_format(&rec->nodes);

	if (!nodes || !*nodes)
		return np_cli_usage(NP_NUMAD_CONTEXT, "no node chosen");
	printf("%s\n", nodes);
	return fflush(stdout) == 0 ? NP_EXIT_OK : NP_EXIT_FAILURE;
}

/* Claim the matching reservation, else advise. */
static int np_numad_answer(struct np_engine *eng, const struct np_numad_req *req,
			   struct np_result *res, struct np_err *err)
{
	struct np_request_opts ro = {
		.name = NP_NUMAD_GUEST,
		.vcpus = req->vcpus,
		.memory = req->mb << 20,
		.frontend = NP_FRONTEND_LIBVIRT,
	};
	int r = req->mb ? np_engine_numad_claim(eng, req->vcpus, req->mb, res, err) : -ENOENT;

	if (r != -ENOENT)
		return r;
	return np_engine_advise(eng, &ro, res, err);
}

static int np_numad_run(struct np_cli *cli, int argc, char **argv)
{
	struct np_numad_req req = { 0 };
	struct np_result res = { 0 };
	struct np_err err = NP_ERR_INIT;
	struct np_engine *eng = NULL;
	int code = np_numad_args(argc, argv, &req);

	if (code >= 0)
		return code;
	code = np_cli_engine_open(cli, NP_NUMAD_CONTEXT, &eng);
	if (code != 0)
		return code;
	if (np_numad_answer(eng, &req, &res, &err) < 0)
		code = np_cli_fail(NP_NUMAD_CONTEXT, &err);
	else
		code = np_numad_print(&res.rec);
	np_result_clear(&res);
	np_engine_close(eng);
	return code;
}

const struct np_command np_cmd_numad = {
	.name = "numad",
	.synopsis = "numad -w VCPUS[:MB]",
	.summary = "numad's -w interface, for libvirt's <vcpu placement='auto'>",
	.help = "  -w VCPUS[:MB]  print the nodes for a guest of VCPUS vCPUs and MB MiB\n"
		"Takes, under the lock, the oldest unclaimed reservation that `hook libvirt`\n"
		"made at prepare with this request, marks it claimed and prints its nodes;\n"
		"with none, it advises without booking. Exit 1 with the reason when nothing\n"
		"fits. Acts the same when run as `numad` (contrib/libvirt/README.md: divert\n"
		"/usr/bin/numad); any other numad option exits 2.\n",
	.run = np_numad_run,
};
