/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_FILEIO_H
#define NUMAPLACE_FILEIO_H

#include <stddef.h>

/* Read what is left of `fd` into a NUL-terminated heap buffer, `*len`
 * (may be NULL) getting the bytes read. -EFBIG when there are more than
 * `max` bytes, a negative errno when reading fails; `*out` is untouched on
 * failure. Retries on EINTR; the buffer grows by doubling. */
int np_read_fd(int fd, size_t max, char **out, size_t *len);

/* Open `path` (O_RDONLY | O_CLOEXEC | O_NOCTTY) and read it whole with
 * np_read_fd(). A negative errno from open(2) or as np_read_fd(); `*out`
 * is untouched on failure. */
int np_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
