package io.slabscope.agent.jmx;

import io.slabscope.model.Snapshot;
import java.io.IOException;

/** What the MXBeans need from the running agent. */
public interface AgentView {
    /** A snapshot at most a fraction of a second old. */
    Snapshot snapshot() throws IOException;

    /** mallopt(param, value); true if accepted. */
    boolean mallopt(int param, int value);

    /** malloc_trim(0); true if memory was given back. */
    boolean trim();

    /** Gives every slab cache's empty slabs back to the buddy allocator; returns the pages released. */
    long shrinkCaches() throws IOException;

    String slabinfo() throws IOException;

    String buddyinfo() throws IOException;

    /** The mean sampling interval (option sampling=, or as set over JMX). */
    long samplingInterval();

    /** Sets the interval and samples from now on (0: stops), whatever the recordings. */
    void setSamplingInterval(long bytes);

    /** Whether allocations are being sampled now. */
    boolean samplingActive();

    /** The interval in force now: 0 when not sampling, above samplingInterval() while the rate cap raised it. */
    long currentSamplingInterval();

    String version();

    /**
     * ss_validate(): checks every object of every debugging cache now; returns the corruptions found.
     *
     * @throws UnsupportedOperationException if the shim has no debug mode
     */
    default long validate() {
        throw new UnsupportedOperationException("this allocator has no debug mode (ss_validate)");
    }

    String optionsText();

    /** ss_events_dropped(). */
    long nativeEventsDropped();

    /** Records the agent dropped. */
    long agentEventsDropped();

    /** Records drained from the allocator. */
    long eventsDrained();

    /** Sampled allocations not freed: count, estimated bytes (weights). */
    long liveSampleCount();

    long liveSampledBytes();

    /**
     * The page layout of every heap zone and the mmap path's blocks, in the binary format of
     * slabscope_shm.h ({@code ss_layout}), at most half a second old.
     */
    default byte[] layout() throws IOException {
        return LayoutReader.shared().get();
    }
}
