/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileio.h"

/* The field of PROC/PID/stat that holds the start time (man 5 proc). */
#define NP_STAT_STARTTIME 22
/* /proc files are small; a larger one is not what we expect to read. */
#define NP_PROC_FILE_MAX (1u << 16)

/* Read PROC_ROOT/REL into a heap string. */
static int np_proc_read(const char *proc_root, const char *rel, char **out, struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "%s/%s", proc_root, rel) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_read_file(path, NP_PROC_FILE_MAX, out, NULL);
	if (r < 0)
		return np_err_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* Parse decimal digits up to a blank, newline or the end. */
static int np_proc_parse_u64(const char *p, uint64_t *out)
{
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EBADMSG;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	if (*p != ' ' && *p != '\n' && *p != '\0')
		return -EBADMSG;
	*out = v;
	return 0;
}

/* Where the fields after the comm (field 2) of a stat line start, at the
 * state (field 3), or NULL when there is no ") ". The comm may hold
 * anything but NUL, so the fields start after the last ')'. */
static const char *np_proc_after_comm(const char *text)
{
	const char *p = strrchr(text, ')');

	return p && p[1] == ' ' ? p + 2 : NULL;
}

/* Is a process in this state (field 3) gone for us: a zombie, or dead? */
static bool np_proc_state_gone(char state)
{
	return state == 'Z' || state == 'X';
}

/* Take the state (field 3) and start time (field 22) out of a stat line. */
static int np_proc_parse_stat(const char *text, char *state, uint64_t *start)
{
	const char *p = np_proc_after_comm(text);

	if (!p || p[0] == '\0' || p[1] != ' ')
		return -EBADMSG;
	*state = *p;
	for (unsigned field = 3; field < NP_STAT_STARTTIME; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EBADMSG;
		p++;
	}
	return np_proc_parse_u64(p, start);
}

/* Read PROC/PID/stat into `*text`. -ESRCH when the process is gone. */
static int np_proc_stat_read(const char *proc_root, pid_t pid, char **text, struct np_err *err)
{
	_cleanup_free_ char *rel = NULL;
	struct np_err local = NP_ERR_INIT;
	int r;

	if (pid <= 0)
		return np_err_input(err, "pid %d: not a process id", (int)pid);
	if (asprintf(&rel, "%d/stat", (int)pid) < 0)
		return np_err_set(err, -ENOMEM, "out of memory");
	r = np_proc_read(proc_root, rel, text, &local);
	if (r == -ENOENT || r == -ESRCH) {
		np_err_clear(&local);
		return np_err_set(err, -ESRCH, "pid %d: no such process", (int)pid);
	}
	return r < 0 ? np_err_move(err, &local) : 0;
}

/* Read and parse PROC/PID/stat. -ESRCH when the process is gone. */
static int np_proc_stat(const char *proc_root, pid_t pid, char *state, uint64_t *start,
			struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r = np_proc_stat_read(proc_root, pid, &text, err);

	if (r < 0)
		return r;
	r = np_proc_parse_stat(text, state, start);
	if (r < 0)
		return np_err_set(err, r, "%s/%d/stat: cannot parse the start time", proc_root,
				  (int)pid);
	return 0;
}

int np_proc_parent(const char *proc_root, pid_t pid, pid_t *out, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r = np_proc_stat_read(proc_root, pid, &text, err);
	const char *p;
	uint64_t ppid;

	if (r < 0)
		return r;
	p = np_proc_after_comm(text);
	if (!p || p[0] == '\0' || p[1] != ' ' ||
	    np_proc_parse_u64(p + 2, &ppid) < 0 || ppid > INT32_MAX)
		return np_err_set(err, -EBADMSG, "%s/%d/stat: cannot parse the parent", proc_root,
				  (int)pid);
	*out = (pid_t)ppid;
	return 0;
}

/* The value of "Tgid:\t" in a status text; -1 when there is none. */
static long np_proc_tgid_parse(const char *text)
{
	const char *line = strstr(text, "\nTgid:");
	char *end;
	long v;

	if (!line)
		return -1;
	errno = 0;
	v = strtol(line + 6, &end, 10);
	if (errno || end == line + 6 || v <= 0 || v > INT32_MAX || (*end != '\n' && *end))
		return -1;
	return v;
}

