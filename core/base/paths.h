/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_PATHS_H
#define NUMAPLACE_PATHS_H

/*
 * The default paths, one copy for core/ and plugin/. Each is only a
 * default: every function that reads or writes below one takes it as an
 * argument (STYLE.md), so tests and captures pass their own.
 */

/* The main policy file read when the caller names none. The build sets it
 * to the configured SYSCONFDIR/numaplace/numaplace.conf (CMakeLists.txt). */
#ifndef NP_DEFAULT_CONFIG
#define NP_DEFAULT_CONFIG "/etc/numaplace/numaplace.conf"
#endif

/* The state directory: the ledger's records and its lock. */
#define NP_DEFAULT_STATE_DIR "/run/numaplace"

/* The procfs root of the live machine. */
#define NP_DEFAULT_PROC_ROOT "/proc"

#endif
