/*
 * buddy.c — the binary buddy page allocator (Linux mm/page_alloc.c in miniature).
 *
 * Each zone keeps one free list per order 0..MAX_ORDER-1. A block of order k is 2^k
 * pages, aligned to 2^k pages inside its zone (zones start ZONE_ALIGN-aligned, so blocks
 * are naturally aligned in the address space too). Allocation takes the smallest order
 * that fits and splits the rest back (expand); freeing merges a block with its buddy
 * (index ^ 2^k) while the buddy is a free block of the same order (coalesce).
 *
 * Links live in the page descriptors, never in the free memory itself, so free pages can
 * be given back to the kernel with madvise or a negative sbrk without touching them.
 *
 * Aligned requests (memalign's medium blocks) and one-page slabs take buddy blocks. Medium
 * blocks and larger slabs are exact runs of pages, placed by best fit: slabs in naturally
 * aligned blocks split the big free runs medium blocks need (bench realloc peaked 3 MiB
 * higher that way). For these runs the zone also indexes its free runs — maximal
 * sequences of free pages, whatever buddy blocks they are made of — by length, as a
 * boundary-tag heap does: the first and last page of a run carry its length, the first
 * page links it into a bin of runs of similar length. A request takes the smallest run
 * that fits (best fit; a run of 32 pages or fewer fits exactly), from its start.
 */
#include <errno.h>
#include <sys/mman.h>
#include "internal.h"
#include "slabscope_shm.h"

ss_lock_t page_lock = SS_LOCK_INIT;

#define RELEASE_MIN_ORDER 2        /* smaller free blocks are reused by slabs soon enough */

/* Dirty blocks go to the head (reused first: their pages are resident), clean to the tail. */
static void free_list_add(struct zone *z, uint32_t idx, unsigned order, bool clean)
{
	struct page *p = &z->pages[idx];
	p->kind = PG_FREE;
	p->flags = PGF_HEAD | (clean ? PGF_CLEAN : 0);
	p->order = (uint8_t)order;
	uint32_t *head = &z->free_head[order], *tail = &z->free_tail[order];
	if (clean) {
		p->next = NIL;
		p->prev = *tail;
		if (*tail != NIL)
			z->pages[*tail].next = idx;
		else
			*head = idx;
		*tail = idx;
	} else {
		p->prev = NIL;
		p->next = *head;
		if (*head != NIL)
			z->pages[*head].prev = idx;
		else
			*tail = idx;
		*head = idx;
		z->dirty_pages += (size_t)1 << order;
	}
	z->nr_free[order]++;
	z->free_pages += (size_t)1 << order;
}

/* Unlink a free block; returns whether it was clean. */
static bool free_list_del(struct zone *z, uint32_t idx)
{
	struct page *p = &z->pages[idx];
	unsigned order = p->order;
	bool clean = p->flags & PGF_CLEAN;
	if (p->prev != NIL)
		z->pages[p->prev].next = p->next;
	else
		z->free_head[order] = p->next;
	if (p->next != NIL)
		z->pages[p->next].prev = p->prev;
	else
		z->free_tail[order] = p->prev;
	p->flags = 0;
	z->nr_free[order]--;
	z->free_pages -= (size_t)1 << order;
	if (!clean) {
		z->dirty_pages -= (size_t)1 << order;
		if (z->dirty_pages < z->dirty_low)
			z->dirty_low = z->dirty_pages;
	}
	return clean;
}

/* Take a known free block off its free list (the brk trim gives it back to the kernel). */
void buddy_take_block(struct zone *z, uint32_t idx)
{
	free_list_del(z, idx);
}

/* Take a block of exactly `order` from zone z, splitting a larger one; -1 if none.
 * *clean says whether its pages were given back (or never touched). */
