package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/** Tier event: an allocation failed (NULL, ENOMEM). */
@Name(AllocationFailureEvent.NAME)
@Label("Native Allocation Failure")
@Description("The allocator could not get memory for a request: the caller got NULL (ENOMEM)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class AllocationFailureEvent extends Event implements NativeOrigin {
    public static final String NAME = "io.slabscope.AllocationFailure";

    @Label("Size") @Description("Bytes the failed request needed") @DataAmount @Unsigned
    public long size;
    @Label("Tier") @Description("medium (buddy: heap could not grow) or mmap (mmap failed)")
    public String tier;

    // where and when it happened (JDK 17's JFR cannot take fields from an event superclass, so every
    // native event declares them itself)
    @Label("Native Thread Id") @Description("Kernel thread id (gettid) of the thread that did it") @Unsigned
    public int nativeThreadId;
    @Label("Native Thread Name") @Description("/proc/self/task/TID/comm of that thread (empty if it has exited)")
    public String nativeThreadName;
    @Label("Native Time") @Description("When it happened (CLOCK_REALTIME, millisecond resolution)")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long nativeTime;
    @Label("Native Time (ns)") @Description("When it happened: CLOCK_REALTIME nanoseconds since the epoch") @Unsigned
    public long nativeTimeNanos;

    @Override
    public void setOrigin(int tid, String threadName, long timeNanos) {
        nativeThreadId = tid;
        nativeThreadName = threadName;
        nativeTimeNanos = timeNanos;
        nativeTime = timeNanos / 1_000_000L;
    }
}
