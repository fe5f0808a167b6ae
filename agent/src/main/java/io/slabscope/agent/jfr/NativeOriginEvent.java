package io.slabscope.agent.jfr;

import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/**
 * An event reporting something the allocator recorded (ss_events_drain): it carries the native
 * thread it happened on and when. Its JFR timestamp is when the agent drained it (at most a period
 * later); {@code nativeTime} is when it happened. JFR records the fields of an abstract event
 * superclass with each subclass's own (JDK 17 and later), so they are declared once, here.
 */
public abstract class NativeOriginEvent extends Event {
    @Label("Native Thread Id") @Description("Kernel thread id (gettid) of the thread that did it") @Unsigned
    public int nativeThreadId;
    @Label("Native Thread Name") @Description("/proc/self/task/TID/comm of that thread (empty if it has exited)")
    public String nativeThreadName;
    @Label("Native Time") @Description("When it happened (CLOCK_REALTIME, millisecond resolution)")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long nativeTime;
    @Label("Native Time (ns)") @Description("When it happened: CLOCK_REALTIME nanoseconds since the epoch") @Unsigned
    public long nativeTimeNanos;

    /** Sets the native thread id and name and the CLOCK_REALTIME time in ns. */
    public final void setOrigin(int tid, String threadName, long timeNanos) {
        nativeThreadId = tid;
        nativeThreadName = threadName;
        nativeTimeNanos = timeNanos;
        nativeTime = timeNanos / 1_000_000L;
    }
}
