/*
 * measure: tiny launcher used by bench/run.sh.
 *
 *   measure [-p PRELOAD_LIB] [-r RESULT_FILE] [-t TIMEOUT_S] [-e VAR=VAL]... -- CMD [ARGS...]
 *
 * Forks, sets LD_PRELOAD (only in the child, never in this process), execs
 * CMD, waits for it with wait4() and reports
 *
 *   wall=<seconds> maxrss_kib=<ru_maxrss> utime=<s> stime=<s> status=<exit|signal|timeout|execfail> code=<n>
 *
 * to RESULT_FILE (default: stderr).  Without -p, LD_PRELOAD is removed from
 * the child's environment so the glibc baseline is really glibc.
 * ru_maxrss from wait4() covers the child and all of its waited-for
 * descendants (e.g. cc1 under the gcc driver).
 * The child runs in its own process group so a timeout kills the whole tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_alarm = 0, got_term = 0;
static void on_alarm(int s) { (void)s; got_alarm = 1; }
static void on_term(int s) { got_term = s; }

static void usage(void) {
    fprintf(stderr, "usage: measure [-p PRELOAD_LIB] [-r RESULT_FILE] [-t TIMEOUT_S] "
                    "[-e VAR=VAL]... -- CMD [ARGS...]\n");
    exit(125);
}

int main(int argc, char **argv) {
    const char *preload = NULL, *result = NULL;
    double timeout = 0;
    char *envs[64];
    int nenv = 0, opt;
    while ((opt = getopt(argc, argv, "+p:r:t:e:")) != -1) {
        switch (opt) {
        case 'p': preload = optarg; break;
        case 'r': result = optarg; break;
        case 't': timeout = atof(optarg); break;
        case 'e':
            if (nenv == 64 || !strchr(optarg, '=')) usage();
            envs[nenv++] = optarg;
            break;
        default: usage();
        }
    }
    if (optind >= argc) usage();
    char **cmd = argv + optind;

    FILE *out = stderr;
    if (result && !(out = fopen(result, "w"))) {
        perror(result);
        return 125;
    }

    /* Set up handlers before fork; the child restores defaults. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_term;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    int errpipe[2]; /* reports exec failure from the child */
    if (pipe2(errpipe, O_CLOEXEC) != 0) { perror("pipe2"); return 125; }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 125; }
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        setpgid(0, 0);
        close(errpipe[0]);
        for (int i = 0; i < nenv; i++) putenv(envs[i]);
        if (preload && *preload) setenv("LD_PRELOAD", preload, 1);
        else unsetenv("LD_PRELOAD");
        execvp(cmd[0], cmd);
        int e = errno;
        if (write(errpipe[1], &e, sizeof e) < 0) { /* nothing to do */ }
        _exit(127);
    }
    setpgid(pid, pid); /* avoid the race with the child's own setpgid */
    close(errpipe[1]);

    if (timeout > 0) {
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)timeout;
        it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6);
        setitimer(ITIMER_REAL, &it, NULL);
    }

    int status = 0, timed_out = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &status, 0, &ru);
        if (w == pid) break;
        if (w < 0 && errno == EINTR) {
            if (got_alarm && !timed_out) {
                timed_out = 1;
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
            }
            if (got_term) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
            }
            continue;
        }
        perror("wait4");
        return 125;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Kill stragglers left in the group (e.g. daemonised helpers). */
    kill(-pid, SIGKILL);

    int exec_errno = 0;
    ssize_t n = read(errpipe[0], &exec_errno, sizeof exec_errno);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double ut = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    double st = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    const char *kind;
    int code, rc;
    if (n == (ssize_t)sizeof exec_errno) {
        kind = "execfail"; code = exec_errno; rc = 127;
        fprintf(stderr, "measure: cannot exec %s: %s\n", cmd[0], strerror(exec_errno));
    } else if (timed_out) {
        kind = "timeout"; code = 0; rc = 124;
    } else if (WIFSIGNALED(status)) {
        kind = "signal"; code = WTERMSIG(status); rc = 128 + code;
    } else {
        kind = "exit"; code = WEXITSTATUS(status); rc = code;
    }
    fprintf(out, "wall=%.6f maxrss_kib=%ld utime=%.3f stime=%.3f status=%s code=%d\n",
            wall, ru.ru_maxrss, ut, st, kind, code);
    if (out != stderr) fclose(out);
    if (got_term) { signal(got_term, SIG_DFL); raise(got_term); }
    return rc;
}
