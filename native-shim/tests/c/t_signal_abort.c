/*
 * t_signal_abort.c — a signal handler that prints and aborts, the common async-signal case,
 * must still print its message when the signal lands while threads are inside malloc/free.
 *
 * Handlers that *allocate* are unsafe, as with glibc (malloc is not async-signal-safe: the
 * interrupted thread may hold an allocator lock). Printing to unbuffered stderr and abort()
 * allocate nothing, and the shim adds nothing on that path (no handler of its own, no work
 * at abort), so the message always gets out. Each round is a child killed mid-allocation.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "child.h"

#define ROUNDS 20
#define THREADS 3

static void on_signal(int sig)
{
	fprintf(stderr, "handler: fatal signal %d, aborting\n", sig);
	abort();
}

static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	void *keep[128] = { 0 };
	for (;;) {
		int i = rand_r(&seed) % 128;
		free(keep[i]);
		size_t n = (size_t)(rand_r(&seed) % 8 ? rand_r(&seed) % 2000 : rand_r(&seed) % 300000) + 1;
		keep[i] = malloc(n);
		memset(keep[i], 1, n < 64 ? n : 64);
	}
	return NULL;
}

static void child(void *arg)
{
	int round = *(int *)arg;
	signal(SIGALRM, on_signal);
	signal(SIGSEGV, on_signal);
	pthread_t th;
	for (long t = 0; t < THREADS; t++)
		pthread_create(&th, NULL, churn, (void *)(t + 1));
	if (round % 2) {
		struct itimerval it = { .it_value = { .tv_usec = 20000 + round * 1000 } };
		setitimer(ITIMER_REAL, &it, NULL);      /* lands in whichever thread, mid-malloc */
	} else {
		usleep(20000);
		*(volatile int *)(uintptr_t)8 = 1;      /* a crash while the others allocate */
	}
	churn((void *)99);
}

int main(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		char out[4096];
		int status = run_child(child, &round, out, sizeof out);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, "handler: fatal signal")) {
			fprintf(stderr, "round %d: status %#x, stderr: %s\n", round, status, out);
			return 1;
		}
	}
	puts("t_signal_abort: ok");
	return 0;
}
