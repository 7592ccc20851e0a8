/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading one policy file through inih. As measured on Debian's inih 55,
 * the handler gets no line number; lines over 199 bytes and section names
 * over 49 bytes are cut silently; a trailing `# x` stays in a value; an
 * indented line continues the previous value; the handler is not called
 * when a section starts. So every line first goes through np_reader_next(),
 * which counts lines, reports what inih would get wrong, tracks the
 * sections, and hands inih only what it reads right: key lines and valid
 * section headers (any other line reaches it as an empty line). inih's
 * INI_* build settings and its runtime globals are left alone.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "name.h"
#include "policy_priv.h"
#include "quote.h"

/* The diagnostics sink: every problem of the load, with the rank of the
 * file it was found in. */
void np_read_verror(struct np_load *ld, const char *file, unsigned line,
		    const char *fmt, va_list ap)
{
	ld->nerrors++;
	if (ld->diags.n == ld->ranks_cap) {
		unsigned cap = ld->ranks_cap ? 2 * ld->ranks_cap : 16;
		unsigned *ranks = realloc(ld->ranks, cap * sizeof(*ranks));

		if (!ranks) {
			ld->fatal = -ENOMEM;
			return;
		}
		ld->ranks = ranks;
		ld->ranks_cap = cap;
	}
	ld->ranks[ld->diags.n] = ld->rank;
	if (np_diags_vadd(&ld->diags, file, line, false, fmt, ap) < 0)
		ld->fatal = -ENOMEM;
}

void np_read_error(struct np_load *ld, const char *file, unsigned line,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	np_read_verror(ld, file, line, fmt, ap);
	va_end(ap);
}

/* How much of a name a message quotes. */
#define NP_SHOWN 40

/* One file being fed to inih. */
struct np_reader {
	struct np_load *ld;
	FILE *f;
	const char *path;            /* owned by the policy */
	unsigned file;               /* index of path in the policy's files */
	unsigned lineno;
	char *line;
	size_t cap;
	int read_errno;
	struct np_section *section;  /* the open section; NULL before the first */
	bool bad_section;            /* the open header was wrong: keys go to scratch */
	struct np_section *scratch;  /* checks the keys under a wrong header */
	unsigned key_line;           /* a key line inih has not yet reported */
};

/* Report a problem on the current line; returns false for callers that
 * answer "hand this line to inih?". */
__attribute__((format(printf, 2, 3)))
static bool np_reader_error(struct np_reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	np_read_verror(rd->ld, rd->path, rd->lineno, fmt, ap);
	va_end(ap);
	return false;
}

/* A key line inih never reported had no `=` or `:` where inih looks. */
static void np_reader_settle(struct np_reader *rd)
{
	if (!rd->key_line)
		return;
	np_read_error(rd->ld, rd->path, rd->key_line,
		      "expected KEY = VALUE, a [section] or a comment");
	rd->key_line = 0;
}

/* Keys that follow a wrong header are still checked, in a scratch section. */
static bool np_reader_bad_header(struct np_reader *rd)
{
	rd->section = NULL;
	rd->bad_section = true;
	np_section_clear(rd->scratch);
	return false;
}

static bool np_reader_use(struct np_reader *rd, const char *pattern)
{
	if (np_policy_section(rd->ld->policy, pattern, &rd->section) < 0) {
		rd->ld->fatal = -ENOMEM;
		return np_reader_bad_header(rd);
	}
	rd->bad_section = false;
	return true;
}

/* A glob must be a valid guest name but for its `*` and `?`; an exact
 * pattern must be a valid guest name. */
static bool np_reader_check_pattern(struct np_reader *rd, const char *pattern)
{
	struct np_err e = NP_ERR_INIT;

	if (np_name_validate_pattern(pattern, &e) == 0)
		return true;
	np_reader_error(rd, "%s", e.msg);
	np_err_clear(&e);
	return false;
}

