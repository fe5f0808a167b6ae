/*
 * slob.c — the SLOB policy: the seed's allocator "for tiny embedded systems: a list of
 * blocks, first fit" (Linux mm/slob.c, until 6.4), behind the same struct slab_policy as
 * the SLAB one (slab.c).
 *
 * A cache created with SS_SLAB_SLOB has no slabs of its own: the objects of every SLOB
 * cache share pages, placed first fit in units of 16 bytes. A cache that holds a handful of
 * objects then costs those objects, not a slab of its own; the price is a walk of the free
 * blocks on every allocation, under one lock for all SLOB caches, and no per-thread cache.
 *
 * A SLOB page is an order-0 PG_SLAB page whose struct slab belongs to the "slob" cache:
 *
 *   | units 0 .. SLOB_UNITS-1: objects and free blocks  | start map | end map |
 *
 * A free block keeps its length and the unit of the next free block in its first unit; the
 * list is in address order (s->hint is its head), so a freed object merges with the free
 * blocks on either side. The two bitmaps mark the first and the last unit of every live
 * object: kmem_cache_free() checks that the pointer starts an object of its cache's size,
 * so a double free, a pointer into an object or a free to the wrong cache is reported, never
 * merged into the free list. A page with nothing left on it goes back to the buddy tier.
 *
 * The "slob" cache shows the shared pages in slabinfo, the snapshot and the heap layout: a
 * unit is one of its objects, a page one of its slabs. A SLOB cache shows its live objects
 * and no slabs. Locks: the SLOB cache's own (its counters), then the slob cache's (the pages;
 * it comes after every cache made later in fork's order), then kmem_slab's and page_lock.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

#define SLOB_UNIT      16u
#define SLOB_MAP_WORDS 4u                                  /* 256 bits: one per unit */
#define SLOB_UNITS     ((PAGE_SIZE - 2 * SLOB_MAP_WORDS * 8) / SLOB_UNIT)   /* 252 */
#define SLOB_NONE      0xffffu
#define SLOB_MAX       1024u                               /* bigger objects: SLAB policy */

struct slob_free {                 /* the first unit of a free block */
	uint16_t units;
	uint16_t next;                 /* unit of the next free block, or SLOB_NONE */
};

static struct kmem_cache slob_cache;
static ss_lock_t slob_init_lock = SS_LOCK_INIT;
static volatile bool slob_ready;

static struct slob_free *block(char *page, unsigned u) { return (struct slob_free *)(page + u * SLOB_UNIT); }
static uint64_t *start_map(char *page) { return (uint64_t *)(page + SLOB_UNITS * SLOB_UNIT); }
static uint64_t *end_map(char *page) { return start_map(page) + SLOB_MAP_WORDS; }
static bool map_get(const uint64_t *m, unsigned u) { return (m[u / 64] >> (u % 64)) & 1; }
static void map_put(uint64_t *m, unsigned u, bool on)
{
	if (on)
		m[u / 64] |= (uint64_t)1 << (u % 64);
	else
		m[u / 64] &= ~((uint64_t)1 << (u % 64));
}

/* ---- the page lists (slob_cache.lock held) --------------------------------- */
static void page_list_add(struct slab *s, enum slab_list l)
{
	slabs_push(&slob_cache.lists[l], &slob_cache.nr_slabs[l], s, l);
}

static void page_list_del(struct slab *s)
{
	slabs_unlink(&slob_cache.lists[s->list], &slob_cache.nr_slabs[s->list], s);
}

static struct slab *page_new(void)
{
	struct slab *s = slab_offslab_new(&slob_cache, 1);
	if (!s)
		return NULL;
	char *page = s->s_mem;
	s->hint = 0;                                 /* one free block: the whole page */
	block(page, 0)->units = (uint16_t)SLOB_UNITS;
	block(page, 0)->next = SLOB_NONE;
	memset(start_map(page), 0, 2 * SLOB_MAP_WORDS * 8);
	page_list_add(s, SL_PARTIAL);
	slob_cache.grows++;
	return s;
}

