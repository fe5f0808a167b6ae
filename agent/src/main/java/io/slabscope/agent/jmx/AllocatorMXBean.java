package io.slabscope.agent.jmx;

import java.util.Map;

/** io.slabscope:type=Allocator. */
@Doc("The Slabscope allocator (libslabscope.so) of this JVM: call and byte totals, thresholds (writable: they "
        + "call mallopt and ss_set_sampling), trim, shrink and validate operations, /proc/slabinfo text. "
        + "Notifications: fragmentation index or internal fragmentation above their thresholds, allocation failures, "
        + "corruptions found by debug mode")
public interface AllocatorMXBean {
    @Doc("Version of the preloaded library (ss_version)")
    String getVersion();

    @Doc("Options the agent runs with")
    String getAgentOptions();

    @Doc("Process id")
    long getPid();

    @Doc("Program (/proc/self/exe)")
    String getExecutable();

    @Doc("Time of the snapshot these figures come from, ms since the epoch") @Units("ms")
    long getSnapshotTime();

    @Doc("Every counter of the allocator (struct ss_shm_global), by its C name")
    Map<String, Long> getCounters();

    @Doc("Calls to malloc (cumulative)")
    long getMallocCalls();

    @Doc("Calls to free (cumulative)")
    long getFreeCalls();

    @Doc("Calls to calloc (cumulative)")
    long getCallocCalls();

    @Doc("Calls to realloc (cumulative)")
    long getReallocCalls();

    @Doc("Calls to memalign, posix_memalign, aligned_alloc, valloc and pvalloc (cumulative)")
    long getMemalignCalls();

    @Doc("Calls to malloc_trim (cumulative)")
    long getTrimCalls();

    @Doc("Bytes asked for by callers (cumulative)") @Units("bytes")
    long getBytesRequested();

    @Doc("Bytes handed out, usable sizes (cumulative)") @Units("bytes")
    long getBytesAllocated();

    @Doc("Internal fragmentation: share of the bytes handed out that nobody asked for, "
            + "100 * (1 - requested / allocated), cumulative") @Units("percent")
    double getInternalFragmentationPercent();

    @Doc("Blocks allocated and not yet freed")
    long getLiveAllocations();

    @Doc("Objects handed out by the slab tier (cumulative)")
    long getSlabAllocations();

    @Doc("Page runs handed out by the buddy (medium) tier (cumulative)")
    long getMediumAllocations();

    @Doc("Blocks given a mapping of their own (cumulative)")
    long getMmapAllocations();

    @Doc("Mapped blocks unmapped (cumulative)")
    long getMmapFrees();

    @Doc("Allocations that failed: NULL returned (cumulative)")
    long getAllocationFailures();

    @Doc("Invalid or double frees reported (cumulative)")
    long getInvalidFrees();

    @Doc("Damaged objects debug mode (SLABSCOPE_DEBUG) found so far: red zones or poison overwritten, free lists "
            + "broken, double frees (0 without debug mode)")
    long getCorruptions();

    @Doc("Page-source calls (sbrk, mmap) failed on purpose by fault injection (SLABSCOPE_FAULT, ss_fault_inject)")
    long getFaultsInjected();

    @Doc("Objects the thread caches' reaps gave back to their slabs: objects of 1 KiB and more that lay unused "
            + "in a thread's cache for a whole reap interval (cumulative)")
    long getReapedObjects();

    @Doc("Threads with a per-thread cache now")
    long getThreads();

    @Doc("Threads whose cache is full (each class's limit, 5 pages); the others' are light (one page, at most 7 "
            + "objects of each class up to 1 KiB) until they get busy")
    long getFullThreadCaches();

    @Doc("Free objects kept in the threads' caches now: memory that only its thread reuses, and that a thread "
            + "which no longer allocates keeps") @Units("bytes")
    long getThreadCacheBytes();

    @Doc("Slab caches now")
    int getSlabCacheCount();

    @Doc("Requests of this size and above get a mapping of their own. Setting it calls "
            + "mallopt(M_MMAP_THRESHOLD, value), 0..33554432, and stops its adaptation") @Units("bytes")
    long getMmapThreshold();

    void setMmapThreshold(long bytes);

    @Doc("Free bytes at the top of the brk heap above which it is trimmed. Setting it calls "
            + "mallopt(M_TRIM_THRESHOLD, value); -1 never trims") @Units("bytes")
    long getTrimThreshold();

    void setTrimThreshold(long bytes);

    @Doc("Mean bytes between sampled allocations. The agent samples while a JFR recording records "
            + "io.slabscope.NativeAllocationSample; setting it calls ss_set_sampling at once and keeps sampling on "
            + "(0: off) whatever the recordings") @Units("bytes")
    long getSamplingInterval();

    void setSamplingInterval(long bytes);

    @Doc("Whether allocations are being sampled now")
    boolean isSamplingActive();

    @Doc("Mean bytes between samples in force now: 0 when not sampling, above SamplingInterval while the agent's "
            + "rate cap (option max-sample-rate) has raised it") @Units("bytes")
    long getCurrentSamplingInterval();

    @Doc("A notification (io.slabscope.fragmentation) is sent when the fragmentation index of all zones at "
            + "FragmentationOrder rises above this value (0..1)")
    double getFragmentationThreshold();

    void setFragmentationThreshold(double threshold);

    @Doc("Buddy order (request of 2^order pages) whose fragmentation index is watched, 0..13")
    int getFragmentationOrder();

    void setFragmentationOrder(int order);

    @Doc("A notification (io.slabscope.internal-fragmentation) is sent when InternalFragmentationPercent rises "
            + "above this value") @Units("percent")
    double getInternalFragmentationThreshold();

    void setInternalFragmentationThreshold(double percent);

    @Doc("Allocator events lost because the ring was full (ss_events_dropped)")
    long getNativeEventsDropped();

    @Doc("Allocator events the agent could not deliver")
    long getAgentEventsDropped();

    @Doc("Allocator events drained by the agent")
    long getEventsDrained();

    @Doc("Sampled allocations whose free has not been seen")
    long getLiveSamples();

    @Doc("Estimated live bytes from sampling: the sum of the weights of live samples") @Units("bytes")
    long getLiveSampledBytes();

    @Doc("malloc_trim(0): gives back this thread's cached objects, empty slabs, the free top of the brk heap "
            + "and free pages (madvise); true if anything was released")
    boolean trim();

    @Doc("Gives every slab cache's empty slabs back to the buddy allocator; returns the pages released")
    long shrinkCaches();

    @Doc("ss_validate(): checks every object of every debugging cache now (red zones, poison, free maps); returns "
            + "the corruptions found, each also notified (io.slabscope.corruption) and recorded (SlabCorruption). "
            + "Needs a shim with debug mode")
    long validate();

    @Doc("This process's /proc/slabinfo (version 2.1), as the allocator writes it (ss_write_slabinfo)")
    String slabinfo();

    @Doc("This process's /proc/buddyinfo, as the allocator writes it (ss_write_buddyinfo)")
    String buddyinfo();
}
