/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_memhog MIB N: map and write MIB MiB of private anonymous memory,
 * then fork N processes that share it copy-on-write, so each of them has
 * MIB MiB resident in its own page tables (what `status` must walk through
 * numa_maps) while the machine holds it once. Prints "ready PID" for each
 * and waits until SIGTERM; the children end with the parent.
 * For tests/bench/bench_status.sh. Exit 2 on bad arguments, 1 on failure.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static _Noreturn void np_memhog_child(void)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	unsigned long mib, n;
	char *p;

	if (argc != 3 || (mib = strtoul(argv[1], NULL, 10)) == 0 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_memhog MIB N\n");
		return 2;
	}
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("bench_memhog: mmap");
		return 1;
	}
	memset(p, 1, mib << 20);
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("bench_memhog: fork");
			return 1;
		}
		if (pid == 0)
			np_memhog_child();
		printf("ready %ld\n", (long)pid);
		fflush(stdout);
	}
	pause();
	return 0;
}
