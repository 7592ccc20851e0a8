/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in guest with a second thread, for test_safety.sh: prints
 * "PID TID" (the process and its extra thread) and a newline, then the
 * thread ends when a line arrives on stdin while the process sleeps on
 * until killed.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *np_thread_main(void *arg)
{
	char c;

	(void)arg;
	printf("%d %ld\n", (int)getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	while (read(0, &c, 1) == 1 && c != '\n')
		;
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, np_thread_main, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	for (;;)
		pause();
}