long buddy_alloc(struct zone *z, unsigned order, bool *clean_out)
{
	unsigned o = order;
	while (o < MAX_ORDER && z->free_head[o] == NIL)
		o++;
	if (o == MAX_ORDER)
		return -1;
	uint32_t idx = z->free_head[o];
	bool clean = free_list_del(z, idx);
	while (o > order) {                       /* expand: upper halves go back */
		o--;
		free_list_add(z, idx + (1u << o), o, clean);
	}
	*clean_out = clean;
	return idx;
}

/*
 * Free one naturally aligned block, merging with its buddy as long as possible. A merged
 * block is clean only if both halves were; otherwise all of it counts as dirty (an
 * over-estimate that only means an madvise of some pages already released).
 */
static void buddy_free_block(struct zone *z, uint32_t idx, unsigned order, bool clean)
{
	size_t npages = zone_npages(z);
	while (order < MAX_ORDER - 1) {
		uint32_t buddy = idx ^ (1u << order);
		if ((size_t)buddy + ((size_t)1 << order) > npages)
			break;
		struct page *b = &z->pages[buddy];
		if (b->kind != PG_FREE || !(b->flags & PGF_HEAD) || b->order != order)
			break;
		clean &= free_list_del(z, buddy);
		idx &= ~(1u << order);
		order++;
	}
	free_list_add(z, idx, order, clean);
}

/* Free pages [start, end), already marked free (kind PG_FREE, no flags): the largest
 * aligned blocks, each merged with its buddies. */
static void buddy_free_marked(struct zone *z, size_t start, size_t end, bool clean)
{
	while (start < end) {
		unsigned o = start ? (unsigned)__builtin_ctzl(start) : MAX_ORDER - 1;
		if (o > MAX_ORDER - 1)
			o = MAX_ORDER - 1;
		while (start + ((size_t)1 << o) > end)
			o--;
		buddy_free_block(z, (uint32_t)start, o, clean);
		start += (size_t)1 << o;
	}
}

/* Free pages [start, end) of zone z: mark them free, then free the largest aligned blocks.
 * `clean`: the pages are known not to be resident (fresh from the kernel). */
void buddy_free_range(struct zone *z, size_t start, size_t end, bool clean)
{
	for (size_t i = start; i < end; i++) {
		z->pages[i].kind = PG_FREE;
		z->pages[i].flags = 0;
	}
	buddy_free_marked(z, start, end, clean);
}

/* ---- free runs: maximal sequences of free pages, indexed by length ---------- */

/* Runs of 1..RUN_EXACT_BINS pages have a bin each; longer ones four bins per power of two. */
static unsigned run_bin(size_t len)
{
	if (len <= RUN_EXACT_BINS)
		return (unsigned)len - 1;
	unsigned lg = ilog2(len - 1);                  /* len in (2^lg, 2^(lg+1)], lg >= 5 */
	unsigned bin = RUN_EXACT_BINS + (lg - 5) * 4 + (unsigned)((len - 1 - ((size_t)1 << lg)) >> (lg - 2));
	return bin < RUN_BINS ? bin : RUN_BINS - 1;
}

static void run_link(struct zone *z, size_t start, size_t len)
{
	struct page *first = &z->pages[start];
	unsigned bin = run_bin(len);
	first->npages = (uint32_t)len;
	z->pages[start + len - 1].npages = (uint32_t)len;   /* the tag a later free looks at */
	first->run_prev = NIL;
	first->run_next = z->run_head[bin];
	if (first->run_next != NIL)
		z->pages[first->run_next].run_prev = (uint32_t)start;
	z->run_head[bin] = (uint32_t)start;
	z->run_bins_used[bin / 64] |= (uint64_t)1 << (bin % 64);
}

static void run_unlink(struct zone *z, size_t start)
{
	struct page *first = &z->pages[start];
	unsigned bin = run_bin(first->npages);
	if (first->run_prev != NIL)
		z->pages[first->run_prev].run_next = first->run_next;
	else if ((z->run_head[bin] = first->run_next) == NIL)
		z->run_bins_used[bin / 64] &= ~((uint64_t)1 << (bin % 64));
	if (first->run_next != NIL)
		z->pages[first->run_next].run_prev = first->run_prev;
}

