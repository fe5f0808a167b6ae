/* child.h — run a piece of a test in a forked child and keep what it wrote on stderr. */
#ifndef CHILD_H
#define CHILD_H
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

/*
 * Runs fn(arg) in a child whose stderr goes to out (NUL-terminated, at most cap - 1
 * bytes kept); fn must not return (exec, exit or die). Returns the child's wait status.
 */
static inline int run_child(void (*fn)(void *), void *arg, char *out, size_t cap)
{
	int fd[2];
	CHECK(pipe(fd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		fn(arg);
		_exit(127);
	}
	close(fd[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(fd[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = 0;
	close(fd[0]);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

/* Runs fn(NULL) in a child that must die of SIGABRT having said `message` on stderr. */
static inline void expect_child_abort(void (*fn)(void *), const char *message)
{
	static char out[4096];
	int status = run_child(fn, NULL, out, sizeof out);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	if (!strstr(out, message)) {
		fprintf(stderr, "expected \"%s\" in: %s\n", message, out);
		CHECK(0);
	}
}
#endif
