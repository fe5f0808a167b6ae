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

static void child(int round)
{
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
		int fd[2];
		CHECK(pipe(fd) == 0);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			dup2(fd[1], 2);
			close(fd[0]);
			child(round);
		}
		close(fd[1]);
		char out[4096];
		size_t len = 0;
		ssize_t r;
		while ((r = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
			len += (size_t)r;
		out[len] = 0;
		close(fd[0]);
		int status;
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, "handler: fatal signal")) {
			fprintf(stderr, "round %d: status %#x, stderr: %s\n", round, status, out);
			return 1;
		}
	}
	puts("t_signal_abort: ok");
	return 0;
}
