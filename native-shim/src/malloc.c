/*
 * malloc.c — the exported malloc family, routing each request to a tier:
 *
 *   size <= small_limit (16 KiB)           kmalloc-N slab cache, through the thread's cache
 *   small_limit < size < mmap_threshold    "medium": an exact run of buddy pages
 *   size >= mmap_threshold (128 KiB)       its own mapping (large.c)
 *
 * free() finds the tier from the address alone: zone_of() says whether it lies in our
 * heap, the page descriptor says slab or medium; otherwise the large-block table is asked.
 * Anything else is a pointer we never returned, reported and fatal, as in glibc.
 *
 * Double frees of kmalloc objects are caught on the fast path the way glibc's tcache does:
 * a freed object carries a key (a process secret xor its own address) in its second word,
 * and allocation clears it; a free that finds the key is checked against the thread cache
 * and the slab's free map. Everything else is caught by the slab free map on flush.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))

enum call { CALL_MALLOC, CALL_CALLOC, CALL_REALLOC, CALL_MEMALIGN };

static inline uint64_t free_key(const void *p) { return settings.free_secret ^ (uintptr_t)p; }

/*
 * The fast paths' test of a pointer into our heap (pg: its page, cls: the page's
 * slab_class): a kmalloc object, not sampled, the start of one of its slab's objects (the
 * page descriptor alone says where they start), not carrying the free key. Anything else
 * goes to a slow path, which also reports what is wrong.
 */
static inline bool fast_object(const struct page *pg, unsigned cls, const void *p)
{
	if (!(pg->kind == PG_SLAB && cls < NR_KMALLOC && !(pg->flags & PGF_SAMPLED)))
		return false;
	uintptr_t first = ((uintptr_t)p & ~(PAGE_SIZE - 1)) + (intptr_t)pg->obj_delta;
	uint64_t off = (uintptr_t)p - first;
	const struct kmalloc_geometry *g = &kmalloc_geometry[cls];
	return off < g->span && off * g->magic <= g->magic - 1 &&
	       ((const uint64_t *)p)[1] != free_key(p);
}

/* Object p onto its class's stack, which holds k (< its limit): free's fast path. */
static inline void tc_push(struct tcache *tc, unsigned cls, uint32_t k, void *p)
{
	((uint64_t *)p)[1] = free_key(p);
	tc->slots[tc->offset[cls] + k] = p;
	tc->count[cls] = (uint8_t)(k + 1);
}

/* The top object of a class's stack, which holds k > 0. */
static inline void *tc_pop(struct tcache *tc, unsigned cls, uint32_t k)
{
	void *p = tc->slots[tc->offset[cls] + k - 1];
	tc->count[cls] = (uint8_t)(k - 1);
	((uint64_t *)p)[1] = 0;                      /* clear the double-free key */
	return p;
}

/* malloc's and calloc's fast path: an object of n's class (n <= small_limit) from this
 * thread's stack when it has one and no event is due (the bytes asked for are counted
 * then), NULL otherwise; *cls is its class. */
static inline void *tc_alloc_fast(struct tcache *tc, size_t n, unsigned *cls)
{
	*cls = size_class(n);
	uint32_t k = tc->count[*cls];
	uint64_t requested = tc->st.bytes_requested + n;
	if (!(k && requested < tc->event_at))
		return NULL;
	tc->st.bytes_requested = requested;
	return tc_pop(tc, *cls, k);
}

/* The calling thread's cache, for the slow paths: made at its first call, swapped for a
 * full one when it asked for that (tcache_upgrade), so callers must not keep it across
 * calls that may come here. The one that must, sample_taken (its backtrace() may allocate),
 * sets in_sample meanwhile: no swap then. */
static inline struct tcache *tc_get(void)
{
	struct tcache *tc = tc_self;
	if (likely((uintptr_t)tc > (uintptr_t)TC_DEAD))
		return unlikely(tc->upgrade_due) && !tc->in_sample ? tcache_upgrade(tc) : tc;
	if (tc == TC_DEAD || !ss_initialized)
		return NULL;
	return tcache_create();                  /* first call in this thread */
}

