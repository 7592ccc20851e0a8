/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_PROC_H
#define NUMAPLACE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/*
 * Process identity, as reconcile needs it: a PID names the same process
 * only while the start time (and the boot) match, since PIDs are reused.
 * Every function reads below `proc_root` ("/proc" on a live machine, a
 * fake tree in tests) and nothing else.
 */

/* A boot id is 36 characters (8-4-4-4-12 lowercase hex) plus the NUL. */
#define NP_PROC_BOOT_ID_SIZE 37

/* The start time of `pid` in clock ticks since boot (field 22 of
 * PROC/PID/stat, read past a comm that may hold spaces and parentheses).
 * -ESRCH when there is no such process; -EBADMSG when the file does not
 * parse; other negative errnos from reading it. */
int np_proc_start_time(const char *proc_root, pid_t pid, uint64_t *out, struct np_err *err);

/* True when `pid` exists and is not a zombie (state Z or X), filling its
 * start time into `*start` (may be NULL). Errors as np_proc_start_time(),
 * except that a missing process is 0 with *alive false. */
int np_proc_alive(const char *proc_root, pid_t pid, bool *alive, uint64_t *start,
		  struct np_err *err);

/* True in `*gone` when `pid` has ended: there is no such process, or it
 * is a zombie (state Z or X). Unlike np_proc_alive() this reads only the
 * state (field 3), not the start time. -EBADMSG when the line has no state;
 * other negative errnos from reading it; a `pid` <= 0 is an input error. */
int np_proc_gone(const char *proc_root, pid_t pid, bool *gone, struct np_err *err);

/* Read PROC/sys/kernel/random/boot_id into `out` (`size` at least
 * NP_PROC_BOOT_ID_SIZE, else -ERANGE). -EBADMSG when it is not a boot id. */
int np_proc_boot_id(const char *proc_root, char *out, size_t size, struct np_err *err);

/* The parent of `pid` (field 4 of PROC/PID/stat; 0 for the kernel's own
 * roots). -ESRCH when there is no such process. */
int np_proc_parent(const char *proc_root, pid_t pid, pid_t *out, struct np_err *err);

/* The thread-group id (the process) of `pid`, which may be a thread id:
 * the Tgid line of PROC/PID/status. -ESRCH when there is no such task;
 * -EBADMSG when there is no Tgid line. */
int np_proc_tgid(const char *proc_root, pid_t pid, pid_t *out, struct np_err *err);

/* True when `s` is a boot id as the kernel prints it (8-4-4-4-12 lowercase hex). */
bool np_proc_boot_id_valid(const char *s);

/* The current boot id, read at most once: it cannot change while a process
 * runs. Start it zeroed; np_proc_boot_get() fills it. */
struct np_proc_boot {
	char id[NP_PROC_BOOT_ID_SIZE]; /* "" until read */
};

/* Read the boot id into `boot` as np_proc_boot_id() does, unless it already
 * holds it (then 0 without reading). Errors as np_proc_boot_id(). */
int np_proc_boot_get(const char *proc_root, struct np_proc_boot *boot, struct np_err *err);

/* Whether `pid` is still the process recorded with start time `start`
 * during boot `boot_id`: alive, not a zombie, same start time, and (when
 * `boot_id` is neither NULL nor "") the current boot id equals it. The
 * current boot id is taken from `boot` (read into it the first time), or
 * read anew when `boot` is NULL. Sets *same; returns 0, or a negative
 * errno when /proc cannot be read. A `pid` <= 0 is an input error. */
int np_proc_same(const char *proc_root, struct np_proc_boot *boot, pid_t pid, uint64_t start,
		 const char *boot_id, bool *same, struct np_err *err);

#endif