static void page_release(struct slab *s)
{
	page_list_del(s);
	slab_offslab_free(s, 1);
	slob_cache.reaps++;
}

/* ---- first fit within a page (slob_cache.lock held) ------------------------ */

/* Take `units` units aligned to `align` bytes from the first free block of s they fit in. */
static char *page_take(struct slab *s, unsigned units, size_t align)
{
	char *page = s->s_mem;
	unsigned prev = SLOB_NONE;
	for (unsigned u = s->hint; u != SLOB_NONE; prev = u, u = block(page, u)->next) {
		struct slob_free *f = block(page, u);
		unsigned len = f->units, next = f->next;
		unsigned lead = (unsigned)((align_up((uintptr_t)f, align) - (uintptr_t)f) / SLOB_UNIT);
		if (lead + units > len)
			continue;
		unsigned at = u + lead, tail = len - lead - units;
		unsigned after = next;
		if (tail) {                              /* the rest of the block stays free */
			after = at + units;
			block(page, after)->units = (uint16_t)tail;
			block(page, after)->next = (uint16_t)next;
		}
		if (lead) {                              /* so does what alignment skipped */
			f->units = (uint16_t)lead;
			f->next = (uint16_t)after;
		} else if (prev == SLOB_NONE) {
			s->hint = after;
		} else {
			block(page, prev)->next = (uint16_t)after;
		}
		s->inuse += units;
		map_put(start_map(page), at, true);
		map_put(end_map(page), at + units - 1, true);
		return page + at * SLOB_UNIT;
	}
	return NULL;
}

/* Put back [u, u + units) into s's address-ordered free list, merging with its neighbours. */
static void page_put(struct slab *s, unsigned u, unsigned units)
{
	char *page = s->s_mem;
	unsigned prev = SLOB_NONE, next = s->hint;
	while (next != SLOB_NONE && next < u) {
		prev = next;
		next = block(page, next)->next;
	}
	unsigned len = units;
	if (next != SLOB_NONE && u + units == next) {   /* merge with the block after */
		len += block(page, next)->units;
		next = block(page, next)->next;
	}
	if (prev != SLOB_NONE && prev + block(page, prev)->units == u) {   /* and before */
		block(page, prev)->units = (uint16_t)(block(page, prev)->units + len);
		block(page, prev)->next = (uint16_t)next;
	} else {
		block(page, u)->units = (uint16_t)len;
		block(page, u)->next = (uint16_t)next;
		if (prev == SLOB_NONE)
			s->hint = u;
		else
			block(page, prev)->next = (uint16_t)u;
	}
	s->inuse -= units;
}

/* Does p start a live object of `units` units in s? Then its unit, else -1. */
static int live_object(struct slab *s, const void *p, unsigned units)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)s->s_mem;
	if (off % SLOB_UNIT || off >= (uintptr_t)SLOB_UNITS * SLOB_UNIT)
		return -1;
	unsigned u = (unsigned)(off / SLOB_UNIT);
	if (u + units > SLOB_UNITS || !map_get(start_map(s->s_mem), u) ||
	    !map_get(end_map(s->s_mem), u + units - 1))
		return -1;
	for (unsigned k = u; k + 1 < u + units; k++)   /* one object, not the start of a smaller */
		if (map_get(end_map(s->s_mem), k))
			return -1;
	return (int)u;
}

/* ---- the policy of SLOB caches ---------------------------------------------- */
static unsigned units_of(const struct kmem_cache *c) { return (c->size + SLOB_UNIT - 1) / SLOB_UNIT; }

