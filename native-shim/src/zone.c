/*
 * zone.c — where pages come from.
 *
 * The first zone is the brk heap, the one the seed notes draw: it starts at the program
 * break (rounded up to ZONE_ALIGN so buddy blocks are naturally aligned), grows upward with
 * sbrk() when the buddy allocator runs dry, and is trimmed with a negative sbrk() when the
 * free blocks at its top exceed the trim threshold — memory below the top stays mapped,
 * which is the fragmentation the seed describes ("B cannot be returned while D lives").
 *
 * A heap that is trimmed and then grows again within the decay interval is thrashing
 * (each regrowth faults the pages in again): automatic trims then hold off for one decay
 * interval. malloc_trim() always trims, and an explicitly set trim threshold
 * (mallopt, environment) restores glibc's exact behaviour.
 *
 * When the break cannot move — sbrk fails, or somebody else moved it — pages come from
 * mmap zones of MMAP_ZONE_SIZE instead. Zones are found from an address through zone_map,
 * one entry per 64 MiB granule of the 47-bit address space (4 MiB virtual, touched lazily).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define BRK_MAX_PAGES  (((size_t)8 << 30) >> PAGE_SHIFT)   /* 8 GiB of brk heap, then mmap zones */
#define GROW_STEP_PAGES 32                                 /* grow the break by >= 128 KiB */

struct zone *zones[MAX_ZONES];
unsigned nr_zones;
uint16_t *zone_map;
struct zone brk_zone;
const struct page no_page = { .kind = PG_ABSENT, .slab_class = NO_CLASS };

/* Anonymous read-write memory from mmap, NULL when it fails (or a fault is injected). */
void *map_anon(size_t len, int extra_flags)
{
	if (fault_fail(SS_FAULT_MMAP))
		return NULL;
	return sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
}

static void zone_map_register(struct zone *z, uintptr_t from, uintptr_t to)
{
	for (uintptr_t g = from >> GRANULE_SHIFT; g <= (to - 1) >> GRANULE_SHIFT; g++)
		__atomic_store_n(&zone_map[g], z->id, __ATOMIC_RELEASE);
}

int zones_init(void)
{
	zone_map = map_anon(((size_t)1 << (ADDR_BITS - GRANULE_SHIFT)) * sizeof(uint16_t), MAP_NORESERVE);
	brk_zone.pages = map_anon(BRK_MAX_PAGES * sizeof(struct page), MAP_NORESERVE);
	if (!zone_map || !brk_zone.pages)
		return -1;
	brk_zone.id = 1;
	brk_zone.kind = ZONE_BRK;
	brk_zone.can_grow = true;
	brk_zone.max_pages = BRK_MAX_PAGES;
	buddy_init_zone(&brk_zone);
	zones[1] = &brk_zone;
	nr_zones = 1;
	return 0;
}

/*
 * Extend the brk heap to at least `want` pages (rounded up to the growth step, plus the
 * top pad); the new pages go to the buddy free lists. page_lock held. 0, or -1 when the
 * break cannot move.
 */
static int brk_grow_to(struct zone *z, size_t want)
{
	uintptr_t cur = (uintptr_t)sbrk(0);
	size_t old_pages = zone_npages(z);
	size_t first_pad = 0;
	if (z->top == 0) {                       /* first growth: align the heap's start */
		z->base = z->top = align_up(cur, ZONE_ALIGN);
		first_pad = z->base - cur;
	} else if (cur != z->top) {              /* someone else moved the break */
		z->can_grow = false;
		return -1;
	}
	size_t new_pages = align_up(want + (settings.top_pad >> PAGE_SHIFT), GROW_STEP_PAGES);
	if (want <= old_pages && z->top != z->base)
		return 0;                            /* already there */
	if (new_pages > z->max_pages) {
		z->can_grow = false;
		return -1;
	}
	size_t delta = first_pad + ((new_pages - old_pages) << PAGE_SHIFT);
	if (fault_fail(SS_FAULT_SBRK) || sbrk((intptr_t)delta) == (void *)-1) {
		gstats.brk_failures++;
		if (z->top == z->base && old_pages == 0)
			z->top = z->base = 0;            /* retry the alignment next time */
		return -1;
	}
	z->top = z->base + (new_pages << PAGE_SHIFT);
	zone_map_register(z, z->base, z->top);
	uint64_t now = clock_ms();
	if (!settings.trim_threshold_fixed && z->last_trim_ms && now - z->last_trim_ms < settings.decay_ms)
		z->trim_hold_until_ms = now + settings.decay_ms;   /* trimmed, then grown again: hold */
	buddy_free_pages(z, old_pages, new_pages, true);   /* fresh from sbrk */
	gstats.brk_grows++;
	event_record(SS_EV_BRK_GROW, SS_TIER_MEDIUM, 0, (void *)(z->base + (old_pages << PAGE_SHIFT)),
		     (new_pages - old_pages) << PAGE_SHIFT);
	if (z->top - z->base > gstats.heap_peak_bytes)
		gstats.heap_peak_bytes = z->top - z->base;
	return 0;
}

/* Extend the brk heap so that a naturally aligned block of `order` fits at its top. */
static int brk_grow(struct zone *z, unsigned order)
{
	size_t blk = (size_t)1 << order;
	return brk_grow_to(z, align_up(zone_npages(z), blk) + blk);
}

/* An anonymous mapping of MMAP_ZONE_SIZE aligned to its size: one zone_map granule, so
 * that no two zones ever share a granule. 0 when mmap fails. */