static void count_call(struct tcache *tc, enum call call, size_t n)
{
	struct thread_stats *st = tc ? &tc->st : &gstats.dead_threads;
	uint64_t *field = call == CALL_MALLOC ? &st->malloc_calls : call == CALL_CALLOC ? &st->calloc_calls
			: call == CALL_REALLOC ? &st->realloc_calls : &st->memalign_calls;
	if (tc) {
		(*field)++;
		st->bytes_requested += n;
	} else {
		__atomic_fetch_add(field, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&st->bytes_requested, n, __ATOMIC_RELAXED);
	}
}

/* ---- allocation ----------------------------------------------------------- */
static void *small_alloc(struct tcache *tc, unsigned cls, size_t n)
{
	void *p;
	if (unlikely(kmalloc_caches[cls].debug)) {   /* SLABSCOPE_DEBUG: no thread cache */
		p = debug_alloc(&kmalloc_caches[cls], n ? n : 1);
		STAT_ADD(dead_threads.slab_allocs, 1);
		STAT_ADD(dead_threads.bytes_allocated, kmalloc_size[cls]);
		if (!p)
			errno = ENOMEM;
		return p;
	}
	if (tc) {
		uint32_t k = tc->count[cls];
		if (likely(k)) {
			p = tc_pop(tc, cls, k);
		} else {
			kmalloc_note_refill(cls, n);     /* hot sizes get a class of their own */
			p = tcache_refill(tc, cls);
			if (p)
				((uint64_t *)p)[1] = 0;      /* clear the double-free key */
		}
		if (likely(p)) {                     /* a failure is no allocation */
			TC_STAT(tc, slab_allocs, 1);
			TC_STAT(tc, bytes_allocated, kmalloc_size[cls]);
		}
	} else {
		p = cache_alloc_one(&kmalloc_caches[cls]);
		if (p) {
			((uint64_t *)p)[1] = 0;          /* clear the double-free key */
			STAT_ADD(dead_threads.slab_allocs, 1);
			STAT_ADD(dead_threads.bytes_allocated, kmalloc_size[cls]);
		}
	}
	if (unlikely(!p))
		errno = ENOMEM;
	return p;
}

/* Count a medium block of npages just handed out. */
static void medium_count(size_t npages)
{
	STAT_ADD(medium_allocs, 1);
	STAT_ADD(medium_bytes, npages << PAGE_SHIFT);
	STAT_ADD(dead_threads.bytes_allocated, npages << PAGE_SHIFT);
}

static void *medium_alloc(size_t n, size_t align)
{
	size_t npages = align_up(n ? n : 1, PAGE_SIZE) >> PAGE_SHIFT;   /* memalign(8192, 0): a page */
	void *p = pages_alloc(npages, order_for_pages(align >> PAGE_SHIFT), PG_MEDIUM);
	if (p)
		medium_count(npages);
	return p;
}

/*
 * A medium block from pages that are free already (resident, most likely), or NULL. Also
 * above the adaptive mmap threshold: it decides when the heap grows, not where a block may
 * live. A threshold the user set is obeyed exactly, as glibc does.
 */
static void *medium_alloc_if_free(size_t n)
{
	if (n > (MAX_ORDER_PAGES << PAGE_SHIFT) || (n >= settings.mmap_threshold && settings.mmap_threshold_fixed))
		return NULL;
	size_t npages = align_up(n, PAGE_SIZE) >> PAGE_SHIFT;
	void *p = pages_alloc_if_free(npages, PG_MEDIUM);
	if (p)
		medium_count(npages);
	return p;
}

/* The kmalloc class that serves n bytes at `align` (<= a page), or -1 if none does. */
static int aligned_class(size_t n, size_t align)
{
	size_t sz = n > align ? n : align;
	if (sz > settings.small_limit)
		return -1;
	unsigned cls = size_class(sz);
	if (kmalloc_caches[cls].align >= align || (kmalloc_caches[cls].size % align == 0 && align <= MIN_ALIGN))
		return (int)cls;
	sz = (size_t)1 << order_for_pages(sz);      /* power-of-two classes are size-aligned, */
	if (sz > settings.small_limit)              /* unless debugging (kmalloc.c) */
		return -1;
	cls = size_class(sz);
	return kmalloc_caches[cls].align >= align ? (int)cls : -1;
}