/* Pages [start, end) have just become free: merge them with the runs on either side. */
static void runs_freed(struct zone *z, size_t start, size_t end)
{
	if (start > 0 && z->pages[start - 1].kind == PG_FREE) {
		start -= z->pages[start - 1].npages;
		run_unlink(z, start);
	}
	if (end < zone_npages(z) && z->pages[end].kind == PG_FREE) {
		size_t len = z->pages[end].npages;
		run_unlink(z, end);
		end += len;
	}
	run_link(z, start, end - start);
}

/* Pages [start, end) of the run that begins at run_start are no longer free. */
static void runs_taken(struct zone *z, size_t run_start, size_t start, size_t end)
{
	size_t run_end = run_start + z->pages[run_start].npages;
	run_unlink(z, run_start);
	if (run_start < start)
		run_link(z, run_start, start - run_start);
	if (end < run_end)
		run_link(z, end, run_end - end);
}

#ifdef SS_CHECK_RUNS
#include <stdlib.h>
/* Debug build only: every maximal free run is in its bin with its tags, and nothing else is. */
static void runs_check(struct zone *z)
{
	size_t n = zone_npages(z), runs = 0, linked = 0;
	for (size_t i = 0; i < n;) {
		if (z->pages[i].kind != PG_FREE) { i++; continue; }
		size_t e = i;
		while (e < n && z->pages[e].kind == PG_FREE)
			e++;
		if (z->pages[i].npages != e - i || z->pages[e - 1].npages != e - i)
			abort();
		runs++;
		i = e;
	}
	for (unsigned b = 0; b < RUN_BINS; b++) {
		bool used = z->run_bins_used[b / 64] >> (b % 64) & 1;
		if (used != (z->run_head[b] != NIL))
			abort();
		for (uint32_t r = z->run_head[b]; r != NIL; r = z->pages[r].run_next) {
			if (z->pages[r].kind != PG_FREE || run_bin(z->pages[r].npages) != b ||
			    (r > 0 && z->pages[r - 1].kind == PG_FREE))
				abort();
			linked++;
		}
	}
	if (runs != linked)
		abort();
}
#define RUNS_CHECK(z) runs_check(z)
#else
#define RUNS_CHECK(z) ((void)0)
#endif

/* Free pages [start, end) that were not free before: buddy blocks and runs. */
void buddy_free_pages(struct zone *z, size_t start, size_t end, bool clean)
{
	buddy_free_range(z, start, end, clean);
	runs_freed(z, start, end);
}

/* The free run at the top of zone z, which ended at old_end, now ends at the top (trim). */
void buddy_trim_run(struct zone *z, size_t old_end)
{
	size_t start = old_end - z->pages[old_end - 1].npages;
	run_unlink(z, start);
	if (start < zone_npages(z))
		run_link(z, start, zone_npages(z) - start);
}

void buddy_init_zone(struct zone *z)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		z->free_head[o] = z->free_tail[o] = NIL;
		z->nr_free[o] = 0;
	}
	z->free_pages = z->dirty_pages = 0;
	for (unsigned b = 0; b < RUN_BINS; b++)
		z->run_head[b] = NIL;
	for (unsigned w = 0; w < RUN_BIN_WORDS; w++)
		z->run_bins_used[w] = 0;
}

static void mark_pages(struct zone *z, size_t idx, size_t npages, enum page_kind kind)
{
	struct page *head = &z->pages[idx];
	head->kind = (uint8_t)kind;
	head->flags = 0;
	head->npages = (uint32_t)npages;
	head->slab = NULL;
	for (size_t i = 1; i < npages; i++) {
		struct page *p = head + i;
		p->kind = (uint8_t)(kind == PG_MEDIUM ? PG_TAIL : kind);
		p->flags = 0;
		p->npages = (uint32_t)i;
		p->slab = NULL;
	}
}

/* ---- free runs: unaligned sequences of free blocks --------------------------- */