static int slob_alloc_bulk(struct kmem_cache *c, void **objs, int n, unsigned shard)
{
	(void)shard;
	unsigned units = units_of(c);
	int got = 0;
	lock(&c->lock);
	lock(&slob_cache.lock);
	for (; got < n; got++) {
		char *p = NULL;
		struct slab *s;
		for (s = slob_cache.lists[SL_PARTIAL]; s; s = s->next)   /* first fit */
			if (SLOB_UNITS - s->inuse >= units && (p = page_take(s, units, c->align)) != NULL)
				break;
		if (!p && (s = page_new()) != NULL)
			p = page_take(s, units, c->align);
		if (!p)
			break;
		if (s->inuse == SLOB_UNITS) {            /* no unit left: off the partial list */
			page_list_del(s);
			page_list_add(s, SL_FULL);
		}
		objs[got] = p;
	}
	c->active_objs += (size_t)got;
	c->allocs += (uint64_t)got;
	slob_cache.active_objs += (size_t)got * units;
	slob_cache.allocs += (uint64_t)got;
	unlock(&slob_cache.lock);
	unlock(&c->lock);
	if (c->ctor)                                 /* as the kernel's SLOB: at every allocation */
		for (int i = 0; i < got; i++)
			c->ctor(objs[i]);
	return got;
}

/* A bad object is reported (fatal unless SLABSCOPE_ABORT=0) and left alone. */
static void slob_free_bulk(struct kmem_cache *c, void **objs, int n)
{
	unsigned units = units_of(c);
	lock(&c->lock);
	lock(&slob_cache.lock);
	for (int i = 0; i < n; i++) {
		struct slab *s = slab_of(objs[i]);
		int u = s && s->cache == &slob_cache ? live_object(s, objs[i], units) : -1;
		if (u < 0) {
			unlock(&slob_cache.lock);
			unlock(&c->lock);
			ss_bad_pointer("kmem_cache_free(): not a live object of this SLOB cache (double free?)", objs[i], c->name);
			lock(&c->lock);
			lock(&slob_cache.lock);
			continue;
		}
		map_put(start_map(s->s_mem), (unsigned)u, false);
		map_put(end_map(s->s_mem), (unsigned)u + units - 1, false);
		page_put(s, (unsigned)u, units);
		c->active_objs--;
		c->frees++;
		slob_cache.active_objs -= units;
		slob_cache.frees++;
		if (s->inuse == 0) {
			page_release(s);                     /* nothing left on it: back to the buddy tier */
		} else if (s->list == SL_FULL) {
			page_list_del(s);
			page_list_add(s, SL_PARTIAL);
		}
	}
	unlock(&slob_cache.lock);
	unlock(&c->lock);
}

static size_t slob_shrink(struct kmem_cache *c) { (void)c; return 0; }   /* pages go when empty */

static int slob_destroy(struct kmem_cache *c)
{
	if (c->active_objs) {
		errno = EBUSY;
		return -1;
	}
	return 0;
}

/* The slob cache exists once a SLOB cache does. */
static int slob_setup(struct kmem_cache *c)
{
	(void)c;
	if (slob_ready)
		return 0;
	lock(&slob_init_lock);
	int rc = 0;
	if (!slob_ready) {
		rc = kmem_cache_setup(&slob_cache, "slob", SLOB_UNIT, SLOB_UNIT, SLAB_SLOB_PAGES | SS_SLAB_NO_COLOUR, NULL);
		if (rc == 0)
			slob_ready = true;
	}
	unlock(&slob_init_lock);
	return rc;
}

const struct slab_policy slab_policy_slob = {
	.name = "slob",
	.setup = slob_setup,
	.alloc_bulk = slob_alloc_bulk,
	.free_bulk = slob_free_bulk,
	.shrink = slob_shrink,
	.destroy = slob_destroy,
};

/* ---- the slob cache: the shared pages, as slabs of 16-byte units ------------ */
static int pages_alloc_bulk(struct kmem_cache *c, void **objs, int n, unsigned shard)
{
	(void)c, (void)objs, (void)n, (void)shard;
	return 0;                                    /* units are taken by the SLOB caches */
}

