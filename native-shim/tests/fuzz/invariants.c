/*
 * invariants.c — white-box checks of the allocator's own structures, run by the fuzzer
 * after every input (and on demand). The shadow model in fuzz_malloc.c sees what a program
 * sees; these see what the program cannot: a free block missing from its list leaks pages
 * only later, two unmerged buddies fragment the heap silently, an object twice in a thread
 * cache is handed out twice only after many more operations. Checking the structures
 * directly makes the fuzzer stop at the operation that broke them.
 *
 * Single-threaded use only (the fuzzer's main thread, while no other thread allocates),
 * and without the allocator's locks: a failure aborts, and libFuzzer's crash handler, which
 * allocates, must not find page_lock held by the dead check.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "fuzz.h"

#define BRK_MAX_PAGES (((size_t)8 << 30) >> PAGE_SHIFT)   /* as zone.c */

static uint8_t in_free_block[BRK_MAX_PAGES];               /* per page of the zone checked */

/* ---- buddy: free lists against page descriptors ---------------------------- */
static void check_zone(struct zone *z)
{
	size_t npages = zone_npages(z);
	if (npages > z->max_pages || npages > BRK_MAX_PAGES)
		fuzz_fail("zone %u: %zu pages, capacity %zu", z->id, npages, z->max_pages);
	memset(in_free_block, 0, npages);
	size_t free_pages = 0, dirty_pages = 0;
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		size_t blk = (size_t)1 << o, count = 0;
		uint32_t prev = NIL;
		for (uint32_t idx = z->free_head[o]; idx != NIL; prev = idx, idx = z->pages[idx].next) {
			struct page *p = &z->pages[idx];
			if (++count > npages)
				fuzz_fail("zone %u order %u: free list loops", z->id, o);
			if (idx >= npages || (idx & (blk - 1)) || idx + blk > npages)
				fuzz_fail("zone %u order %u: free block %u misplaced (%zu pages)", z->id, o, idx, npages);
			if (p->kind != PG_FREE || !(p->flags & PGF_HEAD) || p->order != o || p->prev != prev)
				fuzz_fail("zone %u order %u: free block %u has kind %u flags %#x order %u prev %u (want %u)",
					  z->id, o, idx, p->kind, p->flags, p->order, p->prev, prev);
			for (size_t i = idx; i < idx + blk; i++) {
				if (in_free_block[i] || z->pages[i].kind != PG_FREE)
					fuzz_fail("zone %u: page %zu of free block %u (order %u) is kind %u, or in two blocks",
						  z->id, i, idx, o, z->pages[i].kind);
				/* only the head has flags: claim_run gives the rest of a block back unmarked */
				if (i > idx && z->pages[i].flags)
					fuzz_fail("zone %u: page %zu inside free block %u (order %u) has flags %#x",
						  z->id, i, idx, o, z->pages[i].flags);
				in_free_block[i] = 1;
			}
			/* a free block whose buddy is free with the same order should have merged */
			uint32_t buddy = idx ^ (uint32_t)blk;
			struct page *b = &z->pages[buddy];
			if (o < MAX_ORDER - 1 && buddy + blk <= npages && b->kind == PG_FREE &&
			    (b->flags & PGF_HEAD) && b->order == o)
				fuzz_fail("zone %u: free buddies %u and %u of order %u not merged", z->id, idx, buddy, o);
			free_pages += blk;
			if (!(p->flags & PGF_CLEAN))
				dirty_pages += blk;
		}
		if (z->free_tail[o] != prev || count != z->nr_free[o])
			fuzz_fail("zone %u order %u: tail %u (want %u), %zu blocks listed, nr_free %zu",
				  z->id, o, z->free_tail[o], prev, count, z->nr_free[o]);
	}
	if (free_pages != z->free_pages || dirty_pages != z->dirty_pages)
		fuzz_fail("zone %u: free lists hold %zu pages (%zu dirty), counters say %zu (%zu)",
			  z->id, free_pages, dirty_pages, z->free_pages, z->dirty_pages);
	for (size_t i = 0; i < npages; i++) {
		struct page *p = &z->pages[i];
		switch (p->kind) {
		case PG_FREE:
			if (!in_free_block[i])
				fuzz_fail("zone %u: page %zu is free but in no free list: lost", z->id, i);
			break;
		case PG_MEDIUM: {
			size_t n = p->npages;
			if (!n || i + n > npages)
				fuzz_fail("zone %u: medium block at page %zu of %zu pages overruns the zone", z->id, i, n);
			for (size_t t = 1; t < n; t++)
				if (p[t].kind != PG_TAIL || p[t].npages != t)
					fuzz_fail("zone %u: medium block at page %zu: page %zu is kind %u, offset %u",
						  z->id, i, i + t, p[t].kind, p[t].npages);
			i += n - 1;
			break;
		}
		case PG_TAIL:
			fuzz_fail("zone %u: tail page %zu without its medium head", z->id, i);
		case PG_SLAB:
			if (!p->slab || !p->slab->cache)
				fuzz_fail("zone %u: slab page %zu without a slab", z->id, i);
			break;
		case PG_META:
			break;
		default:
			fuzz_fail("zone %u: page %zu below the top is kind %u: neither free nor used", z->id, i, p->kind);
		}
	}
}

