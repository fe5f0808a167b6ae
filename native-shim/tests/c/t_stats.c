/* t_stats.c — the snapshot's figures against ground truth this program knows exactly:
 * a named cache's columns, mmap and medium bytes, bytes requested, the buddy invariants,
 * resident bytes against the kernel's own count in /proc/self/smaps, and malloc_info's XML
 * against the snapshot. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "slabscope_shm.h"
#include "check.h"

static char buf[1 << 20];

static const struct ss_shm_header *snap(void)
{
	CHECK(ss_snapshot(buf, sizeof buf) <= sizeof buf);
	const struct ss_shm_header *h = (const void *)buf;
	CHECK(h->magic == SS_SHM_MAGIC && h->version == SS_SHM_VERSION && h->pid == getpid());
	return h;
}
static const struct ss_shm_global *global(void)
{
	const struct ss_shm_header *h = snap();
	return (const void *)(buf + h->global_offset);
}
static const struct ss_shm_cache *cache(const char *name)
{
	const struct ss_shm_header *h = snap();
	for (uint32_t i = 0; i < h->nr_caches; i++) {
		const struct ss_shm_cache *c = (const void *)(buf + h->caches_offset + i * h->cache_record_size);
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}

/* Rss of the mappings that overlap [lo, hi), from the kernel. */
static uint64_t smaps_rss(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	uint64_t rss = 0;
	int in = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long a, b, kb;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
			in = a < hi && b > lo;
		else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1)
			rss += kb << 10;
	}
	if (f)
		fclose(f);
	return rss;
}

