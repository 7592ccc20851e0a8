/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_PLUGIN_H
#define NUMAPLACE_PLUGIN_H

/*
 * The ABI of numaplace.so, for container and VM managers written in C.
 * The module exports one symbol, NUMAPLACE_PLUGIN_ENTRY. The functions it
 * returns arrive with the module (see issue "The loadable module").
 */
#define NUMAPLACE_ABI_VERSION 1
#define NUMAPLACE_PLUGIN_ENTRY "numaplace_plugin_entry"

struct numaplace_plugin;

/* Returns the function table for `abi_version`, or NULL when this module
 * cannot serve a caller built for that version. */
const struct numaplace_plugin *numaplace_plugin_entry(unsigned abi_version);

#endif
