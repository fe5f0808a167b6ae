package io.slabscope.agent.jfr;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.Snapshot;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Unsigned;

/** Every global counter of the shim, once per period. */
@Name(HeapSummaryEvent.NAME)
@Label("Native Heap Summary")
@Description("The Slabscope allocator's global counters (libslabscope.so, struct ss_shm_global): calls, bytes "
        + "requested and handed out, live allocations, brk heap, mmap path, resident memory, trimming and the "
        + "thresholds in force")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class HeapSummaryEvent extends Event {
    public static final String NAME = "io.slabscope.HeapSummary";

    @Label("Snapshot") @Description("CLOCK_REALTIME nanoseconds of the allocator snapshot these figures come from: "
            + "the periodic events written from one snapshot share it") @Unsigned
    public long snapshotNanos;
    @Label("malloc Calls") @Description("Calls to malloc (cumulative)") @Unsigned
    public long mallocCalls;
    @Label("free Calls") @Description("Calls to free (cumulative)") @Unsigned
    public long freeCalls;
    @Label("calloc Calls") @Description("Calls to calloc (cumulative)") @Unsigned
    public long callocCalls;
    @Label("realloc Calls") @Description("Calls to realloc (cumulative)") @Unsigned
    public long reallocCalls;
    @Label("memalign Calls") @Description("Calls to memalign, posix_memalign, aligned_alloc, valloc, pvalloc "
            + "(cumulative)") @Unsigned
    public long memalignCalls;
    @Label("malloc_trim Calls") @Description("Calls to malloc_trim (cumulative)") @Unsigned
    public long trimCalls;

    @Label("Bytes Requested") @Description("Bytes asked for by callers (cumulative)") @DataAmount @Unsigned
    public long bytesRequested;
    @Label("Bytes Allocated") @Description("Bytes handed out, usable sizes (cumulative)") @DataAmount @Unsigned
    public long bytesAllocated;
    @Label("Internal Fragmentation")
    @Description("Share of the bytes handed out that nobody asked for: 1 - requested / allocated (cumulative)")
    @Percentage
    public double internalFragmentation;
    @Label("Live Allocations") @Description("Blocks allocated and not yet freed") @Unsigned
    public long liveAllocations;

    @Label("Slab Allocations") @Description("Objects handed out by the slab tier (cumulative)") @Unsigned
    public long slabAllocs;
    @Label("Slab Frees") @Description("Objects returned to the slab tier (cumulative)") @Unsigned
    public long slabFrees;
    @Label("Slab Bytes") @Description("Bytes of all objects in slabs (num_objs * size)") @DataAmount @Unsigned
    public long slabBytes;
    @Label("Slab Active Bytes") @Description("Bytes of allocated slab objects (active_objs * size)") @DataAmount
    @Unsigned
    public long slabActiveBytes;
    @Label("Medium Allocations") @Description("Page runs handed out by the buddy tier (cumulative)") @Unsigned
    public long mediumAllocs;
    @Label("Medium Frees") @Description("Page runs returned to the buddy tier (cumulative)") @Unsigned
    public long mediumFrees;
    @Label("Medium Bytes") @Description("Bytes in medium (buddy page run) allocations now") @DataAmount @Unsigned
    public long mediumBytes;

    @Label("mmap Allocations") @Description("Blocks given a mapping of their own (cumulative)") @Unsigned
    public long mmapAllocs;
    @Label("mmap Frees") @Description("Mapped blocks unmapped (cumulative)") @Unsigned
    public long mmapFrees;
    @Label("mmap Blocks") @Description("Mapped blocks now") @Unsigned
    public long mmapBlocks;
    @Label("mmap Bytes") @Description("Bytes of mapped blocks now") @DataAmount @Unsigned
    public long mmapBytes;
    @Label("mmap Peak") @Description("Highest mmap bytes so far") @DataAmount @Unsigned
    public long mmapPeakBytes;
    @Label("mmap Resident") @Description("Resident bytes of mapped blocks (0 if not measured)") @DataAmount @Unsigned
    public long mmapResidentBytes;

    @Label("Heap Size") @Description("Bytes of all heap zones (brk heap and mmap zones)") @DataAmount @Unsigned
    public long heapBytes;
    @Label("brk Heap Size") @Description("Bytes between the heap base and the program break") @DataAmount @Unsigned
    public long brkBytes;
    @Label("brk Base") @Description("Start of the brk heap") @MemoryAddress
    public long brkBase;
    @Label("brk Top") @Description("Program break: end of the brk heap") @MemoryAddress
    public long brkTop;
    @Label("Heap Peak") @Description("Largest heap size so far") @DataAmount @Unsigned
    public long heapPeakBytes;
    @Label("Heap Free") @Description("Free bytes in the buddy free lists") @DataAmount @Unsigned
    public long heapFreeBytes;
    @Label("Heap Free Dirty") @Description("Free bytes still resident (not yet given back with madvise)")
    @DataAmount @Unsigned
    public long heapDirtyBytes;
    @Label("Top Free") @Description("Free bytes at the top of the brk heap (what a trim could give back)")
    @DataAmount @Unsigned
    public long topFreeBytes;
    @Label("Heap Resident") @Description("Resident bytes of the heap zones (mincore; 0 if not measured)") @DataAmount
    @Unsigned
    public long heapResidentBytes;
    @Label("mmap Zones") @Description("Heap zones made with mmap because the break could not move") @Unsigned
    public long mmapZones;

    @Label("brk Grows") @Description("Times the program break moved up (cumulative)") @Unsigned
    public long brkGrows;
    @Label("brk Trims") @Description("Times the program break moved down (cumulative)") @Unsigned
    public long brkTrims;
    @Label("brk Failures") @Description("sbrk calls that failed (cumulative)") @Unsigned
    public long brkFailures;
    @Label("Bytes Trimmed") @Description("Bytes given back by moving the break down (cumulative)") @DataAmount
    @Unsigned
    public long bytesTrimmed;
    @Label("Pages Released") @Description("Free pages given back with madvise(MADV_DONTNEED) (cumulative)")
    @Unsigned
    public long pagesReleased;

    @Label("Allocation Failures") @Description("Allocations that returned NULL (cumulative)") @Unsigned
    public long allocFailures;
    @Label("Invalid Frees") @Description("Invalid or double frees reported (cumulative)") @Unsigned
    public long invalidFrees;
    @Label("Corruptions") @Description("Damaged objects debug mode (SLABSCOPE_DEBUG) found: red zones or poison "
            + "overwritten, free lists broken, double frees (cumulative; 0 without debug mode)") @Unsigned
    public long corruptions;
    @Label("Faults Injected") @Description("Page-source calls (sbrk, mmap) failed on purpose by fault injection "
            + "(SLABSCOPE_FAULT, ss_fault_inject; cumulative)") @Unsigned
    public long faultsInjected;
    @Label("Reaped Objects") @Description("Objects the thread caches' reaps gave back to their slabs (cumulative)")
    @Unsigned
    public long reapedObjects;

    @Label("mmap Threshold") @Description("Requests of this size and above get a mapping of their own")
    @DataAmount @Unsigned
    public long mmapThreshold;
    @Label("Trim Threshold") @Description("Free bytes at the brk top above which the heap is trimmed") @DataAmount
    @Unsigned
    public long trimThreshold;
    @Label("Top Pad") @Description("Extra bytes each time the break grows") @DataAmount @Unsigned
    public long topPad;
    @Label("Dirty Maximum") @Description("Free resident bytes per zone above which pages are released at once")
    @DataAmount @Unsigned
    public long dirtyMax;
    @Label("Decay Time") @Description("Free pages idle this long go back to the kernel (0: never)")
    @Timespan(Timespan.MILLISECONDS)
    public long decay;
    @Label("Reap Interval") @Description("A thread reaps its cache after asking for this many bytes "
            + "(SLABSCOPE_REAP; 0: never)") @DataAmount @Unsigned
    public long reapBytes;
    @Label("Threads") @Description("Threads with a per-thread cache now") @Unsigned
    public long threads;
    @Label("Full Thread Caches") @Description("Threads whose cache is full (each class's limit, 5 pages); the "
            + "others' are light (one page, at most 7 objects of each class up to 1 KiB) until they get busy")
    @Unsigned
    public long fullThreadCaches;
    @Label("Thread Cache Bytes") @Description("Free objects kept in the threads' caches now, in bytes: memory "
            + "that only its thread reuses, and that a thread which no longer allocates keeps") @DataAmount
    @Unsigned
    public long threadCacheBytes;

    /** Share of handed-out bytes nobody asked for, in [0, 1]. */
    public static double internalFragmentation(GlobalStats g) {
        return g.bytesAllocated() <= 0 ? 0.0
                : Math.max(0.0, 1.0 - (double) g.bytesRequested() / (double) g.bytesAllocated());
    }

    /** Fills the fields from a snapshot. */
    public HeapSummaryEvent fill(Snapshot s) {
        GlobalStats g = s.global();
        snapshotNanos = s.publishTimeNs();
        mallocCalls = g.mallocCalls();
        freeCalls = g.freeCalls();
        callocCalls = g.callocCalls();
        reallocCalls = g.reallocCalls();
        memalignCalls = g.memalignCalls();
        trimCalls = g.trimCalls();
        bytesRequested = g.bytesRequested();
        bytesAllocated = g.bytesAllocated();
        internalFragmentation = internalFragmentation(g);
        liveAllocations = g.liveAllocs();
        slabAllocs = g.slabAllocs();
        slabFrees = g.slabFrees();
        slabBytes = g.slabBytes();
        slabActiveBytes = g.slabActiveBytes();
        mediumAllocs = g.mediumAllocs();
        mediumFrees = g.mediumFrees();
        mediumBytes = g.mediumBytes();
        mmapAllocs = g.mmapAllocs();
        mmapFrees = g.mmapFrees();
        mmapBlocks = g.mmapBlocks();
        mmapBytes = g.mmapBytes();
        mmapPeakBytes = g.mmapPeakBytes();
        mmapResidentBytes = g.mmapResidentBytes();
        heapBytes = g.heapBytes();
        brkBytes = g.brkBytes();
        brkBase = g.brkBase();
        brkTop = g.brkTop();
        heapPeakBytes = g.heapPeakBytes();
        heapFreeBytes = g.heapFreeBytes();
        heapDirtyBytes = g.heapDirtyBytes();
        topFreeBytes = g.topFreeBytes();
        heapResidentBytes = g.heapResidentBytes();
        mmapZones = g.mmapZones();
        brkGrows = g.brkGrows();
        brkTrims = g.brkTrims();
        brkFailures = g.brkFailures();
        bytesTrimmed = g.bytesTrimmed();
        pagesReleased = g.pagesReleased();
        allocFailures = g.allocFailures();
        invalidFrees = g.invalidFrees();
        corruptions = g.corruptions();
        faultsInjected = g.faultsInjected();
        reapedObjects = g.reapedObjects();
        mmapThreshold = g.mmapThreshold();
        trimThreshold = g.trimThreshold();
        topPad = g.topPad();
        dirtyMax = g.dirtyMax();
        decay = g.decayMs();
        reapBytes = g.reapBytes();
        threads = g.threads();
        fullThreadCaches = g.fullThreadCaches();
        threadCacheBytes = g.threadCacheBytes();
        return this;
    }
}
