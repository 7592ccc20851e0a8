#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# numaplace.so exports its entry symbol and nothing else, and does not reach
# for what a module must leave to its host: standard output and error, exit,
# the environment, signal handlers, syslog.
source "$NP_SOURCE_DIR/tests/integration/lib.sh"
: "${NP_MODULE:?NP_MODULE must name the built numaplace.so}"

command -v nm >/dev/null || np_skip "nm is missing (Debian package binutils)"

# A fuzz build (NUMAPLACE_FUZZ: -fsanitize=fuzzer-no-link) adds the bounds
# of its coverage sections, __start___sancov_* and __stop___sancov_*.
exported=$(nm -D --defined-only "$NP_MODULE" | awk '{ print $3 }' |
	grep -Ev '^__(start|stop)___sancov_' | sort | tr '\n' ' ')
np_expect "the one symbol numaplace.so exports" "numaplace_plugin_entry " "$exported"

forbidden='^(stdout|stderr|printf|vprintf|puts|putchar|perror|exit|_exit|setenv|putenv|unsetenv|clearenv|signal|sigaction|syslog|vsyslog|openlog)(@.*)?$'
used=$(nm -D --undefined-only "$NP_MODULE" | awk '{ print $2 }' | grep -E "$forbidden" | tr '\n' ' ')
np_expect "no stdio output, exit, environment, signal or syslog symbol imported" "" "$used"
np_done