int np_proc_tgid(const char *proc_root, pid_t pid, pid_t *out, struct np_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	long tgid;
	int r;

	if (pid <= 0)
		return np_err_input(err, "pid %d: not a process id", (int)pid);
	if (asprintf(&path, "%s/%d/status", proc_root, (int)pid) < 0) {
		path = NULL;
		return np_err_set(err, -ENOMEM, "out of memory");
	}
	r = np_read_file(path, 1u << 20, &text, NULL);
	if (r == -ENOENT)
		return np_err_set(err, -ESRCH, "pid %d: no such process", (int)pid);
	if (r < 0)
		return np_err_set(err, r, "%s: %s", path, strerror(-r));
	tgid = np_proc_tgid_parse(text);
	if (tgid < 0)
		return np_err_set(err, -EBADMSG, "%s: no Tgid line", path);
	*out = (pid_t)tgid;
	return 0;
}

int np_proc_start_time(const char *proc_root, pid_t pid, uint64_t *out, struct np_err *err)
{
	uint64_t start;
	char state;
	int r;

	r = np_proc_stat(proc_root, pid, &state, &start, err);
	if (r < 0)
		return r;
	*out = start;
	return 0;
}

int np_proc_alive(const char *proc_root, pid_t pid, bool *alive, uint64_t *start,
		  struct np_err *err)
{
	struct np_err local = NP_ERR_INIT;
	uint64_t st = 0;
	char state;
	int r;

	r = np_proc_stat(proc_root, pid, &state, &st, &local);
	if (r == -ESRCH) {
		np_err_clear(&local);
		*alive = false;
		return 0;
	}
	if (r < 0)
		return np_err_move(err, &local);
	*alive = !np_proc_state_gone(state);
	if (start)
		*start = st;
	return 0;
}

int np_proc_gone(const char *proc_root, pid_t pid, bool *gone, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct np_err local = NP_ERR_INIT;
	const char *p;
	int r;

	r = np_proc_stat_read(proc_root, pid, &text, &local);
	if (r == -ESRCH) {
		np_err_clear(&local);
		*gone = true;
		return 0;
	}
	if (r < 0)
		return np_err_move(err, &local);
	p = np_proc_after_comm(text);
	if (!p || p[0] == '\0')
		return np_err_set(err, -EBADMSG, "%s/%d/stat: cannot parse the state", proc_root,
				  (int)pid);
	*gone = np_proc_state_gone(p[0]);
	return 0;
}

bool np_proc_boot_id_valid(const char *s)
{
	for (unsigned i = 0; i < NP_PROC_BOOT_ID_SIZE - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[NP_PROC_BOOT_ID_SIZE - 1] == '\0';
}

int np_proc_boot_id(const char *proc_root, char *out, size_t size, struct np_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if (size < NP_PROC_BOOT_ID_SIZE)
		return np_err_set(err, -ERANGE, "boot id: buffer too small");
	r = np_proc_read(proc_root, "sys/kernel/random/boot_id", &text, err);
	if (r < 0)
		return r;
	len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	if (!np_proc_boot_id_valid(text))
		return np_err_set(err, -EBADMSG, "%s/sys/kernel/random/boot_id: not a boot id",
				  proc_root);
	memcpy(out, text, NP_PROC_BOOT_ID_SIZE);
	return 0;
}

int np_proc_boot_get(const char *proc_root, struct np_proc_boot *boot, struct np_err *err)
{
	if (boot->id[0])
		return 0;
	return np_proc_boot_id(proc_root, boot->id, sizeof(boot->id), err);
}

int np_proc_same(const char *proc_root, struct np_proc_boot *boot, pid_t pid, uint64_t start,
		 const char *boot_id, bool *same, struct np_err *err)
{
	struct np_proc_boot once = { 0 };
	uint64_t now_start = 0;
	bool alive = false;
	int r;

	if (pid <= 0)
		return np_err_input(err, "pid %d: not a process id", (int)pid);
	if (!boot)
		boot = &once;
	if (boot_id && boot_id[0]) {
		r = np_proc_boot_get(proc_root, boot, err);
		if (r < 0)
			return r;
		if (strcmp(boot->id, boot_id) != 0) {
			*same = false;
			return 0;
		}
	}
	r = np_proc_alive(proc_root, pid, &alive, &now_start, err);
	if (r < 0)
		return r;
	*same = alive && now_start == start;
	return 0;
}
