package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/** Tier event: an invalid or double free was reported. */
@Name(InvalidFreeEvent.NAME)
@Label("Invalid Free")
@Description("free() of a pointer that is not an allocated block (double free, or never returned by malloc). "
        + "With SLABSCOPE_ABORT=0 the process goes on and the block is leaked; otherwise it aborts")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class InvalidFreeEvent extends Event implements NativeOrigin {
    public static final String NAME = "io.slabscope.InvalidFree";

    @Label("Address") @Description("The pointer passed to free") @MemoryAddress
    public long address;

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