/* ---- slabs: lists, counts, free maps, page descriptors ---------------------- */
static void check_slab(struct kmem_cache *c, struct slab *s, enum slab_list l, size_t *active)
{
	if (s->cache != c || s->list != l)
		fuzz_fail("%s: slab %p on list %d says cache %p list %u", c->name, (void *)s, l, (void *)s->cache, s->list);
	unsigned words = (c->num + 63) / 64, free_objs = 0;
	for (unsigned w = 0; w < words; w++)
		free_objs += (unsigned)__builtin_popcountll(s->freemap[w]);
	if ((c->num & 63) && (s->freemap[words - 1] >> (c->num & 63)))
		fuzz_fail("%s: slab %p has free bits beyond its %u objects", c->name, (void *)s, c->num);
	if (free_objs + s->inuse != c->num)
		fuzz_fail("%s: slab %p: %u free in the map + %u in use != %u objects", c->name, (void *)s, free_objs, s->inuse, c->num);
	bool ok = l == SL_FULL ? s->inuse == c->num : l == SL_FREE ? s->inuse == 0 : s->inuse && s->inuse < c->num;
	if (!ok)
		fuzz_fail("%s: slab %p with %u of %u in use is on list %d", c->name, (void *)s, s->inuse, c->num, l);
	char *mem = s->s_mem - s->colour - c->hdr_size;
	struct zone *z = zone_of(mem);
	/* page aligned, not naturally: slabs are placed by best fit among the free runs */
	if (!z || ((uintptr_t)mem & (PAGE_SIZE - 1)))
		fuzz_fail("%s: slab %p memory %p outside the heap or misaligned", c->name, (void *)s, (void *)mem);
	if (s->s_mem + (size_t)c->num * c->size > mem + (PAGE_SIZE << c->order))
		fuzz_fail("%s: slab %p objects overrun its %u pages", c->name, (void *)s, 1u << c->order);
	for (size_t i = 0; i < ((size_t)1 << c->order); i++) {
		struct page *pg = page_of(z, mem + (i << PAGE_SHIFT));
		if (pg->kind != PG_SLAB || pg->slab != s)
			fuzz_fail("%s: page %zu of slab %p is kind %u of slab %p", c->name, i, (void *)s, pg->kind, (void *)pg->slab);
	}
	*active += s->inuse;
}

static size_t check_list(struct kmem_cache *c, struct slab *head, enum slab_list l, size_t *active)
{
	size_t n = 0;
	struct slab *prev = NULL;
	for (struct slab *s = head; s; prev = s, s = s->next) {
		if (++n > ((size_t)1 << 24))
			fuzz_fail("%s: slab list %d loops", c->name, l);
		if (s->prev != prev)
			fuzz_fail("%s: slab %p on list %d: prev link broken", c->name, (void *)s, l);
		check_slab(c, s, l, active);
	}
	return n;
}

