/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_CLEANUP_H
#define NUMAPLACE_CLEANUP_H

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Scope-bound cleanup, as crun and systemd use it: a variable declared
 * `_cleanup_free_ char *s = NULL;` is freed on every return path.
 * Take ownership out of such a variable with np_steal_ptr().
 */

static inline void np_freep(void *p)
{
	free(*(void **)p);
}

static inline void np_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void np_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void np_json_putp(struct json_object **obj)
{
	json_object_put(*obj);
}

static inline void np_tokener_freep(struct json_tokener **tok)
{
	if (*tok)
		json_tokener_free(*tok);
}

#define _cleanup_free_ __attribute__((cleanup(np_freep)))
#define _cleanup_close_ __attribute__((cleanup(np_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(np_fclosep)))
#define _cleanup_json_ __attribute__((cleanup(np_json_putp)))
#define _cleanup_tokener_ __attribute__((cleanup(np_tokener_freep)))

/* Return *pp and set it to NULL, so a cleanup attribute no longer frees it. */
#define np_steal_ptr(pp)                       \
	({                                      \
		__typeof__(*(pp)) np_tmp_ = *(pp); \
		*(pp) = NULL;                       \
		np_tmp_;                            \
	})

#define NP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
