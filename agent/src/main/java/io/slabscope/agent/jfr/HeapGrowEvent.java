package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** Tier event: The brk heap grew: the program break moved up (sbrk). */
@Name(HeapGrowEvent.NAME)
@Label("Heap Grown")
@Description("The brk heap grew: the program break moved up (sbrk)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class HeapGrowEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.HeapGrow";

    @Label("Old Top") @Description("Program break before the growth") @MemoryAddress
    public long oldTop;
    @Label("Growth") @Description("Bytes added") @DataAmount @Unsigned
    public long size;
}
