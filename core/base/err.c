/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text to keep when even the allocation for a message fails. */
static char np_err_oom_msg[] = "out of memory while formatting an error";

/* The code of the last error set on this thread without an error object,
 * which np_err_wrap(NULL, ...) hands back. */
static _Thread_local int np_err_last_code;

static void np_err_free_msg(struct np_err *err)
{
	if (err->msg != np_err_oom_msg)
		free(err->msg);
	err->msg = NULL;
}

__attribute__((format(printf, 4, 0)))
static int np_err_vset(struct np_err *err, int code, bool input,
		       const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (code >= 0)
		code = -EIO;
	if (!err) {
		np_err_last_code = code;
		return code;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = np_err_oom_msg;
	np_err_free_msg(err);
	err->code = code;
	err->input = input;
	err->msg = msg;
	return code;
}

int np_err_set(struct np_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_err_vset(err, code, false, fmt, ap);
	va_end(ap);
	return r;
}

int np_err_input(struct np_err *err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = np_err_vset(err, -EINVAL, true, fmt, ap);
	va_end(ap);
	return r;
}

int np_err_wrap(struct np_err *err, const char *fmt, ...)
{
	char *ctx = NULL;
	char *msg = NULL;
	va_list ap;

	if (!err)
		return np_err_last_code < 0 ? np_err_last_code : -EIO;
	if (err->code == 0)
		return -EIO;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, err->msg ? err->msg : "") >= 0) {
		np_err_free_msg(err);
		err->msg = msg;
	}
	free(ctx);
	return err->code;
}

int np_err_exit_code(const struct np_err *err)
{
	return err && err->input ? 2 : 1;
}

void np_err_clear(struct np_err *err)
{
	if (!err)
		return;
	np_err_free_msg(err);
	err->code = 0;
	err->input = false;
}

int np_err_move(struct np_err *to, struct np_err *from)
{
	int code = from->code;

	if (to) {
		np_err_clear(to);
		*to = *from;
		from->msg = NULL;
	}
	np_err_clear(from);
	return code;
}
