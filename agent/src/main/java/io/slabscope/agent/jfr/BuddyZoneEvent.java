package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** One zone of the buddy allocator, once per period. */
@Name(BuddyZoneEvent.NAME)
@Label("Buddy Zone")
@Description("One zone of the Slabscope buddy allocator: the brk heap or an mmap zone, its size and free pages")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class BuddyZoneEvent extends Event {
    public static final String NAME = "io.slabscope.BuddyZone";

    @Label("Snapshot") @Description("CLOCK_REALTIME nanoseconds of the allocator snapshot these figures come from: "
            + "the periodic events written from one snapshot share it") @Unsigned
    public long snapshotNanos;
    @Label("Zone") @Description("Brk for the brk heap, MmapN for an mmap zone")
    public String zone;
    @Label("Zone Id") @Unsigned
    public int zoneId;
    @Label("Kind") @Description("brk or mmap")
    public String kind;
    @Label("Base") @Description("Address of the first page") @MemoryAddress
    public long base;
    @Label("Top") @Description("End of the zone's pages") @MemoryAddress
    public long top;
    @Label("Size") @Description("Bytes of the zone's pages") @DataAmount @Unsigned
    public long size;
    @Label("Free") @Description("Free bytes in the zone's free lists") @DataAmount @Unsigned
    public long free;
    @Label("Free Dirty") @Description("Free bytes still resident") @DataAmount @Unsigned
    public long dirty;
    @Label("Free Blocks") @Description("Free blocks of any order") @Unsigned
    public long freeBlocks;
}
