/*
 * slabscope_shm.h — the binary snapshot format, version 1.
 *
 * One format, three ways to get it:
 *   - in the process: ss_snapshot(buf, len) and ss_layout(buf, len) (JNA calls these);
 *   - from outside: /dev/shm/slabscope.<pid> holds the latest snapshot, and
 *     /dev/shm/slabscope.<pid>.layout the latest layout; both mode 0600, owned by the
 *     process's user, removed when it exits.
 *
 * All integers are little-endian (x86-64 native), fields naturally aligned, records
 * reached through the offsets and record sizes in the header, so that a reader of version
 * 1 can read a later version that appends fields. Readers must check magic, version and
 * that every offset + count * record size lies inside what they read.
 *
 * Consistency: `seq` is a seqlock. The writer makes it odd, writes, makes it even again.
 * A reader copies the whole segment, and retries if seq was odd or changed meanwhile.
 *
 * Publication is cheap and needs no thread: the process rewrites the segment from its
 * allocation slow paths at most every SS_PUBLISH_INTERVAL_MS, at exit, and when
 * ss_publish() is called (the Java agent does so on its own period). A reader that wants
 * a fresh layout bumps `layout_request`; the next publication writes the layout file and
 * sets `layout_seq` to that value.
 */
#ifndef SLABSCOPE_SHM_H
#define SLABSCOPE_SHM_H

#include <stdint.h>

#define SS_SHM_MAGIC       0x31504353424c53ull   /* "SLBSCP1" little-endian + NUL */
#define SS_LAYOUT_MAGIC    0x31544c5953424c53ull /* "SLBSYLT1" */
#define SS_SHM_VERSION     1
#define SS_SHM_PREFIX      "/dev/shm/slabscope."
#define SS_SHM_MAX_CACHES  512
#define SS_SHM_MAX_ZONES   256
#define SS_SHM_ORDERS      16                     /* nr_free[] slots; nr_orders are used */
#define SS_PUBLISH_INTERVAL_MS 50

/* Every counter of the process, all uint64_t. */
struct ss_shm_global {
	/* calls per entry point (summed over threads) */
	uint64_t malloc_calls, free_calls, calloc_calls, realloc_calls, memalign_calls, trim_calls;
	/* bytes asked for by callers, and handed out (usable sizes), cumulative */
	uint64_t bytes_requested, bytes_allocated;
	/* slab tier: objects handed to callers / returned, cumulative */
	uint64_t slab_allocs, slab_frees;
	/* medium tier (buddy page runs) */
	uint64_t medium_allocs, medium_frees, medium_bytes;
	/* mmap path */
	uint64_t mmap_allocs, mmap_frees, mmap_blocks, mmap_bytes, mmap_peak_bytes;
	/* brk heap */
	uint64_t brk_grows, brk_trims, brk_failures, bytes_trimmed;
	uint64_t heap_bytes, brk_bytes, brk_base, brk_top, heap_peak_bytes;
	uint64_t heap_free_bytes, heap_dirty_bytes, top_free_bytes, pages_released, mmap_zones;
	/* live allocations, failures, misuse */
	uint64_t live_allocs, alloc_failures, invalid_frees;
	/* thresholds in force */
	uint64_t mmap_threshold, trim_threshold, top_pad, dirty_max, decay_ms;
	/* bytes in slabs (num_objs * size) and in active objects (active_objs * size) */
	uint64_t slab_bytes, slab_active_bytes;
	/* resident bytes of the heap zones (mincore), of mmap-path blocks; 0 if not measured */
	uint64_t heap_resident_bytes, mmap_resident_bytes;
	uint64_t threads;                              /* threads with a cache now */
	/* appended after the first release (readers check global_size) */
	uint64_t corruptions;                          /* debug mode: corruptions found */
	uint64_t faults_injected;                      /* page-source calls failed on purpose */
	uint64_t reap_bytes;                           /* a thread reaps its cache per this many bytes
	                                                * asked for (SLABSCOPE_REAP; 0: never) */
	uint64_t reaped_objects;                       /* objects reaps gave back to their slabs */
	uint64_t thread_cache_bytes;                   /* free objects kept in the threads' caches */
	uint64_t full_thread_caches;                   /* threads whose cache is full (the others'
	                                                * are light: one page, objects up to 1 KiB) */
};

struct ss_shm_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;                          /* sizeof(struct ss_shm_header) */
	uint64_t seq;                                  /* seqlock, odd while being written */
	int32_t  pid;
	uint32_t page_size;
	uint64_t start_time_ns;                        /* CLOCK_REALTIME at start */
	uint64_t publish_time_ns;                      /* CLOCK_REALTIME of this snapshot */
	uint64_t publish_count;
	uint64_t total_size;                           /* bytes of this snapshot */
	uint32_t nr_caches, cache_record_size;
	uint64_t caches_offset;
	uint32_t nr_zones, zone_record_size;
	uint64_t zones_offset;
	uint32_t nr_orders;                            /* buddy orders in use (14) */
	uint32_t global_size;                          /* sizeof(struct ss_shm_global) */
	uint64_t global_offset;
	uint64_t layout_request;                       /* readers bump it */
	uint64_t layout_seq;                           /* request served by the layout file */
	char     exe[128];                             /* program, from /proc/self/exe */
};