/* Bytes of a medium or mmap block (z: its zone, NULL for an mmap block); 0 for neither. */
static size_t block_bytes(struct zone *z, void *p)
{
	return z ? (size_t)page_of(z, p)->npages << PAGE_SHIFT : large_usable(p);
}

/* A medium block, or a mapped one: what is not served by a kmalloc cache. */
static void *block_alloc(size_t n, size_t align, bool *zeroed)
{
	if (n <= settings.medium_limit && align <= ZONE_ALIGN) {
		void *p = medium_alloc(n, align);
		if (p)
			return p;
	}
	/* Above the mmap threshold, free heap pages that hold a run this big serve it: they are
	 * resident and idle, a new mapping would be faulted in on top of them. */
	if (align <= MIN_ALIGN) {
		void *p = medium_alloc_if_free(n);
		if (p)
			return p;
	}
	*zeroed = true;
	return large_alloc(n ? n : 1, align);
}

/* SLABSCOPE_DEBUG for medium and mmap blocks: DEBUG_BLOCK_PAD bytes more, laid out by debug.c. */
static void *debug_block_alloc(size_t n, size_t align, bool *zeroed)
{
	if (n > SIZE_MAX - DEBUG_BLOCK_PAD - PAGE_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = block_alloc(n + DEBUG_BLOCK_PAD, align, zeroed);
	if (p) {
		struct zone *z = zone_of(p);
		debug_block_arm(p, n, block_bytes(z, p), z ? SS_TIER_MEDIUM : SS_TIER_MMAP, zeroed);
	}
	return p;
}

/* Is p (a block we handed out) a medium or mmap block that debug mode guards? */
static bool debugged_block(void *p)
{
	struct zone *z = zone_of(p);
	return z ? debug_medium && page_of(z, p)->kind == PG_MEDIUM : debug_mmap;
}

/* Any size, any power-of-two alignment. *zeroed tells calloc whether memset can be skipped. */
static void *alloc_any(size_t n, size_t align, bool *zeroed)
{
	ss_init();
	struct tcache *tc = tc_get();
	*zeroed = false;
	if (align <= MIN_ALIGN && n <= settings.small_limit)
		return small_alloc(tc, size_class(n), n);
	if (align > MIN_ALIGN && align <= PAGE_SIZE) {
		int cls = aligned_class(n, align);
		if (cls >= 0)
			return small_alloc(tc, (unsigned)cls, n);
	}
	if (unlikely(debug_medium | debug_mmap))
		return debug_block_alloc(n, align, zeroed);
	return block_alloc(n, align, zeroed);
}

/* alloc_any, counted as `call`, then the calling thread's sampling check. */
static void *alloc_counted(enum call call, size_t n, size_t align, bool *zeroed)
{
	void *p = alloc_any(n, align, zeroed);
	struct tcache *tc = tc_get();
	count_call(tc, call, n);
	sample_check(tc, p, n);
	return p;
}

static __attribute__((noinline)) void *malloc_slow(size_t n, const void *caller)
{
	note_caller(caller);
	bool zeroed;
	return alloc_counted(CALL_MALLOC, n, MIN_ALIGN, &zeroed);
}

/*
 * The fast path: a small request, an object in this thread's stack for its class, and no
 * sample due. Anything else, including the first call of a thread, takes malloc_slow.
 */
EXPORT void *malloc(size_t n)
{
	struct tcache *tc = tc_self;
	if (likely((uintptr_t)tc > (uintptr_t)TC_DEAD && n <= settings.small_limit)) {
		unsigned cls;
		void *p = tc_alloc_fast(tc, n, &cls);
		if (likely(p)) {
			TC_FAST(tc->fast_allocs[cls]++);
			return p;
		}
	}
	return malloc_slow(n, __builtin_return_address(0));
}

static __attribute__((noinline)) void *calloc_slow(size_t nmemb, size_t size, const void *caller)
{
	note_caller(caller);
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	bool zeroed;
	void *p = alloc_counted(CALL_CALLOC, n, MIN_ALIGN, &zeroed);
	if (p && !zeroed)
		memset(p, 0, n);
	return p;
}

/* calloc: malloc's fast path, then zeroing; overflow and the rest take the slow path. */
EXPORT void *calloc(size_t nmemb, size_t size)
{
	struct tcache *tc = tc_self;
	size_t n;
	if (likely(!__builtin_mul_overflow(nmemb, size, &n) && (uintptr_t)tc > (uintptr_t)TC_DEAD &&
		   n <= settings.small_limit)) {
		unsigned cls;
		void *p = tc_alloc_fast(tc, n, &cls);
		if (likely(p)) {
			tc->st.calloc_calls++;
			TC_STAT(tc, slab_allocs, 1);
			TC_STAT(tc, bytes_allocated, kmalloc_size[cls]);
			return memset(p, 0, n);
		}
	}
	return calloc_slow(nmemb, size, __builtin_return_address(0));
}

/* ---- free ----------------------------------------------------------------- */

static void medium_free(struct page *pg, void *p)
{
	size_t npages = pg->npages;
	STAT_ADD(medium_frees, 1);
	STAT_ADD(medium_bytes, -(npages << PAGE_SHIFT));
	pages_free(p, npages);
	export_maybe_publish();
}

/*
 * A free that finds the key in a kmalloc object: a double free if the object already sits
 * in a thread cache (any thread's: theirs are read without their owner's cooperation, which
 * is enough for a check) or is free in its slab's map. Otherwise it is a live object whose
 * data happens to equal the key, and an ordinary free.
 */
static bool freed_already(const void *p, unsigned cls, struct slab *s, int idx)
{
	bool found = false;
	lock(&tcache_list_lock);
	for (struct tcache *tc = tcache_list; tc && !found; tc = tc->next) {
		uint32_t n = __atomic_load_n(&tc->count[cls], __ATOMIC_RELAXED);
		for (uint32_t k = 0; k < n && k < tc->limit[cls] && !found; k++)
			found = __atomic_load_n(&tc_stack(tc, cls)[k], __ATOMIC_RELAXED) == p;
	}
	unlock(&tcache_list_lock);
	if (!found) {
		lock(&s->cache->lock);
		found = slab_obj_is_free(s, (unsigned)idx);
		unlock(&s->cache->lock);
	}
	return found;
}

/* Kmalloc object p (slab s, index idx) carries the free key and is free: freed and not
 * handed out since. Allocation clears the key, so a free or realloc that finds it is most
 * likely at a freed object, which the caches and the slab's map confirm (a live object's
 * data can equal the key). */
static bool confirmed_freed(void *p, const struct kmem_cache *c, struct slab *s, int idx)
{
	return ((uint64_t *)p)[1] == free_key(p) && freed_already(p, (unsigned)c->tc_class, s, idx);
}

/*
 * The cache of a kmalloc object that was freed and not handed out since (its key confirmed
 * by freed_already), NULL for anything else: realloc of such a block would give one object
 * to two owners (glibc returns it as it is when it shrinks), so realloc reports it.
 */
static const char *freed_kmalloc_object(void *p)
{
	const struct page *pg = page_lookup(p);
	if (pg->kind != PG_SLAB || !pg->slab)
		return NULL;
	struct slab *s = pg->slab;
	struct kmem_cache *c = s->cache;
	int idx = slab_obj_index(c, s, p);
	return !c->debug && c->tc_class >= 0 && idx >= 0 && confirmed_freed(p, c, s, idx) ? c->name : NULL;
}

/* What the report of a pointer that is no block of ours says about it. */
static const char *invalid_why(const void *p)
{
	return zone_of(p) ? "not the start of an allocated block, or already freed"
			  : "not allocated by slabscope, or already freed";
}

/* Returns false (after reporting) for a pointer that is not ours to free. */
static bool free_any(void *p, const char *who)
{
	struct zone *z = zone_of(p);
	if (likely(z)) {
		struct page *pg = page_of(z, p);
		if (likely(pg->kind == PG_SLAB && pg->slab)) {
			struct slab *s = pg->slab;
			struct kmem_cache *c = s->cache;
			if (unlikely(c->debug)) {
				if (unlikely(pg->flags & PGF_SAMPLED))
					sample_freed(p, c->object_size);
				return debug_free(c, p, who);
			}
			int idx = slab_obj_index(c, s, p);
			if (unlikely(idx < 0))
				goto invalid;
			if (unlikely(pg->flags & PGF_SAMPLED))
				sample_freed(p, c->size);
			if (c->tc_class < 0) {               /* kmalloc-8 or a named cache */
				cache_free_one(c, p);
				return true;
			}
			struct tcache *tc = tc_get();
			if (unlikely(confirmed_freed(p, c, s, idx))) {
				ss_bad_pointer("double free", p, c->name);
				return false;
			}
			unsigned cls = (unsigned)c->tc_class;
			if (tc && tc->limit[cls]) {
				if (unlikely(tc->count[cls] >= tc->limit[cls]))
					tcache_flush(tc, cls, tc->limit[cls] / 2u);
				tc_push(tc, cls, tc->count[cls], p);
			} else {                             /* no cache, or one that keeps no such object */
				((uint64_t *)p)[1] = free_key(p);
				cache_free_one(c, p);
			}
			if (tc)
				TC_STAT(tc, slab_frees, 1);
			else
				STAT_ADD(dead_threads.slab_frees, 1);
			return true;
		}
		if (pg->kind == PG_MEDIUM && ((uintptr_t)p & (PAGE_SIZE - 1)) == 0) {
			if (unlikely(debug_medium))
				debug_block_check(p, (size_t)pg->npages << PAGE_SHIFT, SS_TIER_MEDIUM, true);
			if (unlikely(pg->flags & PGF_SAMPLED))
				sample_freed(p, (size_t)pg->npages << PAGE_SHIFT);
			medium_free(pg, p);
			return true;
		}
		goto invalid;
	}
	if (unlikely(debug_mmap)) {
		size_t room = large_usable(p);
		if (room)
			debug_block_check(p, room, SS_TIER_MMAP, true);
	}
	if (large_free(p)) {
		if (unlikely(sample_mean))
			sample_freed(p, 0);
		return true;
	}
invalid:
	ss_bad_pointer(who, p, invalid_why(p));
	return false;
}

static __attribute__((noinline)) void free_slow(void *p, const void *caller)
{
	if (!p)
		return;
	note_caller(caller);
	struct tcache *tc = tc_self;
	if (likely((uintptr_t)tc > (uintptr_t)TC_DEAD))
		TC_STAT(tc, free_calls, 1);
	else
		STAT_ADD(dead_threads.free_calls, 1);
	free_any(p, "free(): invalid pointer");
}

/*
 * The fast path: a kmalloc object (the page descriptor alone says which class and where
 * the slab's objects start), at an object boundary, not carrying the free key, not
 * sampled, and room in this thread's stack. Anything else takes free_slow, which also
 * reports what is wrong.
 */
EXPORT void free(void *p)
{
	struct tcache *tc = tc_self;
	const struct page *pg = page_lookup(p);
	if (likely((uintptr_t)tc > (uintptr_t)TC_DEAD)) {
		unsigned cls = pg->slab_class;
		uint32_t k;
		if (likely(fast_object(pg, cls, p) && (k = tc->count[cls]) < tc->limit[cls])) {
			tc_push(tc, cls, k, p);
			TC_FAST(tc->fast_frees[cls]++);
			return;
		}
	}
	free_slow(p, __builtin_return_address(0));
}

/*
 * C23's sized frees (glibc exports them from 2.40): a program built against a newer glibc
 * must reach our free, not glibc's, with our pointer. The size is not trusted: the block
 * says what it is, and a wrong size is no reason to leak or to corrupt.
 */
EXPORT void free_sized(void *p, size_t n)
{
	(void)n;
	free(p);
}

EXPORT void free_aligned_sized(void *p, size_t align, size_t n)
{
	(void)align, (void)n;
	free(p);
}

/* ---- sizes and realloc ---------------------------------------------------- */

/* Usable size of a block we handed out; 0 for anything else. */
static size_t usable_size(void *p)
{
	struct zone *z = zone_of(p);
	if (z) {
		struct page *pg = page_of(z, p);
		int idx;
		if (pg->kind == PG_SLAB) {
			if (pg->slab && pg->slab->cache->debug)
				return debug_usable(pg->slab->cache, p);
			struct slab *s = slab_lookup(p, &idx);
			return s ? s->cache->size : 0;
		}
		if (pg->kind == PG_MEDIUM && ((uintptr_t)p & (PAGE_SIZE - 1)) == 0)
			return unlikely(debug_medium) ? debug_block_req(p, block_bytes(z, p)) : block_bytes(z, p);
		return 0;
	}
	size_t room = large_usable(p);
	return room && unlikely(debug_mmap) ? debug_block_req(p, room) : room;
}

EXPORT size_t malloc_usable_size(void *p)
{
	return p ? usable_size(p) : 0;
}

/*
 * Shrink a medium block in place by giving its tail pages back; returns its usable size.
 * A tail of less than an eighth of the block stays: it may be the room a growing block
 * was given (realloc_room), and giving it back would only make the next growth move.
 */
static size_t medium_shrink(void *p, size_t n)
{
	struct zone *z = zone_of(p);
	struct page *pg = page_of(z, p);
	size_t keep = align_up(n, PAGE_SIZE) >> PAGE_SHIFT;
	size_t old = pg->npages;
	if (keep >= old || (old - keep) * 8 < old)
		return old << PAGE_SHIFT;
	pg->npages = (uint32_t)keep;
	STAT_ADD(medium_bytes, -((old - keep) << PAGE_SHIFT));
	pages_free((char *)p + (keep << PAGE_SHIFT), old - keep);
	return keep << PAGE_SHIFT;
}

/*
 * What a medium block that must move to grow from `old` usable bytes to n asks for: a
 * block grown by a small step (less than an eighth) is being appended to, and will be
 * again, so it gets an eighth more room; other growth is taken as asked.
 */
static size_t realloc_room(size_t n, size_t old)
{
	return n - old < old / 8 ? n + n / 8 : n;
}

/*
 * A realloc that keeps the block where it is (same slab object, pages given back, mremap,
 * or pages added from the free pages right after it). Returns the block it keeps, or NULL
 * when the block has to move. Every request counted in bytes_requested counts its usable
 * size in bytes_allocated, so that the two measure internal fragmentation; a move is
 * counted by the allocation it makes.
 */
static void *realloc_in_place(void *p, size_t n, size_t old)
{
	struct zone *z = zone_of(p);
	bool medium = z && page_of(z, p)->kind == PG_MEDIUM;
	bool debug = z && page_of(z, p)->kind == PG_SLAB && page_of(z, p)->slab->cache->debug;
	size_t pages_n = align_up(n, PAGE_SIZE);
	void *q = NULL;
	size_t usable = 0;
	if (!z && (n >= settings.mmap_threshold || (n <= old && n > settings.medium_limit))) {
		q = large_realloc(p, n);                 /* mremap: no copy */
		usable = pages_n;
	} else if (medium && n > old && n <= (MAX_ORDER_PAGES << PAGE_SHIFT) &&
		   pages_extend(p, old >> PAGE_SHIFT, pages_n >> PAGE_SHIFT, false)) {
		STAT_ADD(medium_bytes, pages_n - old);   /* grown into the free pages after it */
		q = p, usable = pages_n;
	} else if (medium && n <= old && n > settings.small_limit) {
		usable = medium_shrink(p, n);
		q = p;
	} else if (z && !medium && !debug && n <= old && (n > old / 2 || old <= 64)) {
		q = p, usable = old;                     /* same slab object */
	}
	if (q)
		STAT_ADD(dead_threads.bytes_allocated, usable);
	return q;
}

/* Copy a block to q, its new place, and free it there. */
static void *realloc_move(void *p, void *q, size_t n, size_t old)
{
	sample_check(tc_get(), q, n);
	memcpy(q, p, old < n ? old : n);
	free_any(p, "realloc(): invalid pointer");
	return q;
}

/*
 * A medium block that cannot grow in place moves to a run of free pages if there is one,
 * and only otherwise grows across the top of the heap when it ends there (glibc's
 * realloc into the top chunk): holes get used before the heap gets bigger.
 */
static void *realloc_medium_without_growth(void *p, size_t n, size_t old)
{
	struct zone *z = zone_of(p);
	if (!z || page_of(z, p)->kind != PG_MEDIUM || n <= old || n <= settings.small_limit)
		return NULL;
	void *q = medium_alloc_if_free(realloc_room(n, old));
	if (q)
		return realloc_move(p, q, n, old);
	size_t pages_n = align_up(n, PAGE_SIZE);
	if (n <= (MAX_ORDER_PAGES << PAGE_SHIFT) && pages_extend(p, old >> PAGE_SHIFT, pages_n >> PAGE_SHIFT, true)) {
		STAT_ADD(medium_bytes, pages_n - old);
		STAT_ADD(dead_threads.bytes_allocated, pages_n);
		return p;
	}
	return NULL;
}

static void *realloc_from(void *p, size_t n, const void *caller)
{
	if (!p)
		return malloc_slow(n, caller);
	ss_init();
	note_caller(caller);
	count_call(tc_get(), CALL_REALLOC, n);
	if (n == 0) {
		free_any(p, "realloc(): invalid pointer");
		return NULL;
	}
	size_t old = usable_size(p);
	if (!old) {
		ss_bad_pointer("realloc(): invalid pointer", p, invalid_why(p));
		return NULL;
	}
	const char *freed_in = freed_kmalloc_object(p);
	if (unlikely(freed_in)) {
		ss_bad_pointer("realloc(): pointer already freed", p, freed_in);
		return NULL;
	}
	bool debugged = unlikely(debug_medium | debug_mmap) && debugged_block(p);
	if (!debugged) {                             /* a debugged block moves: free checks it */
		void *q = realloc_in_place(p, n, old);
		if (!q)
			q = realloc_medium_without_growth(p, n, old);
		if (q)
			return q;
	}
	bool zeroed;
	bool grows_medium = !debugged && n > old && n > settings.small_limit && zone_of(p) && page_of(zone_of(p), p)->kind == PG_MEDIUM;
	void *q = alloc_any(grows_medium ? realloc_room(n, old) : n, MIN_ALIGN, &zeroed);
	if (!q)
		return NULL;                             /* p is left untouched */
	return realloc_move(p, q, n, old);
}

/*
 * realloc's fast path for a kmalloc object p of class cls: it stays where it is when n
 * still fits its object and takes more than half of it (realloc_in_place's rule);
 * otherwise it moves to an object of n's class from this thread's stack, and p goes onto
 * its own class's stack, as malloc and free would do with a copy between. NULL when
 * either stack cannot (empty, or full): realloc_from does it then (355 instructions a call
 * for bench sqlite's 74,526 reallocs at scale 0.2, before this path).
 */
static inline void *realloc_in_cache(struct tcache *tc, void *p, unsigned cls, size_t n)
{
	uint32_t old = kmalloc_size[cls];
	if (n <= old && (n > old / 2 || old <= 64)) {
		TC_STAT(tc, bytes_allocated, old);
		return p;
	}
	unsigned to = size_class(n);
	uint32_t k_to = tc->count[to], k = tc->count[cls];
	if (!k_to || k >= tc->limit[cls])
		return NULL;
	void *q = tc_pop(tc, to, k_to);
	memcpy(q, p, n < old ? n : old);
	tc_push(tc, cls, k, p);
	TC_STAT(tc, slab_allocs, 1);
	TC_STAT(tc, bytes_allocated, kmalloc_size[to]);
	TC_STAT(tc, slab_frees, 1);
	return q;
}

EXPORT void *realloc(void *p, size_t n)
{
	struct tcache *tc = tc_self;
	const struct page *pg = page_lookup(p);
	if (likely((uintptr_t)tc > (uintptr_t)TC_DEAD && n - 1 < settings.small_limit)) {
		unsigned cls = pg->slab_class;
		uint64_t requested = tc->st.bytes_requested + n;
		void *q;
		if (likely(requested < tc->event_at && fast_object(pg, cls, p) &&
			   (q = realloc_in_cache(tc, p, cls, n)))) {
			tc->st.realloc_calls++;
			tc->st.bytes_requested = requested;
			return q;
		}
	}
	return realloc_from(p, n, __builtin_return_address(0));
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc_from(p, n, __builtin_return_address(0));
}

/* ---- aligned allocation --------------------------------------------------- */
static void *aligned(size_t align, size_t n, const void *caller)
{
	note_caller(caller);
	if (align < MIN_ALIGN)
		align = MIN_ALIGN;
	bool zeroed;
	return alloc_counted(CALL_MEMALIGN, n, align, &zeroed);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	int saved = errno;
	void *p = aligned(align, n, __builtin_return_address(0));
	if (!p)
		return ENOMEM;
	errno = saved;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, n, __builtin_return_address(0));
}