static char *np_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Open the section named `name` (the `len` bytes between the brackets). */
static bool np_reader_open(struct np_reader *rd, const char *name, size_t len)
{
	_cleanup_free_ char *copy = strndup(name, len);
	_cleanup_free_ char *quoted = NULL;
	char *s;

	if (!copy) {
		rd->ld->fatal = -ENOMEM;
		return np_reader_bad_header(rd);
	}
	s = np_trim(copy);
	if (strcmp(s, "placement") == 0)
		return np_reader_use(rd, NULL);
	if (strncmp(s, "guest", 5) == 0 && (s[5] == ' ' || s[5] == '\t' || s[5] == '\0')) {
		char *pattern = np_trim(s + 5);

		if (!*pattern)
			np_reader_error(rd, "[guest] needs a guest name or pattern: [guest NAME]");
		else if (np_reader_check_pattern(rd, pattern))
			return np_reader_use(rd, pattern);
		return np_reader_bad_header(rd);
	}
	quoted = np_quote_string(s, NP_SHOWN);
	np_reader_error(rd, "unknown section %s (expected [placement] or [guest NAME])",
			quoted ? quoted : "(?)");
	return np_reader_bad_header(rd);
}

/* Where inih ends a section name: at the first `]`, or at a `;` that
 * follows a blank (an inline comment, which leaves the header unclosed). */
static const char *np_header_end(const char *s)
{
	bool was_blank = false;

	for (; *s && *s != ']' && !(was_blank && *s == ';'); s++)
		was_blank = *s == ' ' || *s == '\t';
	return s;
}

/* A line starting with `[`: check what inih would cut or misread. */
static bool np_reader_header(struct np_reader *rd, const char *text)
{
	const char *end = np_header_end(text + 1);
	size_t len = (size_t)(end - (text + 1));
	const char *rest = end + 1;

	if (*end != ']') {
		np_reader_error(rd, "section header without its closing ']'");
		return np_reader_bad_header(rd);
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (memchr(text + 1, '[', len))
		np_reader_error(rd, "'[' in a section name (guest patterns use only * and ?)");
	else if (*rest && *rest != ';' && *rest != '#')
		np_reader_error(rd, strchr(rest, ']') ?
				"']' in a section name (guest patterns use only * and ?)" :
				"text after the section header's ']'");
	else if (len > NP_POLICY_SECTION_MAX)
		np_reader_error(rd, "section name of %zu bytes: inih keeps only %d", len,
				NP_POLICY_SECTION_MAX);
	else
		return np_reader_open(rd, text + 1, len);
	return np_reader_bad_header(rd);
}

/* Offset of the first control byte (tab aside) in `len` bytes, or -1. */
static long np_find_control(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (long)i;
	}
	return -1;
}

/* A key line goes to inih, which must report it to the handler. */
static bool np_reader_key_line(struct np_reader *rd)
{
	rd->key_line = rd->lineno;
	return true;
}

/*
 * Decide whether inih may see this line (`len` bytes, no line ending):
 * report overlong lines, control bytes and indented lines; take comments
 * and blank lines away; check section headers; let key lines through.
 */
static bool np_reader_accept(struct np_reader *rd, const char *text, size_t len, size_t max)
{
	const char *p = text;
	bool header;
	long bad;

	while (*p == ' ' || *p == '\t')
		p++;
	header = *p == '[';
	if (len > max)
		np_reader_error(rd, "line of %zu bytes: inih reads at most %zu", len, max);
	else if ((bad = np_find_control(text, len)) >= 0)
		np_reader_error(rd, "control character %s in column %ld",
				text[bad] ? np_quote_char(text[bad]).s : "'\\0'", bad + 1);
	else if (*p == '\0' || *p == ';' || *p == '#')
		return false;
	else if (p != text)
		np_reader_error(rd, "indented line: inih would append it to the previous "
				"value; remove the leading blanks");
	else if (header)
		return np_reader_header(rd, text);
	else
		return np_reader_key_line(rd);
	if (header)
		np_reader_bad_header(rd);
	return false;
}