/* Head of the free block that holds page p, or -1 when p is not free. */
static long free_block_containing(struct zone *z, size_t p)
{
	if (p >= zone_npages(z) || z->pages[p].kind != PG_FREE)
		return -1;
	if (z->pages[p].flags & PGF_HEAD)            /* only a free block's head has flags */
		return (long)p;
	/* the orders up to p's own alignment would name p itself as the head */
	for (unsigned o = p ? (unsigned)__builtin_ctzl(p) + 1 : MAX_ORDER; o < MAX_ORDER; o++) {
		size_t h = p & ~(((size_t)1 << o) - 1);
		struct page *pg = &z->pages[h];
		if (pg->kind == PG_FREE && (pg->flags & PGF_HEAD) && pg->order == o)
			return (long)h;
	}
	return -1;
}

/* Head of the free block that ends exactly at page t, or -1. */
long buddy_block_ending_at(struct zone *z, size_t t)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		size_t sz = (size_t)1 << o;
		if (t < sz)
			break;
		if (t & (sz - 1))
			continue;
		struct page *p = &z->pages[t - sz];
		if (p->kind == PG_FREE && (p->flags & PGF_HEAD) && p->order == o)
			return (long)(t - sz);
	}
	return -1;
}

/* Carve the free run [start, end) out of the free blocks that hold it, giving back the
 * parts of those blocks outside it. The run's pages are left PG_ABSENT: the caller marks
 * them. The parts given back are still marked free (only a block's head has flags, and
 * free_list_del cleared them), so they are not marked again: the pages of a block that a
 * run does not take are not walked one by one (bench frag: 2 M of 1,911 M instructions). */
static void claim_run(struct zone *z, size_t start, size_t end)
{
	for (size_t p = start; p < end;) {
		size_t h = (size_t)free_block_containing(z, p);
		size_t blk_end = h + ((size_t)1 << z->pages[h].order);
		bool clean = free_list_del(z, h);
		for (size_t i = p; i < end && i < blk_end; i++)
			z->pages[i].kind = PG_ABSENT;    /* claimed: never a coalescing partner */
		if (h < p)
			buddy_free_marked(z, h, p, clean);
		if (blk_end > end)
			buddy_free_marked(z, end, blk_end, clean);
		p = blk_end;
	}
}

/*
 * The first page of the free run that holds free block h: runs are walked block by block
 * towards lower addresses (the block before is found by the orders that could end there).
 */
static size_t free_run_start(struct zone *z, size_t h)
{
	long b;
	while ((b = buddy_block_ending_at(z, h)) >= 0)
		h = (size_t)b;
	return h;
}

/*
 * The free run for npages in zone z, or -1: the smallest that fits, among the runs of the
 * request's bin (each looked at, up to a bound: in bins above RUN_EXACT_BINS lengths
 * differ) and the first of the next bin that has any (all of its runs fit). Within a bin,
 * the run freed last comes first: its pages are the likeliest to be resident.
 */
static long find_free_run(struct zone *z, size_t npages)
{
	enum { BIN_SCAN = 16 };
	unsigned bin = run_bin(npages);
	long best = -1;
	size_t best_len = SIZE_MAX;
	int scanned = 0;
	for (uint32_t r = z->run_head[bin]; r != NIL && scanned < BIN_SCAN; r = z->pages[r].run_next, scanned++) {
		size_t len = z->pages[r].npages;
		if (len >= npages && len < best_len) {
			best = r, best_len = len;
			if (len == npages)
				break;
		}
	}
	if (best >= 0)
		return best;
	for (unsigned w = (bin + 1) / 64; w < RUN_BIN_WORDS; w++) {
		uint64_t used = z->run_bins_used[w];
		if (w == (bin + 1) / 64)
			used &= ~(uint64_t)0 << ((bin + 1) % 64);
		if (used)
			return z->run_head[w * 64 + (unsigned)__builtin_ctzl(used)];
	}
	return -1;
}

