/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ledger refused.h: the last refusal per guest, newest first, at most
 * NP_REFUSED_MAX guests, one line each; forgetting one keeps the others;
 * changes need the lock; no file reads as none.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "refused.h"

struct fixture {
	char dir[64];
	struct np_ledger *ledger;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct np_err err = NP_ERR_INIT;

	snprintf(f->dir, sizeof(f->dir), "/tmp/np-refused.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(np_ledger_open(f->dir, NULL, &f->ledger, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	np_ledger_close(f->ledger);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_none(void **state)
{
	struct fixture *f = *state;
	struct np_refused list = { 0 };

	assert_int_equal(np_refused_read(f->ledger, &list, NULL), 0);
	assert_int_equal(list.n, 0);
	assert_int_equal(np_refused_note(f->ledger, "a", 1, "no", NULL), -ENOLCK);
}

static void test_note_forget(void **state)
{
	struct fixture *f = *state;
	struct np_refused list = { 0 };
	struct np_err err = NP_ERR_INIT;

	assert_int_equal(np_ledger_lock(f->ledger, &err), 0);
	assert_int_equal(np_refused_note(f->ledger, "a", 10, "first\nline", &err), 0);
	assert_int_equal(np_refused_note(f->ledger, "b", 11, "b's", &err), 0);
	assert_int_equal(np_refused_note(f->ledger, "a", 12, "again", &err), 0);
	assert_int_equal(np_refused_read(f->ledger, &list, &err), 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[0].name, "a");
	assert_string_equal(list.items[0].reason, "again");
	assert_int_equal(list.items[0].time, 12);
	assert_string_equal(list.items[1].name, "b");
	np_refused_clear(&list);
	assert_int_equal(np_refused_forget(f->ledger, "a", &err), 0);
	assert_int_equal(np_refused_forget(f->ledger, "zz", &err), 0);
	assert_int_equal(np_refused_read(f->ledger, &list, &err), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.items[0].name, "b");
	np_refused_clear(&list);
}

static void test_one_line_and_cut(void **state)
{
	struct fixture *f = *state;
	struct np_refused list = { 0 };
	char *longer = malloc(NP_REFUSED_REASON_MAX + 100);

	memset(longer, 'x', NP_REFUSED_REASON_MAX + 99);
	longer[NP_REFUSED_REASON_MAX + 99] = '\0';
	assert_int_equal(np_ledger_lock(f->ledger, NULL), 0);
	assert_int_equal(np_refused_note(f->ledger, "l", 1, longer, NULL), 0);
	assert_int_equal(np_refused_note(f->ledger, "n", 2, "a\nb\tc", NULL), 0);
	assert_int_equal(np_refused_read(f->ledger, &list, NULL), 0);
	assert_string_equal(list.items[0].reason, "a b c");
	assert_int_equal(strlen(list.items[1].reason), NP_REFUSED_REASON_MAX);
	np_refused_clear(&list);
	free(longer);
}

static void test_latest_100(void **state)
{
	struct fixture *f = *state;
	struct np_refused list = { 0 };
	char name[16];

	assert_int_equal(np_ledger_lock(f->ledger, NULL), 0);
	for (unsigned i = 0; i < NP_REFUSED_MAX + 5; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		assert_int_equal(np_refused_note(f->ledger, name, i, "no fit", NULL), 0);
	}
	assert_int_equal(np_refused_read(f->ledger, &list, NULL), 0);
	assert_int_equal(list.n, NP_REFUSED_MAX);
	snprintf(name, sizeof(name), "g%u", NP_REFUSED_MAX + 4);
	assert_string_equal(list.items[0].name, name);
	assert_string_equal(list.items[NP_REFUSED_MAX - 1].name, "g5");
	np_refused_clear(&list);
}

static void test_corrupt(void **state)
{
	struct fixture *f = *state;
	struct np_refused list = { 0 };
	struct np_err err = NP_ERR_INIT;
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/.refused", f->dir);
	fp = fopen(path, "w");
	fputs("{\"refused\":[{\"name\":\"../x\",\"time\":1,\"reason\":\"r\"}]}", fp);
	fclose(fp);
	assert_int_equal(np_refused_read(f->ledger, &list, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, ".refused: not a list of refusals"));
	np_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_line_and_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_100, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
