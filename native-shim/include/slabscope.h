/*
 * slabscope.h — public interface of libslabscope.so.
 *
 * Loaded with LD_PRELOAD, the library replaces the whole malloc family. This header adds
 * what malloc cannot say: named object caches with the Linux kernel's interface
 * (kmem_cache_create / alloc / free / shrink / destroy) and kmalloc/kfree.
 *
 * Programs that want the kernel's own names (kmem_cache_create, kmalloc_node, GFP_KERNEL...)
 * can define SLABSCOPE_KERNEL_NAMES before including this header.
 */
#ifndef SLABSCOPE_H
#define SLABSCOPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SS_CACHE_NAME_MAX 32
#define SS_API __attribute__((visibility("default")))

/* kmem_cache_create flags */
#define SS_SLAB_HWCACHE_ALIGN 0x1   /* align objects to the cache line (64 B) */
#define SS_SLAB_NO_COLOUR     0x2   /* do not colour this cache's slabs */
#define SS_SLAB_PANIC         0x4   /* abort instead of returning NULL on create failure */
/*
 * The SLOB policy (the kernel's allocator for tiny systems): the cache has no slabs of its
 * own; its objects are placed first fit, in 16-byte units, in pages shared with every other
 * SLOB cache, so a cache of a few objects costs those objects, not a slab. Slower (a list
 * walk, one lock for all SLOB caches); no debug mode; the constructor runs at every
 * allocation, as in the kernel's SLOB. For objects up to 1 KiB aligned to at most 256 bytes;
 * a bigger cache gets the SLAB policy. Its objects must be freed with ss_kmem_cache_free.
 * The shared pages show as a cache named "slob" (a name no other cache may take).
 */
#define SS_SLAB_SLOB          0x8
/*
 * The SLUB policy (the kernel's default allocator): slabs without a free bitmap; each free
 * object holds a hardened link to the next one (its first word, or a word after it when
 * the cache has a constructor). Less metadata per slab than SLAB; no per-thread cache, no
 * debug mode. A double free and an overwritten link are reported. For objects up to 16 KiB;
 * a bigger cache gets the SLAB policy.
 */
#define SS_SLAB_SLUB          0x10

struct kmem_cache;

/*
 * Create a cache of objects of `size` bytes aligned to `align` (0 = 8, or the cache line
 * with SS_SLAB_HWCACHE_ALIGN). `ctor`, if given, runs once on every object when its slab
 * is created, as in the kernel: objects must be freed back in their constructed state.
 * Returns NULL with errno EINVAL (bad arguments, name already in use) or ENOMEM.
 */
SS_API struct kmem_cache *ss_kmem_cache_create(const char *name, size_t size, size_t align,
					unsigned flags, void (*ctor)(void *));
SS_API void  *ss_kmem_cache_alloc(struct kmem_cache *cache);
SS_API void   ss_kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Give the cache's empty slabs back to the buddy allocator; returns pages released. */
SS_API size_t ss_kmem_cache_shrink(struct kmem_cache *cache);
/* The calling thread's cached objects back to their slabs, then every cache shrunk (named and
 * kmalloc-N): the pages released, exactly (malloc_trim does this first). Every other thread
 * gives back its cached objects at its next malloc. */
SS_API size_t ss_shrink_caches(void);
/* Destroy an empty cache: 0, or -1 with errno EBUSY while objects are still allocated. */
SS_API int    ss_kmem_cache_destroy(struct kmem_cache *cache);
SS_API const char *ss_kmem_cache_name(const struct kmem_cache *cache);

/* kmalloc/kfree: malloc with the kernel's size classes, including kmalloc-8. */
SS_API void  *ss_kmalloc(size_t size);
SS_API void   ss_kfree(void *p);
/*
 * The kernel's NUMA variants, kmalloc_node and kmem_cache_alloc_node. This allocator has one
 * node, 0 (its buddyinfo says "Node 0"): `node` is 0 or SS_NUMA_NO_NODE (any node); another
 * node gives NULL with errno EINVAL.
 */
#define SS_NUMA_NO_NODE (-1)
SS_API void  *ss_kmalloc_node(size_t size, int node);
SS_API void  *ss_kmem_cache_alloc_node(struct kmem_cache *cache, int node);

/* Write /proc/slabinfo 2.1 and /proc/buddyinfo style text of this process to fd. */
SS_API void   ss_write_slabinfo(int fd);
SS_API void   ss_write_buddyinfo(int fd);
/* The kernel's extfrag/unusable_index and extfrag/extfrag_index, per zone and order. */
SS_API void   ss_write_extfrag(int fd);

