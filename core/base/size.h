/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_SIZE_H
#define NUMAPLACE_SIZE_H

#include <stdint.h>

#include "err.h"

/* Parse a size: digits with an optional binary suffix K M G T (upper or
 * lower case, no "B", no decimals, no sign, no blanks). Overflow past
 * UINT64_MAX is an input error. `*out` untouched on failure. */
int np_size_parse(const char *text, uint64_t *out, struct np_err *err);

/* Parse a duration: digits followed by `ms`, `s`, `m` or `h` (a bare number
 * is seconds) into milliseconds. Input error on anything else or overflow. */
int np_duration_parse(const char *text, uint64_t *out_ms, struct np_err *err);

/* Parse a decimal count (vcpus and the like): digits only, 1 .. max. */
int np_count_parse(const char *text, unsigned max, unsigned *out, struct np_err *err);

#endif
