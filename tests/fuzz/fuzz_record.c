/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the ledger record reader: np_record_from_json() on
 * arbitrary bytes must fail cleanly or give a record that writes out and
 * reads back equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct np_record first, again;

	if (np_record_from_json((const char *)data, size, &first, NULL) < 0)
		return 0;
	if (np_record_to_json(&first, &text, NULL) < 0)
		abort();
	if (np_record_from_json(text, strlen(text), &again, NULL) < 0)
		abort();
	if (!np_record_equal(&first, &again))
		abort();
	np_record_clear(&first);
	np_record_clear(&again);
	return 0;
}
