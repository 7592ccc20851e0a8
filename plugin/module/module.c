/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace.so: the ABI of numaplace/plugin.h over the engine. This file
 * only checks and converts: every decision is the engine's, as for the CLI.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "cpulist.h"
#include "engine.h"
#include "numaplace/plugin.h"

struct numaplace_context {
	struct np_engine *eng;
	void (*log)(enum numaplace_log_level level, const char *message, void *data);
	void *log_data;
};

/* Hand an internal error to the caller: the message is copied, since the
 * internal one may be a static text the caller could not free. */
static int np_module_err_out(struct np_err *in, struct numaplace_error *out)
{
	int code = in->code ? in->code : -EIO;

	if (out) {
		free(out->message);
		out->code = code;
		out->input = in->input;
		out->message = strdup(in->msg ? in->msg : "unknown error");
	}
	np_err_clear(in);
	return code;
}

/* Refuse a call before it reaches the engine, with an input error. */
__attribute__((format(printf, 2, 3)))
static int np_module_refuse(struct numaplace_error *out, const char *fmt, ...)
{
	struct np_err err = NP_ERR_INIT;
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	np_err_input(&err, "%s", r >= 0 ? msg : "invalid argument");
	return np_module_err_out(&err, out);
}

/*
 * Check a struct the caller hands in: at least version 1's `v1` bytes, and
 * any bytes past the `known` ones this module reads must be zero.
 */
static int np_module_size_check(const void *p, size_t size, size_t v1, size_t known,
				const char *what, struct np_err *err)
{
	const unsigned char *bytes = p;

	if (size < v1)
		return np_err_input(err, "struct %s: size %zu is smaller than ABI version 1's %zu",
				    what, size, v1);
	for (size_t i = known; i < size; i++)
		if (bytes[i] != 0)
			return np_err_set(err, -E2BIG, "struct %s: members past byte %zu are set: "
					  "this module (ABI %u) does not know them", what, known,
					  NUMAPLACE_ABI_VERSION);
	return 0;
}

static void np_module_log(enum np_log_level level, const char *msg, void *data)
{
	struct numaplace_context *ctx = data;
	enum numaplace_log_level out = NUMAPLACE_LOG_ERROR;

	if (level == NP_LOG_INFO)
		out = NUMAPLACE_LOG_INFO;
	else if (level == NP_LOG_WARNING)
		out = NUMAPLACE_LOG_WARNING;
	ctx->log(out, msg, ctx->log_data);
}

/* The module takes a topology file only: a sysfs capture directory would
 * need HWLOC_FSROOT, process-global state a module must not set. */
static int np_module_topology_check(const char *path, struct np_err *err)
{
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st) < 0)
		return np_err_input(err, "topology %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return np_err_input(err, "topology %s: the module takes an hwloc XML file only", path);
	return 0;
}

static int np_module_open_engine(struct numaplace_context *ctx, const char *config,
				 const struct numaplace_open_options *o, struct np_err *err)
{
	struct np_engine_opts eo = {
		.config = config,
		.config_required = config != NULL,
		.topology = o->topology,
		.state_dir = o->state_dir,
		.log = o->log ? np_module_log : NULL,
		.data = ctx,
	};

	ctx->log = o->log;
	ctx->log_data = o->log_data;
	if (np_module_topology_check(o->topology, err) < 0)
		return -EINVAL;
	return np_engine_open(&eo, &ctx->eng, NULL, err);
}

static int np_module_open(const char *config, const struct numaplace_open_options *opts,
			  struct numaplace_context **out, struct numaplace_error *error)
{
	struct numaplace_open_options o = { .size = sizeof(o) };
	struct np_err err = NP_ERR_INIT;
	struct numaplace_context *ctx;

	if (!out)
		return np_module_refuse(error, "open: no place for the context");
	if (opts && np_module_size_check(opts, opts->size, sizeof(o), sizeof(o),
					 "numaplace_open_options", &err) < 0)
		return np_module_err_out(&err, error);
	if (opts)
		memcpy(&o, opts, sizeof(o));
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		np_err_set(&err, -ENOMEM, "out of memory");
		return np_module_err_out(&err, error);
	}
	if (np_module_open_engine(ctx, config, &o, &err) < 0) {
		free(ctx);
		return np_module_err_out(&err, error);
	}
	*out = ctx;
	return 0;
}

static void np_module_close(struct numaplace_context *ctx)
{
	if (!ctx)
		return;
	np_engine_close(ctx->eng);
	free(ctx);
}

/* The request in the engine's terms, after checking what the engine takes
 * on trust. `want_pid`: place needs a process. */
static int np_module_request(const struct numaplace_request *in, bool want_pid,
			     struct np_request_opts *out, struct np_err *err)
{
	struct numaplace_request r = { 0 };

	if (!in)
		return np_err_input(err, "no request");
	if (np_module_size_check(in, in->size, sizeof(r), sizeof(r), "numaplace_request", err) < 0)
		return err->code;
	memcpy(&r, in, sizeof(r));
	if (!r.name)
		return np_err_input(err, "request: no guest name");
	if (want_pid && r.pid <= 0)
		return np_err_input(err, "guest %s: pid %d is not a process id", r.name, (int)r.pid);
	if (want_pid && r.target != NUMAPLACE_TARGET_CREATE && r.target != NUMAPLACE_TARGET_GROUP)
		return np_err_input(err, "guest %s: unknown target %d", r.name, (int)r.target);
	if (want_pid && r.target == NUMAPLACE_TARGET_GROUP && (!r.group || !*r.group))
		return np_err_input(err, "guest %s: target group without a group", r.name);
	*out = (struct np_request_opts){
		.name = r.name,
		.vcpus = r.vcpus,
		.memory = r.memory,
		.pid = want_pid ? r.pid : 0,
		.target = r.target == NUMAPLACE_TARGET_GROUP ? NP_TARGET_GROUP : NP_TARGET_CREATE,
		.group = r.group,
		.frontend = NP_FRONTEND_MODULE,
	};
	return 0;
}

