/* ground_truth.c — allocates known numbers of known sizes, says so, and waits.
 *
 * A live subject for the introspection tests: it keeps, until a line arrives on stdin,
 *   N_SMALL objects of 64 B     (kmalloc-64)
 *   N_MID objects of 1000 B     (kmalloc-1024)
 *   N_MEDIUM blocks of 60000 B  (medium: 15 pages each)
 *   N_LARGE blocks of 1 MiB     (mmap path)
 *   N_NAMED objects of a named cache "ground_truth_obj" of 200 B
 * then frees everything and exits. It calls ss_publish() so the segment is current, and
 * prints one line "ready pid=... small=... mid=... medium=... large=... named=...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"

enum { N_SMALL = 10000, N_MID = 2000, N_MEDIUM = 20, N_LARGE = 3, N_NAMED = 500 };

int main(void)
{
	static void *small[N_SMALL], *mid[N_MID], *medium[N_MEDIUM], *large[N_LARGE], *named[N_NAMED];
	struct kmem_cache *cache = ss_kmem_cache_create("ground_truth_obj", 200, 0, 0, NULL);
	if (!cache)
		return 1;
	for (int i = 0; i < N_SMALL; i++)
		memset(small[i] = malloc(64), 1, 64);
	for (int i = 0; i < N_MID; i++)
		memset(mid[i] = malloc(1000), 2, 1000);
	for (int i = 0; i < N_MEDIUM; i++)
		memset(medium[i] = malloc(60000), 3, 60000);
	for (int i = 0; i < N_LARGE; i++)
		memset(large[i] = malloc(1 << 20), 4, 1 << 20);
	for (int i = 0; i < N_NAMED; i++)
		named[i] = ss_kmem_cache_alloc(cache);
	ss_publish();
	printf("ready pid=%d small=%d mid=%d medium=%d large=%d named=%d\n", (int)getpid(),
	       N_SMALL, N_MID, N_MEDIUM, N_LARGE, N_NAMED);
	fflush(stdout);
	char line[64];
	while (fgets(line, sizeof line, stdin)) {
		if (line[0] == 'p')                  /* "publish": refresh the segment now */
			ss_publish();
		else
			break;
		printf("published\n");
		fflush(stdout);
	}
	for (int i = 0; i < N_SMALL; i++) free(small[i]);
	for (int i = 0; i < N_MID; i++) free(mid[i]);
	for (int i = 0; i < N_MEDIUM; i++) free(medium[i]);
	for (int i = 0; i < N_LARGE; i++) free(large[i]);
	for (int i = 0; i < N_NAMED; i++) ss_kmem_cache_free(cache, named[i]);
	ss_kmem_cache_destroy(cache);
	return 0;
}
