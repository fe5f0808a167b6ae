package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** Tier event: an allocation failed (NULL, ENOMEM). */
@Name(AllocationFailureEvent.NAME)
@Label("Native Allocation Failure")
@Description("The allocator could not get memory for a request: the caller got NULL (ENOMEM)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class AllocationFailureEvent extends NativeOriginEvent {
    public static final String NAME = "io.slabscope.AllocationFailure";

    @Label("Size") @Description("Bytes the failed request needed") @DataAmount @Unsigned
    public long size;
    @Label("Tier") @Description("medium (buddy: heap could not grow) or mmap (mmap failed)")
    public String tier;
}
