/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-vm-memtouch MIB: map MIB MiB of private anonymous memory, write every
 * page of it (so each page is really allocated, on a node the process's
 * memory policy and cpuset allow), print "ready PID ADDRESS" (the
 * mapping's start in hex, as /proc/PID/numa_maps shows it) and wait until
 * a signal ends it, keeping the memory resident.
 * For the VM tests (tests/vm/guest): busybox has no such tool. Built
 * static, so it runs in the guest without libraries.
 * Exit 2 on a bad argument, 1 when the memory cannot be had.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NP_MEMTOUCH_MAX_MIB 65536UL

/* The MiB count in `text`: 1 .. NP_MEMTOUCH_MAX_MIB, digits only. */
static int np_memtouch_parse(const char *text, size_t *mib)
{
	char *end = NULL;
	unsigned long v;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v == 0 || v > NP_MEMTOUCH_MAX_MIB)
		return -EINVAL;
	*mib = v;
	return 0;
}

/* Map `len` bytes and write a byte into every page. */
static void *np_memtouch_fill(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = (unsigned char)(off / (size_t)page) | 1u;
	return p;
}

int main(int argc, char **argv)
{
	size_t mib = 0;
	void *p;

	if (argc != 2 || np_memtouch_parse(argv[1], &mib) < 0) {
		fprintf(stderr, "usage: np-vm-memtouch MIB (1-%lu)\n", NP_MEMTOUCH_MAX_MIB);
		return 2;
	}
	p = np_memtouch_fill(mib << 20);
	if (!p) {
		fprintf(stderr, "np-vm-memtouch: mmap %zu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	printf("ready %d %" PRIxPTR "\n", (int)getpid(), (uintptr_t)p);
	fflush(stdout);
	for (;;)
		pause();
}