/* A block of `order` from the first zone that has one, its tail beyond npages given back. */
static void *alloc_aligned(size_t npages, unsigned order, enum page_kind kind)
{
	for (unsigned i = 1; i <= nr_zones; i++) {
		struct zone *z = zones[i];
		bool clean;
		long idx = buddy_alloc(z, order, &clean);
		if (idx < 0)
			continue;
		size_t end = (size_t)idx + ((size_t)1 << order);
		if ((size_t)idx + npages < end)                  /* (free_list_del cleared the flag) */
			buddy_free_marked(z, (size_t)idx + npages, end, clean);
		runs_taken(z, free_run_start(z, (size_t)idx), (size_t)idx, (size_t)idx + npages);
		mark_pages(z, (size_t)idx, npages, kind);
		return page_addr(z, (size_t)idx);
	}
	return NULL;
}

/* The first npages of the free run that starts at idx. */
static void *take_run(struct zone *z, size_t idx, size_t npages, enum page_kind kind)
{
	runs_taken(z, idx, idx, idx + npages);
	claim_run(z, idx, idx + npages);
	mark_pages(z, idx, npages, kind);
	return page_addr(z, idx);
}

/* An unaligned run of npages from the first zone that has room for it. */
static void *alloc_unaligned(size_t npages, enum page_kind kind)
{
	for (unsigned i = 1; i <= nr_zones; i++) {
		long idx = find_free_run(zones[i], npages);
		if (idx >= 0)
			return take_run(zones[i], (size_t)idx, npages, kind);
	}
	return NULL;
}

/* An unaligned run at the top of the brk heap, growing it by what the free top lacks. */
static void *alloc_at_brk_top(size_t npages, enum page_kind kind)
{
	long idx = zone_grow_run(npages);
	return idx < 0 ? NULL : take_run(zones[1], (size_t)idx, npages, kind);
}

/* An unaligned run of npages where pages are free already; NULL rather than grow a zone. */
void *pages_alloc_if_free(size_t npages, enum page_kind kind)
{
	lock(&page_lock);
	void *p = alloc_unaligned(npages, kind);
	unlock(&page_lock);
	return p;
}

/*
 * Allocate `npages` contiguous pages aligned to 2^align_order pages and mark them `kind`.
 * Aligned requests and single pages take a buddy block; others (medium blocks, slabs of
 * several pages) the smallest free run that holds them (find_free_run). Zones are tried
 * in order, the brk heap first; when none has room the brk heap grows — by what an
 * unaligned run lacks at its top, by an aligned block otherwise — or else a new mmap zone
 * is made.
 */
void *pages_alloc(size_t npages, unsigned align_order, enum page_kind kind)
{
	unsigned order = order_for_pages(npages);
	if (order < align_order)
		order = align_order;
	if (order >= MAX_ORDER) {
		errno = ENOMEM;
		return NULL;
	}
	bool unaligned = !align_order && npages > 1;
	void *p;
	lock(&page_lock);
	for (;;) {
		p = unaligned ? alloc_unaligned(npages, kind) : alloc_aligned(npages, order, kind);
		if (p || (unaligned && (p = alloc_at_brk_top(npages, kind))))
			break;
		if (zone_grow(order) < 0) {
			gstats.alloc_failures++;
			event_record(SS_EV_FAIL, SS_TIER_MEDIUM, 0, NULL, npages << PAGE_SHIFT);
			unlock(&page_lock);
			errno = ENOMEM;
			return NULL;
		}
	}
	RUNS_CHECK(zone_of(p));
	unlock(&page_lock);
	return p;
}

/* Give dirty free blocks of at least min_order back to the kernel, largest first, until
 * at most `target` dirty pages remain. Returns the pages released. */
static size_t release_dirty(struct zone *z, unsigned min_order, size_t target)
{
	size_t released = 0;
	for (int o = MAX_ORDER - 1; o >= (int)min_order && z->dirty_pages > target; o--) {
		uint32_t idx;
		while (z->dirty_pages > target && (idx = z->free_head[o]) != NIL &&
		       !(z->pages[idx].flags & PGF_CLEAN)) {
			free_list_del(z, idx);
			sys_madvise(page_addr(z, idx), PAGE_SIZE << o, MADV_DONTNEED);
			free_list_add(z, idx, (unsigned)o, true);
			released += (size_t)1 << o;
		}
	}
	gstats.pages_released += released;
	return released;
}

