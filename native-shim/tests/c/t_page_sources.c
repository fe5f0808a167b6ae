/* t_page_sources.c — when the break is not ours to move (the program moved it) or sbrk
 * fails (RLIMIT_DATA), pages come from mmap zones; when even mmap fails, ENOMEM, and the
 * allocator keeps working once memory is back. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "check.h"

static void churn(size_t n, size_t size)
{
	char **v = malloc(n * sizeof *v);
	CHECK(v);
	for (size_t i = 0; i < n; i++) {
		v[i] = malloc(size);
		CHECK(v[i]);
		memset(v[i], (int)i, size);
	}
	for (size_t i = 0; i < n; i++) {
		CHECK(v[i][size - 1] == (char)i);
		free(v[i]);
	}
	free(v);
}

int main(void)
{
	churn(1000, 100);
	/* the program takes the break for itself */
	char *mine = sbrk(1 << 20);
	CHECK(mine != (void *)-1);
	memset(mine, 7, 1 << 20);
	uintptr_t brk_after = (uintptr_t)sbrk(0);
	churn(2000, 40000);                  /* 80 MB: cannot come from the break any more */
	CHECK((uintptr_t)sbrk(0) == brk_after);
	for (int i = 0; i < (1 << 20); i += 4096)
		CHECK(mine[i] == 7);             /* and the program's memory was left alone */

	/* address space exhausted: NULL with ENOMEM, no crash */
	struct rlimit old, tight;
	CHECK(getrlimit(RLIMIT_AS, &old) == 0);
	tight = old;
	tight.rlim_cur = 512ul << 20;
	CHECK(setrlimit(RLIMIT_AS, &tight) == 0);
	void *held[64];
	int n = 0, failed = 0;
	for (; n < 64; n++) {
		errno = 0;
		held[n] = malloc(64ul << 20);
		if (!held[n]) {
			CHECK(errno == ENOMEM);
			failed = 1;
			break;
		}
	}
	CHECK(failed);
	errno = 0;
	CHECK(malloc(1ul << 30) == NULL && errno == ENOMEM);
	churn(100, 1000);                    /* small allocations still served */
	for (int i = 0; i < n; i++)
		free(held[i]);
	CHECK(setrlimit(RLIMIT_AS, &old) == 0);
	churn(100, 300000);
	puts("t_page_sources: ok");
	return 0;
}
