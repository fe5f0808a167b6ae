package io.slabscope.agent.jmx;

/** io.slabscope:type=Buddy. */
@Doc("The Slabscope buddy allocator: free blocks per order (/proc/buddyinfo) and external fragmentation per "
        + "order with the Linux kernel's formulas (unusable free space index, fragmentation index)")
public interface BuddyMXBean {
    @Doc("Orders in use (blocks of 2^0 .. 2^(Orders-1) pages)")
    int getOrders();

    @Doc("Page size") @Units("bytes")
    int getPageSize();

    @Doc("Zone names: Brk for the brk heap, MmapN for mmap zones")
    String[] getZoneNames();

    @Doc("Free blocks per order, all zones summed")
    long[] getFreeBlocks();

    @Doc("Free pages, all zones")
    long getFreePages();

    @Doc("Free bytes, all zones") @Units("bytes")
    long getFreeBytes();

    @Doc("Unusable free space index per order, all zones: share of free memory that cannot serve a request of "
            + "that order (0..1)")
    double[] getUnusableFreeSpaceIndex();

    @Doc("Fragmentation index per order, all zones: -1 when a suitable block exists, near 0 when a failure "
            + "would be for lack of memory, near 1 when it would be for fragmentation")
    double[] getFragmentationIndex();

    @Doc("Each zone's free lists and indices, and the sum (All)")
    ZoneFreeLists[] getZones();

    @Doc("This process's /proc/buddyinfo text, as the allocator writes it")
    String buddyinfo();
}
