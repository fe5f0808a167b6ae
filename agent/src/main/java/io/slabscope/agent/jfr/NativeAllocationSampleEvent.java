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

/** A sampled native allocation, with its native stack. */
@Name(NativeAllocationSampleEvent.NAME)
@Label("Native Allocation Sample")
@Description("An allocation sampled by the Slabscope allocator about every sampling interval bytes (exponential "
        + "intervals): it stands for Weight bytes of allocations. The stack is the native one, symbolised with "
        + "dladdr; the Java stack of this event would be the agent's drain thread, so there is none")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class NativeAllocationSampleEvent extends Event implements NativeOrigin {
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