int main(void)
{
	/* a named cache has no thread cache in front: its columns are exact */
	struct kmem_cache *c = ss_kmem_cache_create("stats_obj", 100, 0, 0, NULL);
	static void *objs[1000];
	for (int i = 0; i < 1000; i++)
		objs[i] = ss_kmem_cache_alloc(c);
	const struct ss_shm_cache *r = cache("stats_obj");
	CHECK(r && r->active_objs == 1000 && r->allocs == 1000 && r->frees == 0);
	CHECK(r->size == 104 && r->num_objs == r->num_slabs * r->objperslab);
	CHECK(r->active_slabs == (1000 + r->objperslab - 1) / r->objperslab);
	for (int i = 0; i < 400; i++)
		ss_kmem_cache_free(c, objs[i]);
	r = cache("stats_obj");
	CHECK(r->active_objs == 600 && r->frees == 400);
	CHECK(r->full_slabs + r->partial_slabs + r->free_slabs == r->num_slabs);

	/* mmap path and medium blocks: exact byte counts */
	uint64_t mmap0 = global()->mmap_bytes, blocks0 = global()->mmap_blocks;
	uint64_t medium0 = global()->medium_bytes;
	void *big[5], *mid[10];
	for (int i = 0; i < 5; i++)
		big[i] = malloc(300000);
	for (int i = 0; i < 10; i++)
		mid[i] = malloc(40000);
	const struct ss_shm_global *g = global();
	CHECK(g->mmap_blocks == blocks0 + 5 && g->mmap_bytes == mmap0 + 5 * 303104);
	CHECK(g->medium_bytes == medium0 + 10 * 40960);

	/* malloc_info: glibc's XML with our figures (what jcmd System.native_heap_info prints) */
	static char xml[1 << 16];                  /* a fixed buffer: printing allocates nothing */
	FILE *mf = fmemopen(xml, sizeof xml, "w");
	CHECK(mf && setvbuf(mf, NULL, _IONBF, 0) == 0);   /* nor does stdio's own buffer */
	CHECK(malloc_info(0, mf) == 0);
	size_t xml_len = (size_t)ftell(mf);
	CHECK(fclose(mf) == 0 && xml_len < sizeof xml);
	xml[xml_len] = 0;
	g = global();
	CHECK(strncmp(xml, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n", 39) == 0);
	CHECK(strcmp(xml + xml_len - 10, "</malloc>\n") == 0);
	char want[160];
	snprintf(want, sizeof want, "<total type=\"mmap\" count=\"%llu\" size=\"%llu\"/>",
		 (unsigned long long)g->mmap_blocks, (unsigned long long)g->mmap_bytes);
	CHECK(strstr(xml, want));
	const struct ss_shm_header *hs = snap();
	uint64_t free_blocks = 0;
	for (uint32_t z = 0; z < hs->nr_zones; z++)
		for (uint32_t o = 0; o < hs->nr_orders; o++)
			free_blocks += ((const struct ss_shm_zone *)(buf + hs->zones_offset + z * hs->zone_record_size))->nr_free[o];
	snprintf(want, sizeof want, "<total type=\"rest\" count=\"%llu\" size=\"%llu\"/>\n<total type=\"mmap\"",
		 (unsigned long long)free_blocks, (unsigned long long)global()->heap_free_bytes);
	CHECK(strstr(xml, want));                   /* the heap's free blocks and bytes */
	snprintf(want, sizeof want, "<cache name=\"stats_obj\" objsize=\"104\" active=\"600\" total=\"%llu\"",
		 (unsigned long long)cache("stats_obj")->num_objs);
	CHECK(strstr(xml, want));                   /* every cache, as in /proc/slabinfo */
	snprintf(want, sizeof want, "<thread-caches count=\"%llu\" full=\"%llu\" size=\"",
		 (unsigned long long)g->threads, (unsigned long long)g->full_thread_caches);
	CHECK(strstr(xml, want) && g->threads >= 1);   /* this thread's cache, at least */
	CHECK(malloc_info(1, stdout) == EINVAL);   /* glibc: options must be 0 */

	/* bytes requested: every call counts what it asked for */
	uint64_t req0 = global()->bytes_requested;
	void *p1 = malloc(10), *p2 = calloc(3, 7), *p3 = malloc(5000);
	CHECK(global()->bytes_requested == req0 + 10 + 21 + 5000);

	/* realloc's fast path counts what the slow one does: each call and its bytes, and a
	 * move (to another class: 24 B steps) as one slab allocation and one slab free */
	struct ss_shm_global g0 = *global();
	char *steps = malloc(24);
	unsigned reallocs = 0;
	for (size_t n = 48; n <= 2400; n += 24, reallocs++)
		steps = realloc(steps, n);
	g = global();
	CHECK(g->realloc_calls == g0.realloc_calls + reallocs);
	CHECK(g->malloc_calls == g0.malloc_calls + 1);
	CHECK(g->live_allocs == g0.live_allocs + 1);
	CHECK(g->slab_allocs - g0.slab_allocs == g->slab_frees - g0.slab_frees + 1);
	CHECK(g->slab_frees - g0.slab_frees >= 20);      /* it moved through the classes */
	CHECK(g->bytes_requested == g0.bytes_requested + 24 + reallocs * 1224);
	free(steps);

	/* every request counts its usable size too, in place or not: allocated >= requested */
	char *grow = malloc(100);
	for (size_t n = 100; n < (1 << 20); n += n / 3)
		grow = realloc(grow, n);                 /* slab, medium (in place), mmap (mremap) */
	grow = realloc(grow, 50);
	free(grow);
	g = global();
	CHECK(g->bytes_allocated >= g->bytes_requested);

	/* buddy invariants: free blocks per order add up to the free pages of each zone */
	const struct ss_shm_header *h = snap();
	uint64_t free_all = 0;
	for (uint32_t z = 0; z < h->nr_zones; z++) {
		const struct ss_shm_zone *zr = (const void *)(buf + h->zones_offset + z * h->zone_record_size);
		uint64_t pages = 0;
		for (uint32_t o = 0; o < h->nr_orders; o++)
			pages += zr->nr_free[o] << o;
		CHECK(pages == zr->free_pages && zr->dirty_pages <= zr->free_pages);
		free_all += pages * 4096;
	}
	CHECK(free_all == ((const struct ss_shm_global *)(buf + h->global_offset))->heap_free_bytes);

	/* extfrag: one line per zone and table, an index per order in [-1, 1] */
	fflush(stdout);
	int fds[2];
	CHECK(pipe(fds) == 0);
	ss_write_extfrag(fds[1]);
	close(fds[1]);
	char text[8192];
	ssize_t n = read(fds[0], text, sizeof text - 1);
	close(fds[0]);
	CHECK(n > 0);
	text[n] = 0;
	CHECK(strncmp(text, "unusable_index\nNode 0, zone      Brk", 36) == 0);
	CHECK(strstr(text, "extfrag_index\nNode 0, zone      Brk"));
	/* order 0 can always be served from any free page: unusable index 0.000 */
	CHECK(strncmp(strstr(text, "Brk") + 3, " 0.000", 6) == 0);

	/* resident bytes: touch 8000 KiB of medium blocks, compare with the kernel's smaps Rss */
	static char *touch[100];
	for (int i = 0; i < 100; i++)
		memset(touch[i] = malloc(80 * 1024), 1, 80 * 1024);
	g = global();
	uint64_t kernel = smaps_rss(g->brk_base, g->brk_top);
	uint64_t ours = ((const struct ss_shm_zone *)(buf + snap()->zones_offset))->resident_pages * 4096;
	g = global();
	CHECK(ours >= 100 * 80 * 1024);
	CHECK(ours <= kernel + (64 << 10) && ours + (64 << 10) >= kernel);   /* within 16 pages */

	for (int i = 0; i < 100; i++) free(touch[i]);
	for (int i = 0; i < 5; i++) free(big[i]);
	for (int i = 0; i < 10; i++) free(mid[i]);
	free(p1), free(p2), free(p3);
	for (int i = 400; i < 1000; i++)
		ss_kmem_cache_free(c, objs[i]);
	CHECK(ss_kmem_cache_destroy(c) == 0);
	puts("t_stats: ok");
	return 0;
}
