/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace.so: the module entry point. The function table is not built yet. */
#include <stddef.h>

#include "numaplace/plugin.h"

__attribute__((visibility("default")))
const struct numaplace_plugin *numaplace_plugin_entry(unsigned abi_version)
{
	(void)abi_version;
	return NULL;
}
