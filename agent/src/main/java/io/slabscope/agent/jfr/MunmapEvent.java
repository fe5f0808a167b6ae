package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** Tier event: A block of the mmap path was freed and its mapping removed (munmap). */
@Name(MunmapEvent.NAME)
@Label("Large Block Unmapped")
@Description("A block of the mmap path was freed and its mapping removed (munmap)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class MunmapEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.Munmap";

    @Label("Address") @Description("Start of the mapping") @MemoryAddress
    public long address;
    @Label("Mapping Size") @Description("Bytes unmapped") @DataAmount @Unsigned
    public long size;
}
