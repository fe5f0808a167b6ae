/* t_tiers.c — each request lands in the tier the design says, seen from outside:
 * small and medium blocks inside the brk heap (below the program break), big ones in
 * mappings of their own that free() unmaps, and a heap that grows and is trimmed. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"

static uintptr_t brk_now(void) { return (uintptr_t)sbrk(0); }
static int mapped(void *p) { return msync((void *)((uintptr_t)p & ~4095ul), 4096, MS_ASYNC) == 0; }

int main(void)
{
	CHECK(mallopt(M_TRIM_THRESHOLD, 128 * 1024) == 1);   /* exact glibc trimming, no hold */
	uintptr_t start = brk_now();
	char *small = malloc(100), *medium = malloc(60000);
	uintptr_t grown = brk_now();
	CHECK(grown > start);
	CHECK((uintptr_t)small >= start && (uintptr_t)small < grown);       /* brk heap */
	CHECK((uintptr_t)medium >= start && (uintptr_t)medium < grown);
	CHECK(((uintptr_t)medium & 4095) == 0);                            /* whole pages */
	CHECK(malloc_usable_size(medium) == 61440);                        /* exact pages, not 64 KiB */

	char *big = malloc(200 * 1024);                                    /* mmap path */
	CHECK(big && ((uintptr_t)big < start || (uintptr_t)big >= brk_now()));
	memset(big, 1, 200 * 1024);
	CHECK(mapped(big));
	free(big);
	CHECK(!mapped(big));                                               /* munmap on free */

	/* grow the heap by ~100 MiB of medium blocks, then free them: the top is trimmed */
	enum { N = 1000 };
	static char *blocks[N];
	for (int i = 0; i < N; i++) {
		blocks[i] = malloc(100 * 1024);
		CHECK(blocks[i]);
		memset(blocks[i], i, 100 * 1024);
	}
	uintptr_t high = brk_now();
	CHECK(high - grown >= (uintptr_t)N * 100 * 1024 - (1 << 20));     /* exact runs: 25 pages each,
	                                                                    some from free pages at the top */
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < 100 * 1024; k += 4096)
			CHECK(blocks[i][k] == (char)i);
		free(blocks[i]);
	}
	uintptr_t trimmed = brk_now();
	CHECK(trimmed < high - (uintptr_t)90 * 1024 * 1024);              /* given back by free */
	CHECK(trimmed - grown < (uintptr_t)1 << 20);

	/* a live block near the top pins the heap (the seed's fragmentation), until freed */
	char *low[200];
	for (int i = 0; i < 200; i++)
		low[i] = malloc(100 * 1024);
	char *pin = malloc(100 * 1024);
	for (int i = 0; i < 200; i++)
		free(low[i]);
	uintptr_t pinned = brk_now();
	CHECK(pinned > (uintptr_t)pin);
	free(pin);
	CHECK(brk_now() < pinned);

	/* malloc_trim gives back what free kept below the threshold */
	CHECK(mallopt(M_TRIM_THRESHOLD, 64 << 20) == 1);
	for (int i = 0; i < 200; i++)
		low[i] = malloc(100 * 1024);
	for (int i = 0; i < 200; i++)
		free(low[i]);
	uintptr_t kept = brk_now();
	malloc_trim(0);
	CHECK(brk_now() < kept);
	free(small);
	free(medium);
	puts("t_tiers: ok");
	return 0;
}
