package io.slabscope.agent.jfr;

import io.slabscope.model.SlabCache;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** One kmem_cache, once per period: the /proc/slabinfo 2.1 columns and more. */
@Name(SlabCacheEvent.NAME)
@Label("Slab Cache")
@Description("One slab cache of the Slabscope allocator (a line of /proc/slabinfo): objects, slabs, usage")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class SlabCacheEvent extends Event {
    public static final String NAME = "io.slabscope.SlabCache";

    @Label("Snapshot") @Description("CLOCK_REALTIME nanoseconds of the allocator snapshot these figures come from: "
            + "the periodic events written from one snapshot share it") @Unsigned
    public long snapshotNanos;
    @Label("Name") @Description("Cache name, e.g. kmalloc-64")
    public String name;
    @Label("Active Objects") @Description("Objects allocated (slabinfo active_objs)") @Unsigned
    public long activeObjs;
    @Label("Objects") @Description("Objects in all slabs (slabinfo num_objs)") @Unsigned
    public long numObjs;
    @Label("Object Size") @Description("Stride between objects (slabinfo objsize)") @DataAmount @Unsigned
    public int objSize;
    @Label("Objects per Slab") @Description("slabinfo objperslab") @Unsigned
    public int objPerSlab;
    @Label("Pages per Slab") @Description("slabinfo pagesperslab") @Unsigned
    public int pagesPerSlab;
    @Label("Active Slabs") @Description("Slabs with at least one object allocated (slabinfo active_slabs)") @Unsigned
    public long activeSlabs;
    @Label("Slabs") @Description("All slabs (slabinfo num_slabs)") @Unsigned
    public long numSlabs;
    @Label("Full Slabs") @Description("Slabs with every object allocated") @Unsigned
    public long fullSlabs;
    @Label("Partial Slabs") @Description("Slabs with some objects allocated") @Unsigned
    public long partialSlabs;
    @Label("Free Slabs") @Description("Slabs with no object allocated") @Unsigned
    public long freeSlabs;
    @Label("Usage") @Description("Active objects / objects") @Percentage
    public double usage;
    @Label("Cache Size") @Description("Bytes of the cache's slabs: slabs * pages per slab * page size") @DataAmount
    @Unsigned
    public long cacheSize;
    @Label("Active Bytes") @Description("Bytes of allocated objects: active objects * object size") @DataAmount
    @Unsigned
    public long activeBytes;
    @Label("Requested Object Size") @Description("Object size as created (or the class size asked for)")
    @DataAmount @Unsigned
    public int objectSize;
    @Label("Alignment") @Description("Object alignment") @DataAmount @Unsigned
    public int align;
    @Label("Allocations") @Description("Objects handed out at slab level (cumulative)") @Unsigned
    public long allocs;
    @Label("Frees") @Description("Objects returned at slab level (cumulative)") @Unsigned
    public long frees;
    @Label("Grows") @Description("Slabs created (cumulative)") @Unsigned
    public long grows;
    @Label("Reaps") @Description("Slabs given back (cumulative)") @Unsigned
    public long reaps;
    @Label("kmalloc Cache") @Description("A general kmalloc-N cache (false: a named cache made with kmem_cache_create)")
    public boolean kmalloc;
    @Label("Cache Id") @Description("Index used by layout page entries and sampled allocations") @Unsigned
    public int cacheId;
    @Label("Debug Flags") @Description("Debug mode of the cache (SLABSCOPE_DEBUG): F sanity checks, Z red zones, "
            + "P poisoning, U owner tracking; empty when not debugging")
    public String debug;
    @Label("Policy") @Description("Slab policy: slab (free bitmaps, colouring, per-thread caches), slob (objects "
            + "first fit in shared pages) or slub (a freelist through the free objects)")
    public String policy;

    public SlabCacheEvent fill(SlabCache c, long snapshot) {
        snapshotNanos = snapshot;
        name = c.name();
        activeObjs = c.activeObjs();
        numObjs = c.numObjs();
        objSize = c.size();
        objPerSlab = c.objPerSlab();
        pagesPerSlab = c.pagesPerSlab();
        activeSlabs = c.activeSlabs();
        numSlabs = c.numSlabs();
        fullSlabs = c.fullSlabs();
        partialSlabs = c.partialSlabs();
        freeSlabs = c.freeSlabs();
        usage = c.usagePercent() / 100.0;
        cacheSize = c.cacheSizeBytes();
        activeBytes = c.activeBytes();
        objectSize = c.objectSize();
        align = c.align();
        allocs = c.allocs();
        frees = c.frees();
        grows = c.grows();
        reaps = c.reaps();
        kmalloc = c.isKmalloc();
        cacheId = c.id();
        debug = io.slabscope.model.SlabDebug.letters(c.debugFlags());
        policy = c.policy();
        return this;
    }
}