static const char *np_module_memory_mode(enum np_memory_mode mode)
{
	if (mode == NP_MEMORY_PREFERRED)
		return "preferred";
	if (mode == NP_MEMORY_INTERLEAVE)
		return "interleave";
	return "strict";
}

static void np_module_result_clear(struct numaplace_result *res)
{
	size_t size;

	if (!res)
		return;
	size = res->size;
	free(res->cpus);
	free(res->mems);
	free(res->nodes);
	free(res->advisor);
	free(res->reason);
	free(res->cgroup);
	free(res->memory_mode);
	memset(res, 0, sizeof(*res));
	res->size = size;
}

static char *np_module_strdup_opt(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

/* Fill the caller's result from the engine's; -ENOMEM leaves it as it was. */
static int np_module_result(const struct np_result *in, bool with_cgroup,
			    struct numaplace_result *out, struct np_err *err)
{
	struct numaplace_result r = { .size = out->size };
	const struct np_record *rec = &in->rec;
	bool failed = false;

	r.cpus = np_cpulist_format(&rec->cpus);
	r.mems = np_cpulist_format(&rec->mems);
	r.nodes = np_cpulist_format(&rec->nodes);
	r.advisor = np_module_strdup_opt(np_advisor_name(rec->advisor), &failed);
	r.reason = np_module_strdup_opt(rec->reason ? rec->reason : "", &failed);
	r.cgroup = with_cgroup ? np_module_strdup_opt(rec->cgroup, &failed) : NULL;
	r.memory_mode = np_module_strdup_opt(np_module_memory_mode(in->memory_mode), &failed);
	r.fallback = rec->fallback;
	r.noop = in->noop;
	if (failed || !r.cpus || !r.mems || !r.nodes) {
		np_module_result_clear(&r);
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

/* The whole of place, reserve and advise: check, call the engine, convert. */
static int np_module_decide(struct numaplace_context *ctx, const struct numaplace_request *req,
			    struct numaplace_result *out, struct numaplace_error *error,
			    np_engine_decide_fn fn, bool place)
{
	struct np_request_opts ro;
	struct np_result res = { 0 };
	struct np_err err = NP_ERR_INIT;
	int r;

	if (!ctx || !out)
		return np_module_refuse(error, "no context or no result");
	/* The module fills what fits in out->size: no byte past it is read. */
	if (np_module_size_check(out, out->size, sizeof(*out), out->size, "numaplace_result", &err) < 0 ||
	    np_module_request(req, place, &ro, &err) < 0)
		return np_module_err_out(&err, error);
	r = fn(ctx->eng, &ro, &res, &err);
	if (r == 0)
		r = np_module_result(&res, place, out, &err);
	np_result_clear(&res);
	return r < 0 ? np_module_err_out(&err, error) : 0;
}

static int np_module_place(struct numaplace_context *ctx, const struct numaplace_request *req,
			   struct numaplace_result *out, struct numaplace_error *err)
{
	return np_module_decide(ctx, req, out, err, np_engine_place, true);
}

static int np_module_reserve(struct numaplace_context *ctx, const struct numaplace_request *req,
			     struct numaplace_result *out, struct numaplace_error *err)
{
	return np_module_decide(ctx, req, out, err, np_engine_reserve, false);
}

static int np_module_advise(struct numaplace_context *ctx, const struct numaplace_request *req,
			    struct numaplace_result *out, struct numaplace_error *err)
{
	return np_module_decide(ctx, req, out, err, np_engine_advise, false);
}

static int np_module_release(struct numaplace_context *ctx, const char *name, unsigned flags,
			     struct numaplace_error *error)
{
	struct np_err err = NP_ERR_INIT;

	if (!ctx || !name)
		return np_module_refuse(error, "release: no context or no name");
	if (flags & ~NUMAPLACE_RELEASE_FORCE)
		return np_module_refuse(error, "release %s: unknown flags %#x", name, flags);
	if (np_engine_release(ctx->eng, name, flags & NUMAPLACE_RELEASE_FORCE, &err) < 0)
		return np_module_err_out(&err, error);
	return 0;
}

static void np_module_error_clear(struct numaplace_error *err)
{
	if (!err)
		return;
	free(err->message);
	*err = (struct numaplace_error)NUMAPLACE_ERROR_INIT;
}

static const struct numaplace_plugin np_module_v1 = {
	.size = sizeof(struct numaplace_plugin),
	.abi_version = 1,
	.abi_max = NUMAPLACE_ABI_VERSION,
	.version = NUMAPLACE_VERSION,
	.open = np_module_open,
	.place = np_module_place,
	.reserve = np_module_reserve,
	.advise = np_module_advise,
	.release = np_module_release,
	.close = np_module_close,
	.result_clear = np_module_result_clear,
	.error_clear = np_module_error_clear,
};

__attribute__((visibility("default")))
const struct numaplace_plugin *numaplace_plugin_entry(unsigned abi_version)
{
	if (abi_version != 1) {
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	return &np_module_v1;
}