EXPORT void *memalign(size_t align, size_t n)
{
	if (align & (align - 1))                     /* glibc rounds up to a power of two */
		align = (size_t)1 << order_for_pages(align);
	if (align > ((size_t)1 << 62)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, n, __builtin_return_address(0));
}

EXPORT void *valloc(size_t n)
{
	return aligned(PAGE_SIZE, n, __builtin_return_address(0));
}

EXPORT void *pvalloc(size_t n)
{
	size_t r = align_up(n ? n : 1, PAGE_SIZE);
	if (r < n) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(PAGE_SIZE, r, __builtin_return_address(0));
}

/*
 * glibc's own names for the family (__libc_malloc & co, and cfree, kept for old binaries).
 * Programs and libraries that wrap malloc call them to reach "the real one"; left to glibc,
 * they would hand out glibc chunks that our free() then rejects as invalid pointers, and
 * take ours into glibc's free. jemalloc, tcmalloc and mimalloc export them too.
 */
EXPORT void *__libc_malloc(size_t n) __attribute__((alias("malloc"), copy(malloc)));
EXPORT void __libc_free(void *p) __attribute__((alias("free"), copy(free)));
EXPORT void cfree(void *p) __attribute__((alias("free"), copy(free)));
EXPORT void *__libc_calloc(size_t nmemb, size_t size) __attribute__((alias("calloc"), copy(calloc)));
EXPORT void *__libc_realloc(void *p, size_t n) __attribute__((alias("realloc"), copy(realloc)));
EXPORT void *__libc_memalign(size_t align, size_t n) __attribute__((alias("memalign"), copy(memalign)));
EXPORT void *__libc_valloc(size_t n) __attribute__((alias("valloc"), copy(valloc)));
EXPORT void *__libc_pvalloc(size_t n) __attribute__((alias("pvalloc"), copy(pvalloc)));

