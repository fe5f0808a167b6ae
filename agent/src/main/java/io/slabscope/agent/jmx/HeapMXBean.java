package io.slabscope.agent.jmx;

/** io.slabscope:type=Heap. */
@Doc("The Slabscope brk heap and mmap path: sizes, resident memory, growth and trimming")
public interface HeapMXBean {
    @Doc("Start of the brk heap")
    long getBrkBase();

    @Doc("Program break: end of the brk heap")
    long getBrkTop();

    @Doc("Bytes between the heap base and the program break") @Units("bytes")
    long getBrkBytes();

    @Doc("Bytes of all heap zones (brk heap and mmap zones)") @Units("bytes")
    long getHeapBytes();

    @Doc("Largest heap size so far") @Units("bytes")
    long getHeapPeakBytes();

    @Doc("Free bytes in the buddy free lists") @Units("bytes")
    long getHeapFreeBytes();

    @Doc("Free bytes still resident (not yet given back with madvise)") @Units("bytes")
    long getHeapDirtyBytes();

    @Doc("Free bytes at the top of the brk heap: what a trim could give back") @Units("bytes")
    long getTopFreeBytes();

    @Doc("Resident bytes of the heap zones (mincore; 0 if not measured)") @Units("bytes")
    long getHeapResidentBytes();

    @Doc("Bytes in medium (buddy page run) allocations") @Units("bytes")
    long getMediumBytes();

    @Doc("Bytes in slabs") @Units("bytes")
    long getSlabBytes();

    @Doc("Times the program break moved up (cumulative)")
    long getBrkGrows();

    @Doc("Times the program break moved down (cumulative)")
    long getBrkTrims();

    @Doc("sbrk calls that failed (cumulative)")
    long getBrkFailures();

    @Doc("Bytes given back by moving the break down (cumulative)") @Units("bytes")
    long getBytesTrimmed();

    @Doc("Free pages given back with madvise(MADV_DONTNEED) (cumulative)")
    long getPagesReleased();

    @Doc("Heap zones made with mmap because the break could not move")
    long getMmapZones();

    @Doc("Blocks of the mmap path now")
    long getMmapBlocks();

    @Doc("Bytes of the mmap path now") @Units("bytes")
    long getMmapBytes();

    @Doc("Highest mmap path bytes so far") @Units("bytes")
    long getMmapPeakBytes();

    @Doc("Resident bytes of the mmap path (0 if not measured)") @Units("bytes")
    long getMmapResidentBytes();

    @Doc("Free bytes at the brk top above which the heap is trimmed (set it on io.slabscope:type=Allocator)")
    @Units("bytes")
    long getTrimThreshold();

    @Doc("Extra bytes each time the break grows (M_TOP_PAD)") @Units("bytes")
    long getTopPad();

    @Doc("Free resident bytes per zone above which pages are released at once") @Units("bytes")
    long getDirtyMax();

    @Doc("Free pages idle this long go back to the kernel (0: never)") @Units("ms")
    long getDecayMillis();

    @Doc("A thread reaps its cache (gives back what it did not use, releases unused spare slabs) after asking for "
            + "this many bytes (SLABSCOPE_REAP; 0: never)") @Units("bytes")
    long getReapBytes();

    @Doc("The page layout of every heap zone (one 32-bit entry per page: kind, order, cache, objects in use) and "
            + "the mmap path's blocks, in the binary format of slabscope_shm.h (struct ss_layout_header, "
            + "little-endian), as ss_layout writes it; a new one at most every 500 ms, the last one in between")
    byte[] layout();
}
