package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** Tier event: A request at or above the mmap threshold got a mapping of its own (mmap). */
@Name(MmapEvent.NAME)
@Label("Large Block Mapped")
@Description("A request at or above the mmap threshold got a mapping of its own (mmap)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class MmapEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.Mmap";

    @Label("Address") @Description("Start of the mapping") @MemoryAddress
    public long address;
    @Label("Mapping Size") @Description("Bytes mapped") @DataAmount @Unsigned
    public long size;
}