/* ---- tuning --------------------------------------------------------------- */
EXPORT int mallopt(int param, int value)
{
	ss_init();
	switch (param) {
	case M_MMAP_THRESHOLD:
		if (value < 0 || (size_t)value > ((size_t)32 << 20))
			return 0;
		settings.mmap_threshold = (size_t)value;
		settings.mmap_threshold_fixed = true;
		break;
	case M_TRIM_THRESHOLD:
		settings.trim_threshold = value < 0 ? SIZE_MAX / 2 : (size_t)value;
		settings.mmap_threshold_fixed = true;
		settings.trim_threshold_fixed = true;
		break;
	case M_TOP_PAD:
		if (value < 0)
			return 0;
		settings.top_pad = (size_t)value;
		break;
	default:
		return 1;                                /* arenas, perturb...: nothing to tune here */
	}
	settings_update_limits();
	return 1;
}

EXPORT size_t ss_shrink_caches(void)
{
	ss_init();
	struct tcache *tc = tc_get();
	if (tc)
		tcache_flush_all(tc);
	tcache_request_flush_all();                  /* the other threads' at their next malloc */
	size_t pages = 0;
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		pages += c->policy->shrink(c);
	unlock(&cache_list_lock);
	return pages;
}

/* Give back what can be given: this thread's cached objects (the other threads' at their
 * next malloc), empty slabs, the brk top, and every free page (madvise), as glibc's
 * malloc_trim does. 1 if anything was released. */
EXPORT int malloc_trim(size_t pad)
{
	ss_init();
	STAT_ADD(trim_calls, 1);
	size_t pages = ss_shrink_caches();
	lock(&page_lock);
	uint64_t before = gstats.bytes_trimmed;
	zone_trim_top(zones[1], pad, true);
	bool trimmed = gstats.bytes_trimmed != before;
	unlock(&page_lock);
	size_t released = pages_release_free();
	return trimmed || released || pages;
}
