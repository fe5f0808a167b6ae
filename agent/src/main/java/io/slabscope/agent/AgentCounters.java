package io.slabscope.agent;

import java.util.concurrent.atomic.AtomicLong;

/** What the agent itself counts: records drained, dropped, unmatched. */
public final class AgentCounters {
    /** Records drained from the allocator. */
    public final AtomicLong drained = new AtomicLong();
    /** Calls of ss_events_drain that returned data. */
    public final AtomicLong drains = new AtomicLong();
    /** Records the agent could not deliver: undecodable, or samples it could not track. */
    public final AtomicLong agentDropped = new AtomicLong();
    /** Frees of sampled blocks whose allocation record never arrived. */
    public final AtomicLong unmatchedFrees = new AtomicLong();
    /** Records delivered as JFR events. */
    public final AtomicLong committed = new AtomicLong();
    /** Errors in the agent's own loop (logged once each kind). */
    public final AtomicLong errors = new AtomicLong();
    /** Current wait between drains, ms. */
    public final AtomicLong drainIntervalMillis = new AtomicLong();

    // what the last EventsDropped event reported, for its deltas
    long reportedNative;
    long reportedAgent;
}
