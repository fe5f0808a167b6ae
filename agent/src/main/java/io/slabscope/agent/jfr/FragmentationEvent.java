package io.slabscope.agent.jfr;

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

/** External fragmentation for a request order, per zone and over all zones, once per period. */
@Name(FragmentationEvent.NAME)
@Label("Buddy Fragmentation")
@Description("External fragmentation of the buddy free lists for a request of one order, with the Linux "
        + "kernel's formulas (mm/vmstat.c, /sys/kernel/debug/extfrag): unusable free space index and "
        + "fragmentation index")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class FragmentationEvent extends Event {
    public static final String NAME = "io.slabscope.Fragmentation";

    @Label("Snapshot") @Description("CLOCK_REALTIME nanoseconds of the allocator snapshot these figures come from: "
            + "the periodic events written from one snapshot share it") @Unsigned
    public long snapshotNanos;
    @Label("Zone") @Description("Brk, MmapN, or All for every zone's free lists summed")
    public String zone;
    @Label("Order") @Description("Request of 2^order pages") @Unsigned
    public int order;
    @Label("Request Size") @Description("Bytes of a request of this order") @DataAmount @Unsigned
    public long requestSize;
    @Label("Unusable Free Space Index")
    @Description("Share of free memory that cannot serve a request of this order: "
            + "(free pages - suitable blocks * 2^order) / free pages; 100% when nothing is free")
    @Percentage
    public double unusableIndex;
    @Label("Fragmentation Index")
    @Description("Why a request of this order would fail: -1 when a suitable block exists, near 0 for lack of "
            + "memory, near 1 for fragmentation: 1 - (1 + free pages / 2^order) / free blocks")
    public double fragmentationIndex;
    @Label("Free Pages") @Unsigned
    public long freePages;
    @Label("Free Blocks") @Description("Free blocks of any order") @Unsigned
    public long freeBlocks;
    @Label("Suitable Blocks") @Description("Blocks of this order the free blocks of this order and above provide")
    @Unsigned
    public long suitableBlocks;
}