/*
 * Introspection, in the binary format of slabscope_shm.h. Each returns the number of bytes
 * the snapshot needs and writes it only when `len` is at least that (call with len 0 to
 * size the buffer; sizes can grow between calls, so leave room).
 */
SS_API size_t ss_snapshot(void *buf, size_t len);
SS_API size_t ss_layout(void *buf, size_t len);
/* Rewrite /dev/shm/slabscope.<pid> (and the layout file if a reader asked) now. */
SS_API void   ss_publish(void);
/*
 * Events for the Java agent (format in slabscope_shm.h). ss_set_sampling(bytes) turns
 * allocation sampling on with that mean interval (0: off); tier events (mmap, brk, failures)
 * are recorded while events are on. ss_events_drain copies whole records into buf and
 * returns the bytes written; ss_events_dropped counts records lost to a full buffer.
 */
SS_API void     ss_set_sampling(size_t mean_interval_bytes);
SS_API void     ss_set_events(int on);
SS_API size_t   ss_events_drain(void *buf, size_t len);
SS_API uint64_t ss_events_dropped(void);
/*
 * Slab debugging, as the kernel's slub_debug. Chosen at start by SLABSCOPE_DEBUG (see
 * native-shim/README.md): "FZPU" for every cache, "FZ,kmalloc-64,my_obj;P,kmalloc-128" per
 * cache, "1" or "all" for FZPU. A corruption found is reported on stderr (cache, object,
 * address, bytes found, last owner) and as an SS_EV_CORRUPTION event, then aborts unless
 * SLABSCOPE_ABORT=0, in which case the damaged bytes are repaired and the program goes on.
 */
#define SS_DEBUG_CHECKS  0x1   /* F: sanity checks of free maps and slab metadata */
#define SS_DEBUG_REDZONE 0x2   /* Z: red zones before and after every object */
#define SS_DEBUG_POISON  0x4   /* P: freed objects filled with 0x6b, fresh ones with 0x5a */
#define SS_DEBUG_TRACK   0x8   /* U: allocating and freeing call site and thread per object */
#define SS_DEBUG_STACKS  0x10  /* S: with U, whole call stacks instead of call sites (slow) */
/* The debug flags of a cache (0: not debugging). */
SS_API unsigned ss_kmem_cache_debug(const struct kmem_cache *cache);
/* Check every object of every debugging cache now (red zones, poison, free maps); returns
 * the corruptions found, each reported as above. */
SS_API size_t   ss_validate(void);
/* Corruptions found since the start (debug mode), reported or not yet aborted on. */
SS_API uint64_t ss_corruptions(void);

/*
 * Fault injection, for tests: after `skip` more calls to the chosen page sources succeed,
 * the next `count` fail as the kernel fails them (sbrk: -1, mmap/mremap: MAP_FAILED, errno
 * ENOMEM); count 0 turns injection off. Also set at start by
 * SLABSCOPE_FAULT=sbrk,mmap[:skip[:count]].
 */
#define SS_FAULT_SBRK 0x1
#define SS_FAULT_MMAP 0x2
SS_API void     ss_fault_inject(unsigned sources, uint64_t skip, uint64_t count);
/* Calls failed on purpose so far. */
SS_API uint64_t ss_faults_injected(void);

/* "slabscope <version> shm <format version>" */
SS_API const char *ss_version(void);

#ifdef SLABSCOPE_KERNEL_NAMES
#define kmem_cache_create  ss_kmem_cache_create
#define kmem_cache_alloc(c, gfp) ss_kmem_cache_alloc(c)
#define kmem_cache_free    ss_kmem_cache_free
#define kmem_cache_shrink  ss_kmem_cache_shrink
#define kmem_cache_destroy ss_kmem_cache_destroy
#define kmem_cache_alloc_node(c, gfp, node) ss_kmem_cache_alloc_node(c, node)
#define kmalloc(n, gfp)    ss_kmalloc(n)
#define kmalloc_node(n, gfp, node) ss_kmalloc_node(n, node)
#define kfree              ss_kfree
#define NUMA_NO_NODE       SS_NUMA_NO_NODE
#define GFP_KERNEL         0   /* gfp flags are accepted and ignored: there is no reclaim here */
#define GFP_ATOMIC         0
#define SLAB_HWCACHE_ALIGN SS_SLAB_HWCACHE_ALIGN
#define SLAB_PANIC         SS_SLAB_PANIC
#endif

#ifdef __cplusplus
}
#endif
#endif
