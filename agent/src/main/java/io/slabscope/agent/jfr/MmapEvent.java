package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/** Tier event: A request at or above the mmap threshold got a mapping of its own (mmap). */
@Name(MmapEvent.NAME)
@Label("Large Block Mapped")
@Description("A request at or above the mmap threshold got a mapping of its own (mmap)")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class MmapEvent extends Event implements NativeOrigin {
    public static final String NAME = "io.slabscope.Mmap";

    @Label("Address") @Description("Start of the mapping") @MemoryAddress
    public long address;
    @Label("Mapping Size") @Description("Bytes mapped") @DataAmount @Unsigned
    public long size;

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
