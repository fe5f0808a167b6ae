package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** One buddy free list (zone and order), once per period: a cell of /proc/buddyinfo. */
@Name(BuddyFreeListEvent.NAME)
@Label("Buddy Free List")
@Description("Free blocks of one order in one zone of the Slabscope buddy allocator (a /proc/buddyinfo cell)")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class BuddyFreeListEvent extends Event {
    public static final String NAME = "io.slabscope.BuddyFreeList";

    @Label("Snapshot") @Description("CLOCK_REALTIME nanoseconds of the allocator snapshot these figures come from: "
            + "the periodic events written from one snapshot share it") @Unsigned
    public long snapshotNanos;
    @Label("Zone") @Description("Brk for the brk heap, MmapN for an mmap zone (the buddyinfo zone column)")
    public String zone;
    @Label("Zone Id") @Unsigned
    public int zoneId;
    @Label("Order") @Description("Blocks of 2^order pages") @Unsigned
    public int order;
    @Label("Block Size") @Description("Bytes of one block of this order") @DataAmount @Unsigned
    public long blockSize;
    @Label("Free Blocks") @Description("Free blocks of this order (nr_free)") @Unsigned
    public long freeBlocks;
    @Label("Free Bytes") @Description("Free blocks * block size") @DataAmount @Unsigned
    public long freeBytes;
}
