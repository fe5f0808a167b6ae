package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** Tier event: The brk heap was trimmed: the program break moved down and the pages went back to the kernel. */
@Name(HeapTrimEvent.NAME)
@Label("Heap Trimmed")
@Description("The brk heap was trimmed: the program break moved down and the pages went back to the kernel")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class HeapTrimEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.HeapTrim";

    @Label("New Top") @Description("Program break after the trim") @MemoryAddress
    public long newTop;
    @Label("Trimmed") @Description("Bytes given back") @DataAmount @Unsigned
    public long size;
}
