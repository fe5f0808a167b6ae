/*
 * internal.h — the map of the Slabscope allocator.
 *
 * Memory flows through four tiers, each in a file of its own:
 *
 *   malloc.c   the exported malloc family; routes a request by size:
 *                 size <= small_limit        -> kmalloc-N slab cache (via tcache.c)
 *                 small_limit < size < mmap  -> "medium": exact run of buddy pages
 *                 size >= mmap_threshold     -> large.c, one mmap per block
 *   tcache.c   per-thread array caches in front of the kmalloc caches (the kernel's
 *              per-CPU array_cache): the fast path touches no lock; reaped per MiB asked.
 *   slob.c     the SLOB policy (SS_SLAB_SLOB): objects of small caches first fit in
 *              pages they share, as the kernel's SLOB.
 *   slub.c     the SLUB policy (SS_SLAB_SLUB): slabs without bitmaps, a hardened
 *              freelist through the free objects, as the kernel's SLUB.
 *   slab.c     kmem_cache + slabs: full/partial/free slab lists, a free bitmap per
 *              slab, colouring; named caches (ss_kmem_cache_*) and kmalloc-N.
 *   kmalloc.c  the kmalloc-N size classes and size -> class lookup.
 *   buddy.c    binary buddy page allocator: free lists per order, split, coalesce.
 *   zone.c     page sources: the brk/sbrk heap (grown at the top, trimmed at the top)
 *              and mmap zones used when the break cannot move; pointer -> zone lookup.
 *   large.c    the mmap path: blocks above the mmap threshold, a table of live blocks.
 *   stats.c    counters (per thread, summed on read), mallinfo2, malloc_stats, report.
 *   debug.c    slab debugging, as slub_debug: red zones, poisoning, owner tracking and
 *              sanity checks for the caches SLABSCOPE_DEBUG names, and a red zone with a
 *              checked trailer at the end of medium and mmap blocks; stack.c takes stacks.
 *   print.c    a tiny formatter writing to file descriptors (no stdio, no malloc) and
 *              the fatal-error path for invalid frees.
 *   init.c     one-time set-up, environment, thresholds, fork handlers.
 *   lock.c     the locks' contended half (futex); sys.h: the system calls, made directly;
 *   clock.c    the vDSO's clock. All three keep libc's pages out of the process (sys.h).
 *   fault.c    fault injection: page-source calls (sbrk, mmap, mremap) failed on purpose.
 *
 *   events.c   sampled allocations (with native stacks) and tier events for JFR.
 *   export.c   the snapshot format of slabscope_shm.h: ss_snapshot/ss_layout in the
 *              process, /dev/shm/slabscope.<pid> for other processes.
 *
 * Locks, always taken in this order (fork prepare takes them all in this order):
 *   publish_lock -> cache_list_lock -> kmem_cache.lock (kmem_slab's last) -> page_lock
 *   -> large_lock -> tcache_list_lock -> event_lock.
 */
#ifndef SLABSCOPE_INTERNAL_H
#define SLABSCOPE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "slabscope.h"
#include "sys.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define INTERNAL    __attribute__((visibility("hidden")))
#define COLD        __attribute__((cold))    /* set-up and teardown: kept out of the hot text */

/* ---- pages and orders --------------------------------------------------- */
#define PAGE_SHIFT      12
#define PAGE_SIZE       ((size_t)1 << PAGE_SHIFT)
#define MAX_ORDER       14                    /* orders 0..13: /proc/buddyinfo's 0..10, and up
                                                 to 32 MiB, glibc's largest mmap threshold */
#define MAX_ORDER_PAGES ((size_t)1 << (MAX_ORDER - 1))
#define ZONE_ALIGN      (MAX_ORDER_PAGES << PAGE_SHIFT)   /* 32 MiB: blocks are naturally aligned */
#define MMAP_ZONE_SIZE  ((size_t)1 << GRANULE_SHIFT)  /* an mmap zone when the break cannot move */
#define GRANULE_SHIFT   26                    /* zone lookup map: one entry per 64 MiB */
#define MAX_ZONES       4096
#define ADDR_BITS       47
#define CACHE_LINE      64
#define MIN_ALIGN       16

#include <time.h>
/* clock.c: the vDSO's clock_gettime, found at initialisation (a system call before). */
INTERNAL void clock_init(void);
INTERNAL uint64_t clock_ns(clockid_t id);
/* Coarse monotonic milliseconds (vDSO, a few ns): for decay and pacing decisions. */
static inline uint64_t clock_ms(void) { return clock_ns(CLOCK_MONOTONIC_COARSE) / 1000000; }