/* One kmem_cache: the /proc/slabinfo 2.1 columns and more. */
struct ss_shm_cache {
	char     name[32];
	uint32_t object_size;                          /* as created / class size asked */
	uint32_t size;                                 /* objsize: stride between objects */
	uint32_t align;
	uint32_t objperslab;
	uint32_t pagesperslab;
	uint32_t colour_num;                           /* colours in use: 0..colour_num */
	uint32_t colour_off;                           /* bytes per colour step */
	int32_t  kmalloc_class;                        /* -1 for named caches */
	uint64_t active_objs, num_objs;
	uint64_t active_slabs, num_slabs;
	uint64_t full_slabs, partial_slabs, free_slabs;
	uint64_t allocs, frees, grows, reaps;          /* slab-level traffic */
	uint32_t flags;                                /* create flags (SS_SLAB_SLOB/_SLUB: the policy in
	                                                * effect); bits 8..15 SS_DEBUG_* << 8 */
	uint32_t id;                                   /* index used by layout entries */
};

/* One zone: the brk heap (kind 0) or an mmap zone (kind 1). */
struct ss_shm_zone {
	uint32_t id;
	uint32_t kind;
	uint64_t base, top;                            /* pages [base, top) exist */
	uint64_t free_pages, dirty_pages;
	uint64_t nr_free[SS_SHM_ORDERS];               /* free blocks per order (buddyinfo) */
	uint64_t resident_pages;                       /* pages of [base, top) in memory (mincore) */
};

/*
 * Layout file: header, then for each zone a record and its page entries, then the mmap
 * path's large blocks. Page entry (uint32_t):
 *   bits 0..3   kind: 0 absent, 1 free, 2 slab, 3 medium head, 4 medium tail, 5 metadata
 *   bits 4..7   free: order of the block it belongs to (set on every page of the block);
 *               slab: log2 pages per slab
 *   bits 8..19  slab: cache id (ss_shm_cache.id), 0xfff if above 4094
 *   bits 20..31 slab: objects in use in this slab (saturating at 4095);
 *               free: 1 if the page is resident (dirty), 0 if released
 */
#define SS_PAGE_KIND(e)   ((e) & 0xf)
#define SS_PAGE_ORDER(e)  (((e) >> 4) & 0xf)
#define SS_PAGE_CACHE(e)  (((e) >> 8) & 0xfff)
#define SS_PAGE_INUSE(e)  ((e) >> 20)

struct ss_layout_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint64_t seq;                                  /* seqlock */
	uint64_t request;                              /* the layout_request it answers */
	uint64_t time_ns;
	uint64_t total_size;
	uint32_t nr_zones;
	uint32_t nr_large;
	uint64_t zones_offset;                         /* nr_zones struct ss_layout_zone */
	uint64_t large_offset;                         /* nr_large struct ss_layout_large */
};

struct ss_layout_zone {
	uint32_t id, kind;
	uint64_t base;
	uint64_t npages;
	uint64_t pages_offset;                         /* npages uint32_t entries */
};

struct ss_layout_large {
	uint64_t addr, map_len, size;
};

/*
 * Events, drained in the process by ss_events_drain(buf, len): a sequence of records,
 * each a struct ss_event followed by nframes uint64_t return addresses (innermost first).
 * Sampled allocations are taken about every `interval` bytes (exponential, mean set by
 * ss_set_sampling); a sampled block's free is reported with the same address, so live
 * sampled memory is the allocations without a matching free.
 */
enum ss_event_type {
	SS_EV_ALLOC = 1,       /* sampled allocation: weight = bytes it stands for */
	SS_EV_FREE = 2,        /* free of a sampled allocation */
	SS_EV_MMAP = 3,        /* large block mapped */
	SS_EV_MUNMAP = 4,      /* large block unmapped */
	SS_EV_BRK_GROW = 5,    /* heap grown: addr = old top, size = bytes */
	SS_EV_BRK_TRIM = 6,    /* heap trimmed: addr = new top, size = bytes */
	SS_EV_FAIL = 7,        /* allocation failed: size = bytes asked */
	SS_EV_INVALID_FREE = 8, /* invalid or double free reported: addr */
	SS_EV_CORRUPTION = 9   /* debug mode found a damaged object: see below */
};
/*
 * SS_EV_CORRUPTION: tier and cache_id name the cache, addr the object, size its size,
 * weight the address of the first damaged byte, reserved the kind (enum ss_corruption),
 * tid the thread that last allocated (or freed) the object, 0 if not tracked, and the
 * frames that owner's call stack (debug flag U), none without it.
 */
enum ss_corruption {
	SS_CORRUPT_REDZONE_LEFT = 1,   /* bytes before the object overwritten (underflow) */
	SS_CORRUPT_REDZONE_RIGHT = 2,  /* bytes after the object overwritten (overflow) */
	SS_CORRUPT_POISON = 3,         /* a free object written to (use after free) */
	SS_CORRUPT_FREELIST = 4,       /* slab metadata or free map inconsistent */
	SS_CORRUPT_DOUBLE_FREE = 5     /* an object freed twice (with its last owner) */
};
enum ss_tier { SS_TIER_SLAB = 1, SS_TIER_MEDIUM = 2, SS_TIER_MMAP = 3 };

struct ss_event {
	uint16_t type;
	uint16_t nframes;
	uint16_t tier;
	uint16_t cache_id;     /* slab tier: ss_shm_cache.id */
	int32_t  tid;          /* kernel thread id */
	uint32_t reserved;
	uint64_t time_ns;      /* CLOCK_REALTIME when it happened */
	uint64_t addr;
	uint64_t size;         /* bytes asked (usable for frees) */
	uint64_t weight;       /* sampled allocations: bytes this sample stands for */
};
#define SS_EVENT_MAX_FRAMES 32

#endif
