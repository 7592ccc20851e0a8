/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ledger's generation: DIR/.generation, see ledger_priv.h. */
#include "ledger_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

#define NP_LEDGER_GEN_FILE ".generation"
/* "%016x %016x\n": the value and its complement, so that a read which
 * met a write half-way is recognised and not trusted. */
#define NP_LEDGER_GEN_LEN 34

static void np_gen_format(uint64_t gen, char buf[NP_LEDGER_GEN_LEN + 1])
{
	snprintf(buf, NP_LEDGER_GEN_LEN + 1, "%016" PRIx64 " %016" PRIx64 "\n", gen, ~gen);
}

/* Parse the file's text; -EBADMSG when it is not exactly what np_gen_format writes. */
static int np_gen_parse(const char *text, size_t len, uint64_t *out)
{
	char again[NP_LEDGER_GEN_LEN + 1];
	uint64_t gen;

	if (len != NP_LEDGER_GEN_LEN || sscanf(text, "%16" SCNx64, &gen) != 1)
		return -EBADMSG;
	np_gen_format(gen, again);
	if (memcmp(again, text, NP_LEDGER_GEN_LEN) != 0)
		return -EBADMSG;
	*out = gen;
	return 0;
}

static int np_gen_read_fd(int fd, uint64_t *out)
{
	char buf[NP_LEDGER_GEN_LEN + 2];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return np_gen_parse(buf, (size_t)n, out);
}

/* A random even value to start from. */
static uint64_t np_gen_fresh(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 32;
	return v & ~UINT64_C(1);
}

static int np_gen_write(struct np_ledger *l, uint64_t gen)
{
	char buf[NP_LEDGER_GEN_LEN + 1];
	ssize_t n;

	np_gen_format(gen, buf);
	n = pwrite(l->genfd, buf, NP_LEDGER_GEN_LEN, 0);
	if (n != NP_LEDGER_GEN_LEN)
		return n < 0 ? -errno : -EIO;
	l->gen = gen;
	return 0;
}

int np_ledger_gen_load(struct np_ledger *ledger, struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(ledger->dirfd, NP_LEDGER_GEN_FILE,
		    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
	if (fd < 0)
		return np_err_set(err, -errno, "%s/%s: %s", ledger->dir, NP_LEDGER_GEN_FILE,
				  strerror(errno));
	ledger->genfd = np_steal_fd(&fd);
	if (np_gen_read_fd(ledger->genfd, &ledger->gen) == 0)
		return 0;
	r = ftruncate(ledger->genfd, 0) < 0 ? -errno : np_gen_write(ledger, np_gen_fresh());
	if (r < 0) {
		np_ledger_gen_close(ledger);
		return np_err_set(err, r, "%s/%s: %s", ledger->dir, NP_LEDGER_GEN_FILE,
				  strerror(-r));
	}
	return 0;
}

void np_ledger_gen_close(struct np_ledger *ledger)
{
	if (ledger->genfd >= 0)
		close(ledger->genfd);
	ledger->genfd = -1;
}

int np_ledger_gen_begin(struct np_ledger *ledger, struct np_err *err)
{
	int r = np_gen_write(ledger, (ledger->gen | 1u) + 2u * (ledger->gen & 1u));

	if (r < 0)
		return np_err_set(err, r, "%s/%s: %s", ledger->dir, NP_LEDGER_GEN_FILE,
				  strerror(-r));
	return 0;
}

void np_ledger_gen_end(struct np_ledger *ledger)
{
	(void)np_gen_write(ledger, ledger->gen + 1u);
}

int np_ledger_generation(const struct np_ledger *ledger, uint64_t *out, struct np_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (ledger->genfd >= 0) {
		*out = ledger->gen;
		return 0;
	}
	if (ledger->dirfd < 0)
		return np_err_set(err, -ENOENT, "%s/%s: %s", ledger->dir, NP_LEDGER_GEN_FILE,
				  strerror(ENOENT));
	fd = openat(ledger->dirfd, NP_LEDGER_GEN_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
			 O_NOCTTY | O_NONBLOCK);
	r = fd < 0 ? -errno : np_gen_read_fd(fd, out);
	if (r < 0)
		return np_err_set(err, r, "%s/%s: %s", ledger->dir, NP_LEDGER_GEN_FILE,
				  r == -EBADMSG ? "not a generation" : strerror(-r));
	return 0;
}