static inline size_t align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }
static inline unsigned ilog2(size_t x) { return 63u - (unsigned)__builtin_clzl(x); }
static inline unsigned order_for_pages(size_t n) { return n <= 1 ? 0 : ilog2(n - 1) + 1; }

/* ---- locks: one futex word each (lock.c), re-initialised in the fork child ----
 * 0 free, 1 held, 2 held and somebody may sleep on it (Drepper, "Futexes Are Tricky",
 * mutex 2, as glibc's internal lll_lock). Not pthread mutexes: their code is libc's,
 * pages a program under glibc's malloc never touches (sys.h), 40 bytes instead of 4, and
 * a call through the PLT on every lock and unlock. */
typedef struct { int state; } ss_lock_t;
#define SS_LOCK_INIT { 0 }
INTERNAL void lock_wait(ss_lock_t *l);
INTERNAL void lock_wake(ss_lock_t *l);
static inline void lock_init(ss_lock_t *l) { __atomic_store_n(&l->state, 0, __ATOMIC_RELAXED); }
static inline bool trylock(ss_lock_t *l)
{
	int free_ = 0;
	return __atomic_compare_exchange_n(&l->state, &free_, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
static inline void lock(ss_lock_t *l)
{
	if (unlikely(!trylock(l)))
		lock_wait(l);
}
static inline void unlock(ss_lock_t *l)
{
	if (unlikely(__atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2))
		lock_wake(l);
}

/* ---- page descriptors (the kernel's struct page) -------------------------- */
enum page_kind {
	PG_ABSENT = 0,   /* never handed out by the zone (or above the top) */
	PG_FREE,         /* inside a free buddy block (PGF_HEAD on its first page) */
	PG_SLAB,         /* page of a slab: ->slab says which */
	PG_MEDIUM,       /* first page of a medium block of ->npages pages */
	PG_TAIL,         /* later page of a medium block; ->npages = distance to head */
	PG_META,         /* allocator metadata (per-thread caches) */
};
#define PGF_HEAD  0x1
#define PGF_CLEAN 0x2   /* free block whose pages were given back (madvise) or never touched */
#define PGF_SAMPLED 0x4 /* slab page or medium head holding a sampled block (events.c) */
#define NIL      UINT32_MAX

struct slab;
struct page {
	uint8_t  kind;
	uint8_t  order;      /* free block head: its order */
	uint8_t  flags;
	uint8_t  slab_class; /* PG_SLAB: kmalloc class of its cache, NO_CLASS for others */
	uint32_t npages;     /* medium head: size in pages; tail: offset to the head */
	union {
		struct { uint32_t next, prev; };  /* free block: list links (page indices) */
		int32_t obj_delta;                /* PG_SLAB: first object - this page's address */
	};
	union {
		struct slab *slab;                /* PG_SLAB */
		struct { uint32_t run_next, run_prev; };   /* first page of a free run: bin links */
	};
};
/* PG_FREE: npages is the length of the free run on its first and its last page. */
#define NO_CLASS 0xff

/* ---- zones: contiguous runs of pages from one page source ---------------- */
#define RUN_EXACT_BINS  32                    /* free runs up to 32 pages: a bin per length */
#define RUN_BINS        (RUN_EXACT_BINS + 4 * 18)   /* then four per power of two, to 2^23 pages */
#define RUN_BIN_WORDS   ((RUN_BINS + 63) / 64)
enum zone_kind { ZONE_BRK, ZONE_MMAP };

struct zone {
	uint16_t id;
	uint8_t  kind;
	bool     can_grow;             /* brk zone: the break is still ours to move */
	uintptr_t base;                /* ZONE_ALIGN aligned */
	uintptr_t top;                 /* pages [base, top) exist */
	size_t   max_pages;            /* capacity of pages[] */
	struct page *pages;
	uint32_t free_head[MAX_ORDER]; /* dirty blocks first, clean ones at the tail */
	uint32_t free_tail[MAX_ORDER];
	size_t   nr_free[MAX_ORDER];   /* free blocks per order: /proc/buddyinfo */
	uint32_t run_head[RUN_BINS];   /* free runs by length (buddy.c) */
	uint64_t run_bins_used[RUN_BIN_WORDS];
	size_t   free_pages;
	size_t   dirty_pages;          /* free pages still resident (not released) */
	size_t   resident_pages;       /* last mincore measurement (export.c) */
	size_t   dirty_low;            /* lowest dirty_pages since decay_epoch */
	uint64_t decay_epoch_ms;
	uint64_t last_trim_ms;         /* brk zone: when the top was last trimmed */
	uint64_t trim_hold_until_ms;   /* brk zone: no automatic trim before this */
};

INTERNAL extern struct zone *zones[MAX_ZONES];
INTERNAL extern unsigned nr_zones;
INTERNAL extern uint16_t *zone_map;          /* address >> GRANULE_SHIFT -> zone id */
INTERNAL extern ss_lock_t page_lock;
INTERNAL void *map_anon(size_t len, int extra_flags);
INTERNAL const char *ss_getenv(const char *name);   /* init.c */

INTERNAL extern struct zone brk_zone;        /* zones[1] (zone.c) */
/* The zone of an address outside zones[1], through zone_map; NULL for none. */
static inline struct zone *zone_of_mapped(uintptr_t a)
{
	if (unlikely(a >> ADDR_BITS))
		return NULL;
	uint16_t id = zone_map[a >> GRANULE_SHIFT];
	if (!id)
		return NULL;
	struct zone *z = zones[id];
	return (a >= z->base && a < z->top) ? z : NULL;
}
static inline struct zone *zone_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	/* The brk heap holds most blocks: one range check instead of two dependent loads
	 * (zone_map, then zones[]) before the zone's bounds. */
	if (likely(a - brk_zone.base < brk_zone.top - brk_zone.base))
		return &brk_zone;
	return zone_of_mapped(a);
}
static inline size_t zone_npages(const struct zone *z) { return (z->top - z->base) >> PAGE_SHIFT; }
static inline struct page *page_of(struct zone *z, const void *p)
{
	return &z->pages[((uintptr_t)p - z->base) >> PAGE_SHIFT];
}
/* zone_of and page_of in one, for the fast paths: the offset into the brk heap that the
 * range check computes is the page's index too. When p is in no zone, no_page (zone.c),
 * whose kind (PG_ABSENT) no fast path takes: they test the kind anyway, not a NULL. */
INTERNAL extern const struct page no_page;
static inline const struct page *page_lookup(const void *p)
{
	uintptr_t off = (uintptr_t)p - brk_zone.base;
	if (likely(off < brk_zone.top - brk_zone.base))
		return &brk_zone.pages[off >> PAGE_SHIFT];
	struct zone *z = zone_of_mapped((uintptr_t)p);
	return z ? page_of(z, p) : &no_page;
}
static inline void *page_addr(const struct zone *z, size_t idx) { return (void *)(z->base + (idx << PAGE_SHIFT)); }

/* zone.c */
INTERNAL int  zones_init(void);
INTERNAL int  zone_grow(unsigned order);           /* page_lock held; 0 or -1 (ENOMEM) */
INTERNAL long zone_grow_run(size_t npages);        /* page_lock held; free run at the brk top */
INTERNAL bool zone_extend_top(struct zone *z, size_t end);
INTERNAL void zone_trim_top(struct zone *z, size_t keep, bool forced);
INTERNAL size_t zone_top_free_pages(struct zone *z);

/* buddy.c — all with page_lock held unless named pages_* */
INTERNAL long buddy_alloc(struct zone *z, unsigned order, bool *clean);
INTERNAL void buddy_take_block(struct zone *z, uint32_t idx);
INTERNAL long buddy_block_ending_at(struct zone *z, size_t t);
INTERNAL void buddy_free_range(struct zone *z, size_t start, size_t end, bool clean);
INTERNAL void buddy_free_pages(struct zone *z, size_t start, size_t end, bool clean);
INTERNAL void buddy_trim_run(struct zone *z, size_t old_end);
INTERNAL void buddy_init_zone(struct zone *z);
INTERNAL void *pages_alloc(size_t npages, unsigned align_order, enum page_kind kind);
INTERNAL void *pages_alloc_if_free(size_t npages, enum page_kind kind);
INTERNAL void  pages_free(void *addr, size_t npages);
INTERNAL bool  pages_extend(void *addr, size_t old_npages, size_t new_npages, bool may_grow);
INTERNAL size_t pages_release_free(void);          /* madvise free blocks; returns bytes */

/* ---- slab tier ----------------------------------------------------------- */
enum slab_list { SL_FULL, SL_PARTIAL, SL_FREE, NR_SLAB_LISTS };
/*
 * Partial slabs are sharded by thread (tcache->shard), as SLUB gives each CPU its own
 * slab: two threads filling their caches from the same slab would share cache lines
 * between their objects, and every write would bounce the line between cores.
 */
#define SLAB_SHARDS 8

struct slab {
	struct kmem_cache *cache;
	struct slab *next, *prev;     /* in one of the cache's three lists */
	char    *s_mem;               /* first object, after the colour offset */
	uint32_t inuse;               /* objects not in this slab's free map */
	uint16_t colour;              /* colour offset in bytes */
	uint8_t  list;                /* enum slab_list */
	uint8_t  offslab : 1;
	uint8_t  shard : 7;           /* which partial list, when partial */
	uint32_t hint;                /* first free-map word that may have a bit */
	uint64_t freemap[];           /* bit set = object free */
};

/*
 * A slab policy decides how a cache keeps its objects. "slab" (slab.c) is the
 * SLAB design: bitmap per slab, colouring, per-thread arrays in front. "slob"
 * (slob.c) is SLOB's: objects of all SLOB caches first fit in shared pages. "slub"
 * (slub.c) is SLUB's: a freelist through the free objects, no bitmap.
 */
struct kmem_cache;
struct slab_policy {
	const char *name;
	int    (*setup)(struct kmem_cache *c);
	int    (*alloc_bulk)(struct kmem_cache *c, void **objs, int n, unsigned shard);
	void   (*free_bulk)(struct kmem_cache *c, void **objs, int n);
	size_t (*shrink)(struct kmem_cache *c);
	int    (*destroy)(struct kmem_cache *c);
};

struct kmem_cache {
	char     name[SS_CACHE_NAME_MAX];
	uint32_t object_size;         /* as asked */
	uint32_t size;                /* stride between objects */
	uint32_t align;
	uint32_t order;               /* pages per slab = 1 << order */
	uint32_t num;                 /* objects per slab */
	uint32_t hdr_size;            /* on-slab header bytes (0 when off-slab) */
	uint32_t colour_off, colour_num, colour_next;
	uint32_t recip;               /* ceil(2^32 / size): offset -> index */
	unsigned flags;
	int      tc_class;            /* per-thread array slot, -1 = none */
	uint32_t id;                  /* stable index, named in layout snapshots */
	void   (*ctor)(void *);
	unsigned debug;               /* SS_DEBUG_* flags (debug.c), 0 for most caches */
	uint32_t dbg_left;            /* debug: left red zone; the object starts here in its slot */
	uint32_t dbg_meta;            /* debug: offset of struct debug_meta in the slot */
	uint32_t fp_offset;           /* SLUB: where a free object keeps its freelist link */
	const struct slab_policy *policy;
	ss_lock_t lock;
	struct slab *lists[NR_SLAB_LISTS];   /* [SL_PARTIAL]: see partial[] (slob.c: its pages with room) */
	struct slab *partial[SLAB_SHARDS];   /* partial slabs, one list per thread shard */
	size_t   nr_slabs[NR_SLAB_LISTS];
	size_t   active_objs;         /* handed out of slabs (includes per-thread arrays) */
	uint64_t allocs, frees, grows, reaps;   /* slab-level traffic */
	uint64_t reap_allocs;                   /* allocs at the last cache_reap (slab.c) */
	struct kmem_cache *next_cache;
};

/* A slab onto the head of the list `head` (named l, counted in *count), or off it. The
 * three policies keep their slabs (SLOB: its pages) on such doubly linked lists. */
static inline void slabs_push(struct slab **head, size_t *count, struct slab *s, enum slab_list l)
{
	s->list = (uint8_t)l;
	s->prev = NULL;
	s->next = *head;
	if (s->next)
		s->next->prev = s;
	*head = s;
	(*count)++;
}
static inline void slabs_unlink(struct slab **head, size_t *count, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	(*count)--;
}

/* kmem_cache flags besides the public SS_SLAB_* (which fit in the low byte) */
#define SLAB_DENSE      0x100   /* thousands of live objects expected: least leftover (slab.c) */
#define SLAB_SLOB_PAGES 0x200   /* the "slob" cache: the SLOB caches' shared pages (slob.c) */

INTERNAL extern const struct slab_policy slab_policy_slab;
INTERNAL extern const struct slab_policy slab_policy_slob;        /* slob.c */
INTERNAL extern const struct slab_policy slab_policy_slob_pages;
INTERNAL extern const struct slab_policy slab_policy_slub;        /* slub.c */
INTERNAL const char *slub_check(struct kmem_cache *c);           /* NULL, or what is wrong */
INTERNAL bool slub_fits(size_t size, bool has_ctor);
INTERNAL bool slob_fits(size_t size, size_t align);
INTERNAL const char *slob_check(void);                             /* NULL, or what is wrong */
/* kmalloc_node, kmem_cache_alloc_node: there is one node, 0 (NUMA_NO_NODE: any). */
static inline bool numa_node_exists(int node) { return node == 0 || node == SS_NUMA_NO_NODE; }
INTERNAL struct slab *slab_offslab_new(struct kmem_cache *c, size_t npages);   /* slab.c */
INTERNAL void slab_offslab_free(struct slab *s, size_t npages);
/* An empty slab is kept, FREE_SLABS_KEPT per cache, only while the cache has no other slab
 * with room; otherwise its pages go back to the buddy tier (SLAB and SLUB). */
#define FREE_SLABS_KEPT 1
static inline bool keep_empty_slab(const struct kmem_cache *c, const struct slab *s)
{
	return c->nr_slabs[SL_FREE] < FREE_SLABS_KEPT && c->nr_slabs[SL_PARTIAL] <= (s->list == SL_PARTIAL);
}
/* What slabinfo says of a cache: the objects of its slabs and its pages per slab. A SLOB
 * cache has no slabs of its own (num 0): its live objects are all it holds. */
static inline size_t cache_num_objs(const struct kmem_cache *c, size_t slabs)
{
	return c->num ? slabs * c->num : c->active_objs;
}
static inline uint32_t cache_pages_per_slab(const struct kmem_cache *c)
{
	return c->num ? 1u << c->order : 0;
}
/* The create flags as readers see them: SS_SLAB_SLOB or SS_SLAB_SLUB only for the policy in
 * effect (a cache too big for the one asked for has SLAB's), SS_SLAB_SLOB for the slob pages. */
static inline uint32_t cache_public_flags(const struct kmem_cache *c)
{
	uint32_t f = c->flags & 0xff & ~(uint32_t)(SS_SLAB_SLOB | SS_SLAB_SLUB);
	if (c->policy == &slab_policy_slob || c->policy == &slab_policy_slob_pages)
		f |= SS_SLAB_SLOB;
	else if (c->policy == &slab_policy_slub)
		f |= SS_SLAB_SLUB;
	return f;
}
INTERNAL extern ss_lock_t cache_list_lock;
INTERNAL extern struct kmem_cache *cache_list;
INTERNAL int  kmem_cache_setup(struct kmem_cache *c, const char *name, size_t size,
			       size_t align, unsigned flags, void (*ctor)(void *));
INTERNAL int  slab_obj_index(const struct kmem_cache *c, const struct slab *s, const void *p);
INTERNAL bool slab_obj_is_free(const struct slab *s, unsigned idx);
INTERNAL int  slab_init(void);
INTERNAL void cache_reap(void);
INTERNAL struct slab *slab_lookup(const void *p, int *idx);
INTERNAL struct slab *slab_of(const void *p);
INTERNAL void *cache_alloc_one(struct kmem_cache *c);
INTERNAL void  cache_free_one(struct kmem_cache *c, void *p);
INTERNAL void *slab_alloc_one_locked(struct kmem_cache *c);
INTERNAL void  slab_put_obj(struct kmem_cache *c, struct slab *s, unsigned idx);

/* debug.c — slab debugging (SLABSCOPE_DEBUG): red zones, poison, owner tracking, checks */
INTERNAL unsigned debug_flags_for(const char *cache_name);
INTERNAL void  debug_check_spec(void);
INTERNAL void  debug_layout(struct kmem_cache *c);
INTERNAL void  debug_init_slab(struct kmem_cache *c, struct slab *s);   /* cache lock held */
INTERNAL void *debug_alloc(struct kmem_cache *c, size_t req);
INTERNAL bool  debug_free(struct kmem_cache *c, void *p, const char *who);
INTERNAL size_t debug_usable(struct kmem_cache *c, const void *p);
/* Medium and mmap blocks ("medium", "mmap" in SLABSCOPE_DEBUG): a right red zone and a
 * checked trailer in DEBUG_BLOCK_PAD bytes added to the request. */
#define DEBUG_BLOCK_PAD 112
INTERNAL extern unsigned debug_medium, debug_mmap;   /* their SS_DEBUG_* flags */
INTERNAL void   debug_blocks_init(void);
INTERNAL void   debug_block_arm(void *p, size_t req, size_t room, uint8_t tier, bool *zeroed);
INTERNAL size_t debug_block_req(void *p, size_t room);
INTERNAL int    debug_block_check(void *p, size_t room, uint8_t tier, bool freeing);

/* stack.c — call stacks without the allocator's own frames */
INTERNAL int   stack_capture(uint64_t *frames, int max);

/* kmalloc.c */
#define NR_KMALLOC_FIXED 64                 /* kmalloc-16 .. kmalloc-16384 */
#define NR_KMALLOC_HOT   8                  /* exact-size classes made for hot sizes */
#define NR_KMALLOC     (NR_KMALLOC_FIXED + NR_KMALLOC_HOT)
#define KMALLOC_MAX    16384
INTERNAL extern struct kmem_cache kmalloc_caches[NR_KMALLOC];
INTERNAL extern struct kmem_cache kmalloc_8;
INTERNAL extern uint8_t kmalloc_lut[KMALLOC_MAX / 16 + 1];   /* (size + 15) / 16 -> class */
INTERNAL extern uint32_t kmalloc_size[NR_KMALLOC];   /* 0: hot class slot not in use yet */
/* What free()'s fast path checks a pointer against (set with the class): the bytes of a
 * slab's objects, and the stride's divisibility magic ceil(2^64 / size): an offset below
 * 2^32 is a multiple of the stride iff offset * magic <= magic - 1 (mod 2^64) (Lemire,
 * Kaser, Kurz, "Faster remainder by direct computation", 2019): one multiplication. */
struct kmalloc_geometry {
	uint64_t magic;
	uint32_t span;                /* objects per slab * size */
};
INTERNAL extern struct kmalloc_geometry kmalloc_geometry[NR_KMALLOC];
INTERNAL int kmalloc_init(void);
INTERNAL void kmalloc_note_refill(unsigned cls, size_t n);
/* The kmalloc class of a request of n <= KMALLOC_MAX bytes: one load, whatever the size. */
static inline unsigned size_class(size_t n)
{
	return kmalloc_lut[(n + 15) >> 4];
}

/* ---- per-thread caches --------------------------------------------------- */
struct thread_stats {                  /* counted off the fast paths (and folded sums) */
	uint64_t malloc_calls, free_calls, calloc_calls, realloc_calls, memalign_calls;
	uint64_t slab_allocs, slab_frees, bytes_requested, bytes_allocated;
	uint64_t reaped_objects;           /* given back by the reap (tcache.c) */
};
#define REAP_PROBES 4
/*
 * Where a thread cache keeps its stacks: slots[offset[cls]] ... for limit[cls] objects.
 * Two layouts (kmalloc.c): a light cache, which every thread starts with, keeps at most 7
 * objects of each class up to 1 KiB and none above, as glibc's tcache does, in one page;
 * a full one, which a thread that keeps its cache busy gets (tcache.c), keeps each
 * class's limit: 64 objects of up to 256 B but 2 of 16 KiB, in five pages.
 */
struct tc_layout {
	uint16_t offset[NR_KMALLOC];
	uint8_t  limit[NR_KMALLOC];
	unsigned slots;                /* stack slots in all */
	size_t   pages;                /* struct tcache, its stacks and (full) reap probes */
};
INTERNAL extern struct tc_layout tc_light, tc_full;
struct tcache {
	struct tcache *next, *prev;    /* registry, for summing statistics */
	struct thread_stats st;        /* st.bytes_requested counts every call */
	uint64_t event_at;             /* malloc's fast path steps aside when st.bytes_requested
	                                * reaches it: the earlier of sample_at and reap_at */
	uint64_t sample_at;            /* the next sampled allocation (events.c) */
	uint64_t reap_at;              /* the next reap of this cache (tcache.c) */
	uint64_t fast_allocs[NR_KMALLOC];   /* malloc() served by the fast path, per class */
	uint64_t fast_frees[NR_KMALLOC];    /* free() served by the fast path, per class */
	uint32_t slow_events;          /* refills and flushes: paces publication */
	uint32_t shard;                /* partial-slab shard this thread fills from */
	uint64_t rng;
	bool     in_sample;
	bool     light;                /* the light layout (tc_light), until upgrade_due is served */
	bool     upgrade_due;          /* busy enough for the full layout: tc_get() swaps it in */
	int      flush_requested;       /* another thread's malloc_trim asks for all of it (tcache.c) */
	const void *caller;            /* debug mode: return address into the caller of malloc & co */
	void   *(*reap_probe)[REAP_PROBES];   /* full layout: what some slots held at the last
	                                       * reap, per class (after the stacks); else NULL */
	uint8_t  count[NR_KMALLOC];    /* objects in each stack */
	uint8_t  batch[NR_KMALLOC];    /* objects the next refill takes (tcache.c) */
	uint8_t  reap_mark[NR_KMALLOC];   /* objects in the stack at the last reap (tcache.c) */
	uint8_t  limit[NR_KMALLOC];    /* this cache's layout: how deep each stack is */
	uint16_t offset[NR_KMALLOC];   /* and where it starts in slots[] */
	void    *slots[];              /* not cleared: only count[] of each stack are valid */
};
/* Stack cls of tc. malloc's and free's fast paths index slots[offset + k] themselves:
 * tc_stack(tc, cls)[k - 1] there cost 0.4-0.5% more instructions (callgrind, churn and
 * threads-small). */
static inline void **tc_stack(struct tcache *tc, unsigned cls)
{
	return tc->slots + tc->offset[cls];
}
/* Call counters; built with -DSS_NO_STATS (libslabscope-nostats.so) to measure their cost. */
#ifdef SS_NO_STATS
#define TC_STAT(tc, field, v) ((void)0)
#define TC_FAST(expr)         ((void)0)
#else
#define TC_STAT(tc, field, v) ((tc)->st.field += (v))
#define TC_FAST(expr)         ((void)(expr))
#endif
INTERNAL extern __thread struct tcache *tc_self __attribute__((tls_model("initial-exec")));
#define TC_DEAD ((struct tcache *)1)
INTERNAL extern bool debug_on;   /* some cache is debugging (debug.c) */
/* Entry points note their caller for owner tracking; costs a branch when not debugging. */
INTERNAL void note_caller_slow(const void *ra);
static inline void note_caller(const void *ra)
{
	if (unlikely(debug_on))
		note_caller_slow(ra);
}
INTERNAL struct tcache *tcache_create(void);
INTERNAL void *tcache_refill(struct tcache *tc, unsigned cls);
INTERNAL void  tcache_flush(struct tcache *tc, unsigned cls, unsigned keep);
INTERNAL void  tcache_flush_all(struct tcache *tc);
INTERNAL void  tcache_event(struct tcache *tc, void *p, size_t n);
INTERNAL void  tcache_request_flush_all(void);
INTERNAL struct tcache *tcache_upgrade(struct tcache *tc);
INTERNAL void  tcache_class_added(unsigned cls);
struct tcache_figures { uint64_t threads, full, cached_bytes; };   /* stats_sum_threads */
INTERNAL void  tcache_count(const struct tcache *tc, struct tcache_figures *f);
static inline void tcache_set_event_at(struct tcache *tc)
{
	tc->event_at = tc->sample_at < tc->reap_at ? tc->sample_at : tc->reap_at;
}

INTERNAL void  tcache_thread_exit(void *arg);
INTERNAL void  tcache_fold_stats(const struct tcache *tc, struct thread_stats *out);
INTERNAL extern ss_lock_t tcache_list_lock;
INTERNAL extern struct tcache *tcache_list;

/* ---- large blocks (mmap path) -------------------------------------------- */
INTERNAL void  *large_alloc(size_t size, size_t align);
INTERNAL bool   large_free(void *p);                /* false: not a large block */
INTERNAL size_t large_usable(const void *p);        /* 0: not a large block */
INTERNAL void  *large_realloc(void *p, size_t size);
INTERNAL void   large_for_each(void (*fn)(uintptr_t addr, size_t map_len, size_t size, void *arg), void *arg);
INTERNAL extern ss_lock_t large_lock;

/* ---- settings (init.c) --------------------------------------------------- */
struct ss_settings {
	size_t mmap_threshold;        /* requests >= this are mmapped */
	size_t trim_threshold;        /* brk top free above this is released */
	size_t top_pad;               /* extra brk growth per sbrk */
	size_t dirty_max;             /* free resident bytes per zone beyond which madvise at once */
	unsigned decay_ms;            /* free pages idle this long are released (0 = never) */
	size_t reap_bytes;            /* a thread reaps its cache after asking for this much (0 = never) */
	size_t small_limit;           /* largest request served by kmalloc-N */
	size_t medium_limit;          /* largest request served by buddy pages */
	bool   mmap_threshold_fixed;  /* set by user: no glibc-style adaptation */
	bool   trim_threshold_fixed;  /* set by user: trim exactly as glibc, no hold */
	bool   abort_on_error;        /* invalid free, corruption: abort (default) or only report */
	char   debug_spec[256];       /* SLABSCOPE_DEBUG, as given (debug.c parses it) */
	uint64_t free_secret;         /* double-free key = secret ^ address */
	uint64_t start_time_ns;       /* CLOCK_REALTIME at initialisation */
};
INTERNAL extern struct ss_settings settings;
INTERNAL extern volatile int ss_initialized;
INTERNAL void ss_init_slow(void);
static inline void ss_init(void) { if (unlikely(!ss_initialized)) ss_init_slow(); }
INTERNAL void settings_update_limits(void);

/* ---- statistics (stats.c) ------------------------------------------------ */
struct global_stats {                 /* updated under the lock of their tier, or atomically */
	uint64_t medium_allocs, medium_frees, medium_bytes;
	uint64_t mmap_allocs, mmap_frees, mmap_bytes, mmap_peak_bytes, mmap_blocks;
	uint64_t brk_grows, brk_trims, bytes_trimmed, brk_failures, heap_peak_bytes;
	uint64_t mmap_zones, alloc_failures, invalid_frees, trim_calls, pages_released;
	uint64_t corruptions;             /* debug mode: damaged objects found */
	struct thread_stats dead_threads; /* threads that exited, and calls without a tcache */
};
INTERNAL extern struct global_stats gstats;
INTERNAL void stats_sum_threads(struct thread_stats *out, struct tcache_figures *f);
struct heap_figures {
	uint64_t heap_bytes, brk_bytes, brk_base, brk_top, free_bytes, dirty_bytes, free_blocks, top_free_bytes;
};
INTERNAL void heap_figures_locked(struct heap_figures *h);   /* page_lock held */
INTERNAL uint64_t live_allocs(const struct thread_stats *t);
INTERNAL void stats_add(struct thread_stats *out, const struct thread_stats *in);   /* atomic adds */
INTERNAL void stats_write_report(void);
#define STAT_ADD(field, v) __atomic_fetch_add(&gstats.field, (v), __ATOMIC_RELAXED)

/* ---- export to other processes (export.c) -------------------------------- */
struct ss_shm_cache;
struct ss_shm_zone;
/* A cache's record as the snapshot has it (cache_list_lock held; takes the cache's lock). */
INTERNAL void export_fill_cache(struct ss_shm_cache *r, struct kmem_cache *c);
/* A zone's record as the snapshot has it (page_lock held). */
INTERNAL void export_fill_zone(struct ss_shm_zone *r, const struct zone *z);
INTERNAL void export_maybe_publish(void);       /* from slow paths, no locks held */
INTERNAL void export_at_exit(void);
INTERNAL void export_fork_child(void);
INTERNAL extern ss_lock_t publish_lock;

/* ---- events for the agent (events.c) ------------------------------------- */
INTERNAL extern ss_lock_t event_lock;
INTERNAL extern volatile bool events_on;
INTERNAL extern volatile size_t sample_mean;
INTERNAL void    event_record(int type, unsigned tier, uint32_t cache_id, const void *addr, size_t size);
struct ss_event;
INTERNAL void    event_push(const struct ss_event *ev, const uint64_t *frames);
INTERNAL void    sample_rearm(struct tcache *tc);
INTERNAL void    sample_taken(struct tcache *tc, void *p, size_t n);
INTERNAL void    sample_freed(const void *p, size_t size);
/* After st.bytes_requested has counted a call: is this allocation sampled, is a reap due? */
static inline void sample_check(struct tcache *tc, void *p, size_t n)
{
	if (tc && unlikely(tc->st.bytes_requested >= tc->event_at))
		tcache_event(tc, p, n);
}

/* ---- fault injection (fault.c) ------------------------------------------ */
INTERNAL extern unsigned fault_armed;   /* 0: off, the only cost is this test */
INTERNAL bool fault_hit(unsigned source);
INTERNAL void fault_from_env(const char *spec);
/*
 * Ask before every sbrk/mmap/mremap that gets memory for the heap: true means fail this
 * call as the kernel would (errno is ENOMEM). source is SS_FAULT_SBRK or SS_FAULT_MMAP.
 */
static inline bool fault_fail(unsigned source)
{
	if (likely(!__atomic_load_n(&fault_armed, __ATOMIC_RELAXED)))
		return false;
	return fault_hit(source);
}

/* ---- output without stdio (print.c) -------------------------------------- */
struct outbuf { char buf[4096]; size_t len; int fd; };
INTERNAL void out_str(struct outbuf *o, const char *s);
INTERNAL void out_u64(struct outbuf *o, uint64_t v);
INTERNAL void out_u64w(struct outbuf *o, uint64_t v, int width);   /* right-aligned */
INTERNAL void out_hex(struct outbuf *o, uintptr_t v);
INTERNAL void out_flush(struct outbuf *o);
INTERNAL void ss_bad_pointer(const char *what, const void *p, const char *detail);
INTERNAL void ss_fatal(const char *what, const char *detail) __attribute__((noreturn));

#endif
