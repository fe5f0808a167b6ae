package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Tier event: an invalid or double free was reported. */
@Name(InvalidFreeEvent.NAME)
@Label("Invalid Free")
@Description("free() of a pointer that is not an allocated block (double free, or never returned by malloc). "
        + "With SLABSCOPE_ABORT=0 the process goes on and the block is leaked; otherwise it aborts")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class InvalidFreeEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.InvalidFree";

    @Label("Address") @Description("The pointer passed to free") @MemoryAddress
    public long address;
}
