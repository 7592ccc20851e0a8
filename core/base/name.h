/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_NAME_H
#define NUMAPLACE_NAME_H

#include "err.h"

#define NP_NAME_MAX 64

/* Check a guest name against docs/contract.md: `[A-Za-z0-9_.-]`, 1..64 chars, not
 * starting with `.` or `-`, not `tasks`, `notify_on_release`,
 * `release_agent`, not starting with `cgroup.` or `cpuset.`.
 * Returns 0 or an input error saying which rule failed (the name is quoted
 * with unprintable bytes escaped, so the message is safe to print). */
int np_name_validate(const char *name, struct np_err *err);

/* Check a [guest PATTERN] of the policy: without `*` or `?`, exactly
 * np_name_validate(); with them, the same rules (1..64 chars, the same
 * characters plus `*` and `?`, the same start and reserved names), and
 * the message says "guest pattern". */
int np_name_validate_pattern(const char *pattern, struct np_err *err);

/* Check a relative path of guest names ("machine.slice/np"): each
 * '/'-separated component in turn, left to right, with np_name_validate().
 * The first component that is empty (a leading, trailing or doubled '/';
 * "" is one empty component) is the input error "empty component". */
int np_name_validate_path(const char *path, struct np_err *err);

#endif
