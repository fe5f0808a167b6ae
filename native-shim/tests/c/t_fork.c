/*
 * t_fork.c — fork() under the shim: its fork handlers (init.c) keep the child consistent.
 *
 *  - single_threaded: the child gets a statistics segment of its own
 *    (/dev/shm/slabscope.<child pid>) and leaves the parent's alone (the segment is a
 *    shared mapping: writing the parent's would corrupt what readers see of it).
 *  - second_thread: a thread whose allocations take the page lock all the time (medium
 *    blocks) starts after the shim is set up; the main thread forks many times meanwhile.
 *    A child that inherits the page lock held would hang in its first medium malloc: each
 *    child must finish within the alarm.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "slabscope.h"
#include "slabscope_shm.h"

/* The pid a process's statistics segment names, or 0 when it has none. */
static pid_t segment_owner(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/dev/shm/slabscope.%d", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	struct ss_shm_header h;
	ssize_t n = read(fd, &h, sizeof h);
	close(fd);
	return n == (ssize_t)sizeof h && h.magic == SS_SHM_MAGIC ? (pid_t)h.pid : 0;
}

static void single_threaded(void)
{
	void *keep = malloc(1000);
	ss_publish();
	pid_t parent = getpid();
	CHECK(segment_owner(parent) == parent);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		void *p = malloc(200000), *q = malloc(100);
		ss_publish();
		int ok = p && q && segment_owner(getpid()) == getpid() && segment_owner(parent) == parent;
		free(p);
		free(q);
		free(keep);
		_exit(ok ? 0 : 3);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(segment_owner(parent) == parent);
	free(keep);
}

static volatile int stop;

static void *medium_churn(void *arg)
{
	(void)arg;
	while (!stop) {
		void *p[8];
		for (int i = 0; i < 8; i++)
			CHECK((p[i] = malloc(20000 + 4096 * (size_t)i)) != NULL);
		for (int i = 0; i < 8; i++)
			free(p[i]);
	}
	return NULL;
}

static void second_thread(void)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, medium_churn, NULL) == 0);
	for (int round = 0; round < 300; round++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			alarm(10);                         /* a child stuck on an inherited lock dies */
			void *p = malloc(50000), *q = malloc(64);
			_exit(p && q ? 0 : 3);
		}
		int status;
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "t_fork: child of round %d: %s %d\n", round,
				WIFSIGNALED(status) ? "signal" : "exit",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			exit(1);
		}
	}
	stop = 1;
	CHECK(pthread_join(t, NULL) == 0);
}

int main(void)
{
	single_threaded();                 /* first: the process has one thread until the next */
	second_thread();
	puts("t_fork: ok");
	return 0;
}
