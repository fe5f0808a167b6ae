/*
 * t_cancel.c — a thread cancelled while the shim is inside a system call that is a
 * cancellation point (open and write, when it publishes its statistics) must not leave an
 * allocator lock held: fork(), which takes every lock, and later allocations go on.
 *
 * The worker only allocates and frees (no cancellation point of its own) for 300 ms, so
 * a cancel sent at its start is pending when the shim publishes for the first time (after
 * 50 ms: it creates /dev/shm/slabscope.<pid> with open). Only then does the worker call
 * pthread_testcancel(). Each round runs in a child, watched by an alarm.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *worker(void *arg)
{
	(void)arg;
	void *keep[512];
	uint64_t until = now_ms() + 300;
	unsigned seed = 7;
	while (now_ms() < until) {                  /* thread-cache refills and flushes: slow paths */
		for (int i = 0; i < 512; i++)
			keep[i] = malloc((size_t)(rand_r(&seed) % 4000) + 1);
		for (int i = 0; i < 512; i++)
			free(keep[i]);
	}
	for (;;)
		pthread_testcancel();
	return NULL;
}

static void round_in_child(void)
{
	alarm(20);                                  /* a hang fails the round (SIGALRM) */
	pthread_t th;
	CHECK(pthread_create(&th, NULL, worker, NULL) == 0);
	CHECK(pthread_cancel(th) == 0);
	void *ret;
	CHECK(pthread_join(th, &ret) == 0 && ret == PTHREAD_CANCELED);
	pid_t pid = fork();                         /* takes every allocator lock */
	CHECK(pid >= 0);
	if (pid == 0) {
		free(malloc(100000));
		_exit(0);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 10000; i++)             /* and this process allocates on */
		free(malloc((size_t)(i % 5000) + 1));
	_exit(0);
}

int main(void)
{
	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			round_in_child();
		int status;
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "round %d: status %#x (%s)\n", round, status,
				WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit");
			return 1;
		}
	}
	puts("t_cancel: ok");
	return 0;
}