static void check_cache(struct kmem_cache *c)
{
	if (c->policy == &slab_policy_slob)
		return;                                   /* no slabs of its own: in the slob pages */
	if (c->policy == &slab_policy_slob_pages || c->policy == &slab_policy_slub) {
		const char *bad = c->policy == &slab_policy_slub ? slub_check(c) : slob_check();
		if (bad)
			fuzz_fail("%s: %s", c->name, bad);
		return;
	}
	size_t active = 0, partial = 0;
	size_t full = check_list(c, c->lists[SL_FULL], SL_FULL, &active);
	size_t empty = check_list(c, c->lists[SL_FREE], SL_FREE, &active);
	for (unsigned sh = 0; sh < SLAB_SHARDS; sh++) {
		partial += check_list(c, c->partial[sh], SL_PARTIAL, &active);
		for (struct slab *s = c->partial[sh]; s; s = s->next)
			if (s->shard != sh)
				fuzz_fail("%s: slab %p on partial list %u says shard %u", c->name, (void *)s, sh, s->shard);
	}
	if (full != c->nr_slabs[SL_FULL] || partial != c->nr_slabs[SL_PARTIAL] || empty != c->nr_slabs[SL_FREE])
		fuzz_fail("%s: lists hold %zu/%zu/%zu slabs, counters say %zu/%zu/%zu", c->name, full, partial, empty,
			  c->nr_slabs[SL_FULL], c->nr_slabs[SL_PARTIAL], c->nr_slabs[SL_FREE]);
	if (active != c->active_objs)
		fuzz_fail("%s: slabs have %zu objects in use, active_objs says %zu", c->name, active, c->active_objs);
}

/* ---- the thread cache: each object once, of its class, allocated from its slab ---- */
static void *cached[NR_KMALLOC * 64];          /* no class's limit is above 64 */
static size_t ncached;

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

static void check_tcache(void)
{
	struct tcache *tc = tc_self;
	ncached = 0;
	if ((uintptr_t)tc <= (uintptr_t)TC_DEAD)
		return;
	for (unsigned cls = 0; cls < NR_KMALLOC; cls++) {
		const struct tc_layout *l = tc->light ? &tc_light : &tc_full;
		unsigned room = (cls + 1 < NR_KMALLOC ? l->offset[cls + 1] : l->slots) - l->offset[cls];
		if (tc->offset[cls] != l->offset[cls] || tc->limit[cls] > room ||
		    tc->limit[cls] != l->limit[cls] || tc->count[cls] > tc->limit[cls])
			fuzz_fail("thread cache class %u holds %u objects (limit %u, room %u)", cls, tc->count[cls],
				  tc->limit[cls], room);
		for (unsigned k = 0; k < tc->count[cls]; k++) {
			void *p = tc_stack(tc, cls)[k];
			int idx;
			struct slab *s = slab_lookup(p, &idx);
			if (!s || s->cache != &kmalloc_caches[cls])
				fuzz_fail("thread cache class %u: %p is no object of %s", cls, p, kmalloc_caches[cls].name);
			if (slab_obj_is_free(s, (unsigned)idx))
				fuzz_fail("thread cache class %u: %p is also free in its slab", cls, p);
			cached[ncached++] = p;
		}
	}
	qsort(cached, ncached, sizeof *cached, cmp_ptr);
	for (size_t i = 1; i < ncached; i++)
		if (cached[i] == cached[i - 1])
			fuzz_fail("thread cache holds %p twice: it would be handed out twice", cached[i]);
}

void check_invariants(void)
{
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		check_cache(c);
	for (unsigned i = 1; i <= nr_zones; i++)
		check_zone(zones[i]);
	check_tcache();
}

/* After check_invariants (which sorted the thread cache's objects). */
void check_block_allocated(const void *p)
{
	struct zone *z = zone_of(p);
	if (!z) {
		if (!large_usable(p))
			fuzz_fail("live block %p is neither in a zone nor a large block", p);
		return;
	}
	struct page *pg = page_of(z, p);
	if (pg->kind == PG_MEDIUM)
		return;
	int idx;
	struct slab *s = slab_lookup(p, &idx);
	if (pg->kind != PG_SLAB || !s)
		fuzz_fail("live block %p lies on a page of kind %u", p, pg->kind);
	if (slab_obj_is_free(s, (unsigned)idx))
		fuzz_fail("live block %p (%s) is free in its slab's map", p, s->cache->name);
	if (bsearch(&p, cached, ncached, sizeof *cached, cmp_ptr))
		fuzz_fail("live block %p (%s) sits in the thread cache", p, s->cache->name);
}
