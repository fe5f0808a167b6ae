package io.slabscope.agent.jmx;

/** io.slabscope:type=SlabCache,name="..." */
@Doc("One slab cache of the Slabscope allocator: a line of /proc/slabinfo and more. Registered when the cache "
        + "appears, unregistered when it is destroyed")
public interface SlabCacheMXBean {
    @Doc("Cache name")
    String getName();

    @Doc("Objects allocated (slabinfo active_objs)")
    long getActiveObjects();

    @Doc("Objects in all slabs (slabinfo num_objs)")
    long getObjects();

    @Doc("Stride between objects (slabinfo objsize)") @Units("bytes")
    int getObjectSize();

    @Doc("Object size as created (or the class size asked for)") @Units("bytes")
    int getRequestedObjectSize();

    @Doc("Object alignment") @Units("bytes")
    int getAlign();

    @Doc("Objects per slab (slabinfo objperslab)")
    int getObjectsPerSlab();

    @Doc("Pages per slab (slabinfo pagesperslab)")
    int getPagesPerSlab();

    @Doc("Slabs with at least one object allocated (slabinfo active_slabs)")
    long getActiveSlabs();

    @Doc("All slabs (slabinfo num_slabs)")
    long getSlabs();

    @Doc("Slabs with every object allocated")
    long getFullSlabs();

    @Doc("Slabs with some objects allocated")
    long getPartialSlabs();

    @Doc("Slabs with no object allocated")
    long getFreeSlabs();

    @Doc("Active objects / objects") @Units("percent")
    double getUsagePercent();

    @Doc("Bytes of the cache's slabs") @Units("bytes")
    long getCacheSize();

    @Doc("Bytes of allocated objects") @Units("bytes")
    long getActiveBytes();

    @Doc("Objects handed out at slab level (cumulative)")
    long getAllocations();

    @Doc("Objects returned at slab level (cumulative)")
    long getFrees();

    @Doc("Slabs created (cumulative)")
    long getGrows();

    @Doc("Slabs given back (cumulative)")
    long getReaps();

    @Doc("Colours in use (slab colour offsets 0..ColourCount)")
    int getColourCount();

    @Doc("Bytes per colour step") @Units("bytes")
    int getColourOffset();

    @Doc("A general kmalloc-N cache (false: a named cache made with kmem_cache_create)")
    boolean isKmalloc();

    @Doc("Index used by layout page entries")
    int getCacheId();

    @Doc("Slab policy: slab (SLAB: free bitmaps, colouring, per-thread caches), slob (objects first fit in pages "
            + "all SLOB caches share; the cache named slob holds those pages) or slub (a freelist through the free "
            + "objects, no bitmap)")
    String getPolicy();

    @Doc("False once the cache is gone (the MBean is unregistered at the next period)")
    boolean isPresent();
}