/* free() of a SLOB cache's object ends here: free() cannot know its size. */
static void pages_free_bulk(struct kmem_cache *c, void **objs, int n)
{
	for (int i = 0; i < n; i++)
		ss_bad_pointer("free(): an object of a SLOB cache (free it with kmem_cache_free)", objs[i], c->name);
}

static int pages_destroy(struct kmem_cache *c)
{
	(void)c;
	errno = EINVAL;                              /* lives for the process, as kmem_slab */
	return -1;
}

static int pages_setup(struct kmem_cache *c)
{
	c->order = 0;                                /* one page per slab, all of it units */
	c->num = SLOB_UNITS;
	c->colour_num = 0;
	return 0;
}

const struct slab_policy slab_policy_slob_pages = {
	.name = "slob-pages",
	.setup = pages_setup,
	.alloc_bulk = pages_alloc_bulk,
	.free_bulk = pages_free_bulk,
	.shrink = slob_shrink,
	.destroy = pages_destroy,
};

/*
 * The shared pages as they must be (slob_cache.lock held, or the process stopped; for the
 * fuzzer's invariants): NULL, or what is wrong. Per page: free blocks inside it, in address
 * order and never adjacent, no live object's mark inside one; free and used units add up;
 * as many starts as ends; the page descriptor points at the page's slab. In all: the units
 * in use are the slob cache's active objects, and the lists hold what their counters say.
 */
COLD const char *slob_check(void)
{
	if (!slob_ready)
		return NULL;
	size_t used = 0;
	for (int l = SL_FULL; l <= SL_PARTIAL; l++) {
		size_t n = 0;
		for (struct slab *s = slob_cache.lists[l]; s; s = s->next, n++) {
			char *page = s->s_mem;
			if (s->cache != &slob_cache || s->list != l || ((uintptr_t)page & (PAGE_SIZE - 1)))
				return "slob page: wrong cache, list or alignment";
			struct page *pg = page_of(zone_of(page), page);
			if (pg->kind != PG_SLAB || pg->slab != s)
				return "slob page: descriptor does not point at its slab";
			unsigned free_units = 0, last_end = 0, blocks = 0;
			for (unsigned u = s->hint; u != SLOB_NONE; u = block(page, u)->next) {
				unsigned len = block(page, u)->units;
				if (++blocks > SLOB_UNITS || u >= SLOB_UNITS || !len || u + len > SLOB_UNITS)
					return "slob page: free block out of the page";
				if (blocks > 1 && u <= last_end)
					return "slob page: free blocks out of order or adjacent (not merged)";
				for (unsigned k = u; k < u + len; k++)
					if (map_get(start_map(page), k) || map_get(end_map(page), k))
						return "slob page: a live object's mark inside a free block";
				free_units += len;
				last_end = u + len;
			}
			if (free_units + s->inuse != SLOB_UNITS)
				return "slob page: free and used units do not add up";
			if ((l == SL_FULL) != (s->inuse == SLOB_UNITS))
				return "slob page: on the wrong list";
			unsigned starts = 0, ends = 0;
			for (unsigned w = 0; w < SLOB_MAP_WORDS; w++) {
				starts += (unsigned)__builtin_popcountll(start_map(page)[w]);
				ends += (unsigned)__builtin_popcountll(end_map(page)[w]);
			}
			if (starts != ends || (s->inuse && !starts))
				return "slob page: object starts and ends do not pair";
			used += s->inuse;
		}
		if (n != slob_cache.nr_slabs[l])
			return "slob pages: list length and counter differ";
	}
	return used == slob_cache.active_objs ? NULL : "slob pages: units in use differ from active_objs";
}

/* SS_SLAB_SLOB is honoured for objects up to SLOB_MAX bytes aligned to at most 256. */
bool slob_fits(size_t size, size_t align)
{
	return size <= SLOB_MAX && align <= 256;
}
