/*
 * seed_walkthrough.c — the background notes' malloc story, step by step, under Slabscope,
 * then their slab part: a named object cache with the kernel's calls.
 *
 * The notes draw a heap that grows with brk (malloc < 128K) and blocks above 128K that get
 * an mmap of their own; free(C) unmaps C at once, free(B) leaves a hole, and free(D) lets
 * the top be trimmed once more than 128K is free there. This program does exactly those
 * steps and prints, after each, where the block went and what the program break did.
 * The notes' slab part lists kmem_cache_create/kmem_cache_alloc(_node)/kmalloc(_node) and
 * /proc/slabinfo: the program makes a cache of 200-byte objects with those names and shows
 * its slabinfo line as it fills, empties and shrinks; then ten small caches under SLAB and
 * under SLOB (the notes' allocator for tiny systems).
 */
#define SLABSCOPE_KERNEL_NAMES
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "slabscope_shm.h"

static uintptr_t heap_start;

/* The brk heap's first address, from the allocator's own snapshot. */
static uintptr_t brk_base(void)
{
	static char buf[1 << 20];
	if (ss_snapshot(buf, sizeof buf) > sizeof buf)
		return 0;
	const struct ss_shm_header *h = (const void *)buf;
	return ((const struct ss_shm_global *)(buf + h->global_offset))->brk_base;
}

/* The cache's line of /proc/slabinfo, from the allocator's own snapshot. */
static void slabinfo_line(const char *what, const char *name)
{
	static char buf[1 << 20];
	if (ss_snapshot(buf, sizeof buf) > sizeof buf)
		return;
	const struct ss_shm_header *h = (const void *)buf;
	for (uint32_t i = 0; i < h->nr_caches; i++) {
		const struct ss_shm_cache *c = (const void *)(buf + h->caches_offset + i * h->cache_record_size);
		if (!strcmp(c->name, name))
			printf("%-27s %-10s %6lu %6lu %6u %4u %4u   slabs %lu (full %lu, partial %lu, empty %lu)\n", what,
			       c->name, (unsigned long)c->active_objs, (unsigned long)c->num_objs, c->size, c->objperslab,
			       c->pagesperslab, (unsigned long)c->num_slabs, (unsigned long)c->full_slabs,
			       (unsigned long)c->partial_slabs, (unsigned long)c->free_slabs);
	}
}

static const char *where(void *p)
{
	uintptr_t a = (uintptr_t)p;
	return a >= heap_start && a < (uintptr_t)sbrk(0) ? "brk heap" : "own mmap";
}

static void step(const char *what, void *p, size_t size)
{
	uintptr_t brk = (uintptr_t)sbrk(0);
	if (p)
		printf("%-14s %8zu B at %#14lx  %-9s  usable %7zu   break +%lu KiB\n", what, size,
		       (unsigned long)(uintptr_t)p, where(p), malloc_usable_size(p),
		       (unsigned long)((brk - heap_start) >> 10));
	else
		printf("%-14s %43s  break +%lu KiB\n", what, "", (unsigned long)((brk - heap_start) >> 10));
}

int main(void)
{
	free(malloc(1));                       /* the heap is set up on first use */
	heap_start = brk_base();

	printf("Slabscope under the seed's malloc story (mmap threshold 128 KiB, trim threshold 128 KiB)\n\n");
	char *A = malloc(30 << 10);  memset(A, 'A', 30 << 10);  step("A=malloc(30K)", A, 30 << 10);
	char *B = malloc(40 << 10);  memset(B, 'B', 40 << 10);  step("B=malloc(40K)", B, 40 << 10);
	char *C = malloc(200 << 10); memset(C, 'C', 200 << 10); step("C=malloc(200K)", C, 200 << 10);
	char *D = malloc(100 << 10); memset(D, 'D', 100 << 10); step("D=malloc(100K)", D, 100 << 10);
	free(C); step("free(C)", NULL, 0);
	printf("               C's mapping is gone: munmap on free\n");
	free(B); step("free(B)", NULL, 0);
	printf("               B's pages went back to the buddy allocator (a hole in the heap)\n");
	/* grow the top with 1 MiB of 100K blocks, then free them: more than 128K free at the top */
	char *top[10];
	for (int i = 0; i < 10; i++)
		memset(top[i] = malloc(100 << 10), 'T', 100 << 10);
	step("10 x 100K", top[9], 100 << 10);
	for (int i = 9; i >= 0; i--)
		free(top[i]);
	free(D);
	step("free all", NULL, 0);
	printf("               the free space at the top exceeded the trim threshold: sbrk(-n)\n\n");
	free(A);

	printf("--- /proc/buddyinfo of this heap ---\n");
	fflush(stdout);
	ss_write_buddyinfo(1);

	printf("\nThe notes' slab part: kmem_cache_create(\"seed_obj\", 200, 0, SLAB_HWCACHE_ALIGN, NULL)\n");
	printf("%-27s %-10s %6s %6s %6s %4s %4s\n", "", "# name", "active", "num", "objsz", "/slb", "pgs");
	struct kmem_cache *cache = kmem_cache_create("seed_obj", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *obj[100];
	for (int i = 0; i < 100; i++)
		obj[i] = kmem_cache_alloc_node(cache, GFP_KERNEL, NUMA_NO_NODE);
	slabinfo_line("100 x kmem_cache_alloc_node", "seed_obj");
	for (int i = 0; i < 100; i += 2)
		kmem_cache_free(cache, obj[i]);
	slabinfo_line("every other one freed", "seed_obj");
	for (int i = 1; i < 100; i += 2)
		kmem_cache_free(cache, obj[i]);
	slabinfo_line("all freed", "seed_obj");
	kmem_cache_shrink(cache);
	slabinfo_line("kmem_cache_shrink", "seed_obj");
	kmem_cache_destroy(cache);

	/* the notes' SLOB, "for tiny systems: a list of blocks, first fit": small caches share pages */
	struct kmem_cache *tiny[10], *slabbed[10];
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof name, "tiny_%d", i);
		tiny[i] = kmem_cache_create(name, 48 + 8 * (size_t)i, 0, SS_SLAB_SLOB, NULL);
		snprintf(name, sizeof name, "slabbed_%d", i);
		slabbed[i] = kmem_cache_create(name, 48 + 8 * (size_t)i, 0, 0, NULL);
		for (int k = 0; k < 3; k++) {
			kmem_cache_alloc(tiny[i], GFP_KERNEL);
			kmem_cache_alloc(slabbed[i], GFP_KERNEL);
		}
	}
	printf("\nTen caches of three 48-120 B objects: SLAB gives each a slab (slabbed_0 .. slabbed_9);\n"
	       "SS_SLAB_SLOB puts all thirty objects first fit in shared pages, the \"slob\" cache:\n");
	slabinfo_line("SLAB policy", "slabbed_0");
	slabinfo_line("SLOB policy", "tiny_0");
	slabinfo_line("the pages SLOB shares", "slob");

	char *k = kmalloc_node(100, GFP_KERNEL, 0);
	printf("kmalloc_node(100, GFP_KERNEL, 0) -> %p: usable %zu, from the kmalloc-N caches\n", (void *)k,
	       malloc_usable_size(k));
	kfree(k);
	return 0;
}