/*
 * Decay, in the spirit of jemalloc's dirty page decay: free pages that stayed free and
 * resident through a whole decay interval (the low-water mark of dirty_pages) are not
 * being reused, so they go back to the kernel. Pages freed and reused within the interval
 * are kept, so churn does not pay page faults. Above dirty_max, release at once.
 */
static void decay_dirty(struct zone *z)
{
	size_t limit = settings.dirty_max >> PAGE_SHIFT;
	if (z->dirty_pages > limit)
		release_dirty(z, RELEASE_MIN_ORDER, limit / 2);
	if (!settings.decay_ms)
		return;
	uint64_t now = clock_ms();
	if (now - z->decay_epoch_ms < settings.decay_ms)
		return;
	if (z->dirty_low)
		release_dirty(z, RELEASE_MIN_ORDER, z->dirty_pages - z->dirty_low);
	z->dirty_low = z->dirty_pages;
	z->decay_epoch_ms = now;
}

/*
 * Give back pages_alloc'd pages (or a part of them). The brk top is trimmed when the free
 * space there exceeds the trim threshold; free pages inside the heap decay back to the
 * kernel with madvise (the seed's "B cannot be returned while D lives" is true of the
 * address space, not of the memory).
 */
void pages_free(void *addr, size_t npages)
{
	struct zone *z = zone_of(addr);
	lock(&page_lock);
	size_t idx = ((uintptr_t)addr - z->base) >> PAGE_SHIFT;
	buddy_free_pages(z, idx, idx + npages, false);
	if (z->kind == ZONE_BRK && idx + npages + MAX_ORDER_PAGES >= zone_npages(z))
		zone_trim_top(z, settings.trim_threshold / 2, false);   /* hysteresis: no sbrk ping-pong */
	decay_dirty(z);
	RUNS_CHECK(z);
	unlock(&page_lock);
}

/*
 * Grow a medium block in place (realloc): claim pages [idx+old, idx+new) if all of them
 * are free. With `may_grow`, a block that reaches the top of the brk heap (with only free
 * pages after it) grows with the heap, as glibc's realloc extends into its top chunk.
 * false, with nothing changed, when any page is in use or the heap cannot grow.
 */
bool pages_extend(void *addr, size_t old_npages, size_t new_npages, bool may_grow)
{
	struct zone *z = zone_of(addr);
	size_t idx = ((uintptr_t)addr - z->base) >> PAGE_SHIFT;
	size_t start = idx + old_npages, end = idx + new_npages;
	lock(&page_lock);
	size_t npages = zone_npages(z);
	/* page `start`, right after the block, begins a free run if it is free at all */
	size_t run = start < npages && z->pages[start].kind == PG_FREE ? z->pages[start].npages : 0;
	bool fits = start + run >= end ||
		    (may_grow && start + run == npages && zone_extend_top(z, end));
	if (!fits) {
		unlock(&page_lock);
		return false;
	}
	runs_taken(z, start, start, end);
	claim_run(z, start, end);
	for (size_t i = start; i < end; i++) {
		z->pages[i].kind = PG_TAIL;
		z->pages[i].flags = 0;
		z->pages[i].npages = (uint32_t)(i - idx);
	}
	z->pages[idx].npages = (uint32_t)new_npages;
	RUNS_CHECK(z);
	unlock(&page_lock);
	return true;
}

/* malloc_trim: hand every free page back to the kernel (they stay ours, zero on next touch). */
size_t pages_release_free(void)
{
	size_t pages = 0;
	lock(&page_lock);
	for (unsigned i = 1; i <= nr_zones; i++)
		pages += release_dirty(zones[i], 0, 0);
	unlock(&page_lock);
	return pages << PAGE_SHIFT;
}
