package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Unsigned;

/** The free of a sampled block, matched with its allocation by address. */
@Name(NativeFreeSampleEvent.NAME)
@Label("Native Free of Sample")
@Description("A sampled block was freed. Matched by address with its Native Allocation Sample: sampled "
        + "allocations without such an event are live (leak candidates)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class NativeFreeSampleEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.NativeFreeSample";

    @Label("Address") @Description("Address of the block") @MemoryAddress
    public long address;
    @Label("Size") @Description("Bytes freed (usable size)") @DataAmount
    public long size;
    @Label("Matched") @Description("The allocation sample of this address was seen by the agent")
    public boolean matched;
    @Label("Allocation Size") @Description("Bytes asked for at allocation (0 if not matched)") @DataAmount
    public long allocationSize;
    @Label("Weight") @Description("Bytes of allocations the sample stood for (0 if not matched)") @DataAmount
    public long weight;
    @Label("Lifetime") @Description("Time between allocation and free (0 if not matched)")
    @Timespan(Timespan.NANOSECONDS)
    public long lifetime;
    @Label("Allocating Thread Id") @Description("Kernel thread id that allocated the block (0 if not matched)")
    @Unsigned
    public int allocationThreadId;
    @Label("Tier") @Description("slab, medium or mmap (empty if not matched)")
    public String tier;
    @Label("Cache") @Description("Slab cache of the block (slab tier), else empty")
    public String cache;
}
