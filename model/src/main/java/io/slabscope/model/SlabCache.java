package io.slabscope.model;

import java.util.Objects;

/**
 * One kmem_cache ({@code struct ss_shm_cache}): the /proc/slabinfo 2.1 columns and more.
 *
 * @param name           cache name, e.g. {@code kmalloc-64}
 * @param objectSize     object size as created (or the class size asked for)
 * @param size           objsize: the stride between objects
 * @param align          object alignment
 * @param objPerSlab     objects per slab
 * @param pagesPerSlab   pages per slab
 * @param colourNum      colours in use (slab colour offsets 0..colourNum)
 * @param colourOff      bytes per colour step
 * @param kmallocClass   index of the kmalloc class, -1 for a named cache
 * @param activeObjs     objects allocated
 * @param numObjs        objects in all slabs
 * @param activeSlabs    slabs with at least one object allocated
 * @param numSlabs       all slabs
 * @param fullSlabs      slabs with every object allocated
 * @param partialSlabs   slabs with some objects allocated
 * @param freeSlabs      slabs with no object allocated
 * @param allocs         objects handed out (cumulative, slab level)
 * @param frees          objects returned (cumulative, slab level)
 * @param grows          slabs created (cumulative)
 * @param reaps          slabs given back (cumulative)
 * @param flags          creation flags (SS_SLAB_*); bits 8..15 the debug flags (SS_DEBUG_* &lt;&lt; 8)
 * @param id             index used by layout page entries
 * @param cacheSizeBytes bytes of the cache's slabs: numSlabs * pagesPerSlab * page size
 */
public record SlabCache(
        String name,
        int objectSize,
        int size,
        int align,
        int objPerSlab,
        int pagesPerSlab,
        int colourNum,
        int colourOff,
        int kmallocClass,
        long activeObjs,
        long numObjs,
        long activeSlabs,
        long numSlabs,
        long fullSlabs,
        long partialSlabs,
        long freeSlabs,
        long allocs,
        long frees,
        long grows,
        long reaps,
        int flags,
        int id,
        long cacheSizeBytes) {

    public SlabCache {
        Objects.requireNonNull(name, "name");
    }

    /** Objects in use as a percentage of the objects in the slabs (0 for an empty cache). */
    public double usagePercent() {
        return numObjs == 0 ? 0.0 : activeObjs * 100.0 / numObjs;
    }

    /** Bytes of allocated objects: activeObjs * size. */
    public long activeBytes() {
        return activeObjs * size;
    }

    /** Bytes of all objects in the slabs: numObjs * size. */
    public long objectBytes() {
        return numObjs * size;
    }

    public boolean isKmalloc() {
        return kmallocClass >= 0;
    }

    /** SS_SLAB_SLOB and SS_SLAB_SLUB in {@link #flags()}: the policy in effect. */
    static final int FLAG_SLOB = 0x8;
    static final int FLAG_SLUB = 0x10;

    /**
     * The slab policy of the cache: "slab" (SLAB: free bitmaps, colouring, per-thread caches),
     * "slob" (objects first fit in pages shared by all SLOB caches; also the cache of those pages,
     * named slob) or "slub" (a freelist through the free objects, no bitmap).
     */
    public String policy() {
        return (flags & FLAG_SLOB) != 0 ? "slob" : (flags & FLAG_SLUB) != 0 ? "slub" : "slab";
    }

    /** The flag bits of a {@link #policy()} name (for sources that carry the name: JMX, JFR); 0 for slab, unknown or null. */
    public static int policyFlags(String policy) {
        return "slob".equals(policy) ? FLAG_SLOB : "slub".equals(policy) ? FLAG_SLUB : 0;
    }

    /** The cache's debug flags ({@link SlabDebug}: F checks, Z red zones, P poison, U owners, S stacks), 0 if not debugging. */
    public int debugFlags() {
        return (flags >>> 8) & 0xff;
    }
}