/* The current line without its "\n" or "\r\n", nor a BOM on line 1. */
static char *np_reader_body(struct np_reader *rd, size_t n, size_t *len)
{
	char *text = rd->line;

	if (n && text[n - 1] == '\n')
		n--;
	if (n && text[n - 1] == '\r')
		n--;
	text[n] = '\0';
	if (rd->lineno == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		n -= 3;
	}
	*len = n;
	return text;
}

/* inih's reader: the next line, or an empty line in place of one it must
 * not see. */
static char *np_reader_next(char *buf, int num, void *stream)
{
	struct np_reader *rd = stream;
	size_t len;
	ssize_t n;
	char *text;

	np_reader_settle(rd);
	if (rd->ld->fatal || num < 2)
		return NULL;
	errno = 0;
	n = getline(&rd->line, &rd->cap, rd->f);
	if (n < 0) {
		if (ferror(rd->f))
			rd->read_errno = errno ? errno : EIO;
		return NULL;
	}
	rd->lineno++;
	text = np_reader_body(rd, (size_t)n, &len);
	buf[0] = '\0';
	if (np_reader_accept(rd, text, len, (size_t)num - 1))
		memcpy(buf, text, len + 1);
	return buf;
}

/* `#` after a blank: meant as a comment, but inih keeps it in the value. */
static bool np_has_hash_comment(const char *value)
{
	for (const char *p = strchr(value, '#'); p; p = strchr(p + 1, '#'))
		if (p > value && (p[-1] == ' ' || p[-1] == '\t'))
			return true;
	return false;
}

static void np_reader_set(struct np_reader *rd, struct np_section *sec, const char *name,
			  const char *value)
{
	_cleanup_free_ char *quoted = NULL;
	struct np_err e = NP_ERR_INIT;
	int key = np_key_lookup(name);

	if (key < 0) {
		quoted = np_quote_string(name, NP_SHOWN);
		if (*name)
			np_reader_error(rd, "unknown key %s", quoted ? quoted : "(?)");
		else
			np_reader_error(rd, "missing key before '='");
		return;
	}
	if (sec->seen_file[key] == rd->file + 1) {
		np_reader_error(rd, "%s given twice in this section (first on line %u)", name,
				sec->seen_line[key]);
		return;
	}
	sec->seen_file[key] = rd->file + 1;
	sec->seen_line[key] = rd->lineno;
	if (!*value)
		np_reader_error(rd, "%s: empty value", name);
	else if (np_has_hash_comment(value))
		np_reader_error(rd, "%s: '#' starts a comment only at the start of a line; "
				"use ';' after a value", name);
	else if (np_section_set(rd->ld->policy, sec, key, value, rd->file, rd->lineno, &e) == -ENOMEM)
		rd->ld->fatal = -ENOMEM;
	else if (e.msg)
		np_reader_error(rd, "%s: %s", name, e.msg);
	np_err_clear(&e);
}

/* inih's handler. Its `section` is ignored: np_reader_header() saw every
 * header, including the ones inih would have cut. */
static int np_reader_on_key(void *user, const char *section, const char *name,
			    const char *value)
{
	struct np_reader *rd = user;

	(void)section;
	rd->key_line = 0;
	if (rd->bad_section)
		np_reader_set(rd, rd->scratch, name, value);
	else if (rd->section)
		np_reader_set(rd, rd->section, name, value);
	else
		np_reader_error(rd, "a key before any section (start with [placement] or "
				"[guest NAME])");
	return 1;
}

void np_read_stream(struct np_load *ld, FILE *f, unsigned index)
{
	struct np_reader rd = { .ld = ld, .f = f, .file = index };
	int r;

	rd.path = ld->policy->files[index];
	if (np_section_new(&rd.scratch) < 0) {
		ld->fatal = -ENOMEM;
		return;
	}
	r = ini_parse_stream(np_reader_next, &rd, np_reader_on_key, &rd);
	np_reader_settle(&rd);
	if (r == -2)
		ld->fatal = -ENOMEM;
	if (rd.read_errno)
		np_read_error(ld, rd.path, rd.lineno + 1, "read error: %s", strerror(rd.read_errno));
	free(rd.line);
	np_section_free(rd.scratch);
}

