/* t_settings.c — the size settings from the environment: the shim's own variables, and
 * glibc's two ways (GLIBC_TUNABLES glibc.malloc.*, the older MALLOC_*_ variables), in that
 * order of precedence, as glibc itself prefers the tunable to the old variable. Each case
 * runs this program again with only that environment and reads the snapshot's settings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "slabscope_shm.h"
#include "check.h"
#include "child.h"

static char buf[1 << 20];

/* The child: print mmap threshold, trim threshold and top pad as the allocator has them
 * (on stderr, which run_child keeps). */
static int report(void)
{
	free(malloc(100));
	CHECK(ss_snapshot(buf, sizeof buf) <= sizeof buf);
	const struct ss_shm_header *h = (const void *)buf;
	const struct ss_shm_global *g = (const void *)(buf + h->global_offset);
	fprintf(stderr, "%llu %llu %llu\n", (unsigned long long)g->mmap_threshold,
		(unsigned long long)g->trim_threshold, (unsigned long long)g->top_pad);
	return 0;
}

/* In the child: this program again, with `env` (NULL-terminated) as its only environment
 * besides LD_PRELOAD. */
static void exec_reporter(void *arg)
{
	const char *const *env = arg;
	char *envp[16];
	int n = 0;
	const char *pre = getenv("LD_PRELOAD");
	static char pre_var[4096];
	if (pre) {
		snprintf(pre_var, sizeof pre_var, "LD_PRELOAD=%s", pre);
		envp[n++] = pre_var;
	}
	for (int i = 0; env[i] && n < 15; i++)
		envp[n++] = (char *)env[i];
	envp[n] = NULL;
	char *argv[] = { "t_settings", "report", NULL };
	execve("/proc/self/exe", argv, envp);
}

/* The three figures the reporter prints under `env`. */
static void settings_with(const char *const env[], unsigned long long out[3])
{
	char line[256];
	int status = run_child(exec_reporter, (void *)env, line, sizeof line);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(sscanf(line, "%llu %llu %llu", &out[0], &out[1], &out[2]) == 3);
}

static void expect(const char *const env[], unsigned long long mmap_threshold,
		   unsigned long long trim_threshold, unsigned long long top_pad)
{
	unsigned long long got[3];
	settings_with(env, got);
	printf("%-60s mmap %8llu trim %8llu pad %6llu\n", env[0] ? env[0] : "(nothing set)", got[0], got[1], got[2]);
	CHECK(got[0] == mmap_threshold && got[1] == trim_threshold && got[2] == top_pad);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report"))
		return report();
	const unsigned long long K = 1024;
	expect((const char *[]){ NULL }, 128 * K, 128 * K, 0);
	expect((const char *[]){ "MALLOC_TRIM_THRESHOLD_=1048576", "MALLOC_MMAP_THRESHOLD_=262144",
				 "MALLOC_TOP_PAD_=4096", NULL }, 256 * K, 1024 * K, 4 * K);
	expect((const char *[]){ "GLIBC_TUNABLES=glibc.malloc.trim_threshold=524288:glibc.malloc.mmap_threshold=0x80000"
				 ":glibc.malloc.top_pad=65536", NULL }, 512 * K, 512 * K, 64 * K);
	/* other tunables around them are skipped; a name that only starts like ours is not ours */
	expect((const char *[]){ "GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.trim_threshold_x=1:"
				 "glibc.malloc.trim_threshold=300000:glibc.rtld.nns=4", NULL }, 128 * K, 300000, 0);
	/* GLIBC_TUNABLES wins over MALLOC_*_ (as in glibc), SLABSCOPE_* over both */
	expect((const char *[]){ "MALLOC_TRIM_THRESHOLD_=1048576", "GLIBC_TUNABLES=glibc.malloc.trim_threshold=2m",
				 NULL }, 128 * K, 2048 * K, 0);
	expect((const char *[]){ "SLABSCOPE_TRIM_THRESHOLD=64k", "MALLOC_TRIM_THRESHOLD_=1048576",
				 "GLIBC_TUNABLES=glibc.malloc.trim_threshold=2m", NULL }, 128 * K, 64 * K, 0);
	/* malformed values are ignored, the defaults stay */
	expect((const char *[]){ "GLIBC_TUNABLES=glibc.malloc.trim_threshold=lots:glibc.malloc.top_pad=",
				 "MALLOC_MMAP_THRESHOLD_=12q", NULL }, 128 * K, 128 * K, 0);
	puts("t_settings: ok");
	return 0;
}
