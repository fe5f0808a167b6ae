package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A sampled native allocation, with its native stack. */
@Name(NativeAllocationSampleEvent.NAME)
@Label("Native Allocation Sample")
@Description("An allocation sampled by the Slabscope allocator about every sampling interval bytes (exponential "
        + "intervals): it stands for Weight bytes of allocations. The stack is the native one, symbolised with "
        + "dladdr; the Java stack of this event would be the agent's drain thread, so there is none")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class NativeAllocationSampleEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.NativeAllocationSample";

    @Label("Address") @Description("Address of the block") @MemoryAddress
    public long address;
    @Label("Size") @Description("Bytes asked for") @DataAmount
    public long size;
    @Label("Weight") @Description("Bytes of allocations this sample stands for (max(size, sampling interval))")
    @DataAmount
    public long weight;
    @Label("Tier") @Description("slab, medium (buddy page run) or mmap")
    public String tier;
    @Label("Cache") @Description("Slab cache of the block (slab tier), else empty")
    public String cache;
    @Label("Native Stack") @Description("Return addresses, innermost first, one per line: symbol+0xoffset (library)")
    public String nativeStack;
    @Label("Native Frames") @Description("Frames in the native stack")
    public int frames;
}
