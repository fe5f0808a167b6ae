package io.slabscope.agent.jfr;

/**
 * Events that report something the allocator recorded (ss_events_drain) carry the native thread it
 * happened on and when. Their JFR timestamp is when the agent drained them (at most a period later);
 * {@code nativeTime} is when it happened.
 */
public interface NativeOrigin {
    /** Sets the native thread id and name and the CLOCK_REALTIME time in ns. */
    void setOrigin(int tid, String threadName, long timeNanos);
}