static uintptr_t zone_mapping(void)
{
	char *map = map_anon(2 * MMAP_ZONE_SIZE, MAP_NORESERVE);
	if (!map)
		return 0;
	uintptr_t base = align_up((uintptr_t)map, MMAP_ZONE_SIZE);
	if (base > (uintptr_t)map)
		sys_munmap(map, base - (uintptr_t)map);
	sys_munmap((void *)(base + MMAP_ZONE_SIZE), (uintptr_t)map + MMAP_ZONE_SIZE - base);
	return base;
}

/* A zone of its own for a mapping (descriptors and page array in one more mapping). */
static struct zone *zone_struct_new(void)
{
	size_t npages = MMAP_ZONE_SIZE >> PAGE_SHIFT;
	struct zone *z = map_anon(sizeof(struct zone) + npages * sizeof(struct page), 0);
	if (!z)
		return NULL;
	z->id = (uint16_t)(nr_zones + 1);
	z->pages = (struct page *)(z + 1);
	z->max_pages = npages;
	buddy_init_zone(z);
	return z;
}

/*
 * A new mmap zone of MMAP_ZONE_SIZE, all free. page_lock held.
 *
 * When the break never moved for us (the first sbrk failed: a sandbox, or valgrind, whose
 * brk segment is 8 MiB), the first mmap zone takes the brk zone's place, zones[1], and
 * the break is not tried again: zone_of() checks that zone's bounds before anything else,
 * so the fast paths cost what they cost on a brk heap (valgrind measured 15 instructions
 * more per free() in a process whose heap was all in mmap zones).
 */
static int mmap_zone_new(void)
{
	bool replaces_brk = brk_zone.top == 0;
	if (!replaces_brk && nr_zones + 1 >= MAX_ZONES)
		return -1;
	uintptr_t base = zone_mapping();
	if (!base)
		return -1;
	struct zone *z = replaces_brk ? &brk_zone : zone_struct_new();
	if (!z) {
		sys_munmap((void *)base, MMAP_ZONE_SIZE);
		return -1;
	}
	z->can_grow = false;
	z->kind = ZONE_MMAP;
	z->base = base;
	z->top = base + MMAP_ZONE_SIZE;
	buddy_free_pages(z, 0, MMAP_ZONE_SIZE >> PAGE_SHIFT, true);
	if (!replaces_brk) {                     /* zones[1] is published already */
		zones[z->id] = z;
		__atomic_store_n(&nr_zones, nr_zones + 1, __ATOMIC_RELEASE);
	}
	zone_map_register(z, z->base, z->top);
	gstats.mmap_zones++;
	return 0;
}

int zone_grow(unsigned order)
{
	if (brk_zone.can_grow && brk_grow(&brk_zone, order) == 0)
		return 0;
	return mmap_zone_new();
}

/*
 * Make room for an unaligned run of npages at the top of the brk heap, as glibc extends
 * its top chunk: the free pages already at the top count, only the rest is asked of sbrk,
 * so a run costs its own pages and no alignment. Returns the first page of a free run of
 * npages (the caller claims it), or -1 when the break cannot move. page_lock held.
 */
long zone_grow_run(size_t npages)
{
	struct zone *z = &brk_zone;
	if (!z->can_grow)
		return -1;
	size_t start = zone_npages(z) - zone_top_free_pages(z);
	if (brk_grow_to(z, start + npages) < 0)
		return -1;
	return (long)start;
}

/*
 * Extend the brk heap to `end` pages for a block that grows in place across the top
 * (realloc). The caller has checked that every page from the block to the top is free.
 */
bool zone_extend_top(struct zone *z, size_t end)
{
	return z == &brk_zone && z->can_grow && brk_grow_to(z, end) == 0;
}

size_t zone_top_free_pages(struct zone *z)
{
	size_t t = zone_npages(z);
	long h;
	while ((h = buddy_block_ending_at(z, t)) >= 0)
		t = (size_t)h;
	return zone_npages(z) - t;
}

/*
 * Give the free blocks at the top of the brk heap back with a negative sbrk, keeping
 * `keep` bytes. Unless forced (malloc_trim), only when they exceed the trim threshold.
 * page_lock held.
 */
void zone_trim_top(struct zone *z, size_t keep, bool forced)
{
	if (z->kind != ZONE_BRK || !z->can_grow || z->top == z->base)
		return;
	size_t free_top = zone_top_free_pages(z);
	if (!free_top || (!forced && (free_top << PAGE_SHIFT) <= settings.trim_threshold))
		return;
	if (!forced && clock_ms() < z->trim_hold_until_ms)
		return;
	if ((uintptr_t)sbrk(0) != z->top) {
		z->can_grow = false;
		return;
	}
	size_t keep_pages = align_up(keep, PAGE_SIZE) >> PAGE_SHIFT;
	size_t npages = zone_npages(z), t = npages;
	long h;
	while ((h = buddy_block_ending_at(z, t)) >= 0 && free_top - (t - (size_t)h) >= keep_pages) {
		buddy_take_block(z, (uint32_t)h);
		free_top -= t - (size_t)h;
		t = (size_t)h;
	}
	if (t == npages)
		return;
	size_t bytes = (npages - t) << PAGE_SHIFT;
	if (sbrk(-(intptr_t)bytes) == (void *)-1) {
		buddy_free_range(z, t, npages, false);   /* could not shrink: keep them free */
		return;
	}
	z->top = z->base + (t << PAGE_SHIFT);
	buddy_trim_run(z, npages);
	z->last_trim_ms = clock_ms();
	gstats.brk_trims++;
	event_record(SS_EV_BRK_TRIM, SS_TIER_MEDIUM, 0, (void *)z->top, bytes);
	gstats.bytes_trimmed += bytes;
}
