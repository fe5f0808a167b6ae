package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Unsigned;

/** What was lost between the allocator and the recording, once per period (also when nothing was). */
@Name(EventsDroppedEvent.NAME)
@Label("Native Events Dropped")
@Description("Allocator events lost: by the allocator because its ring was full (ss_events_dropped) and by the "
        + "agent (records it could not decode, samples it could not track). Emitted every period, zeros included")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class EventsDroppedEvent extends Event {
    public static final String NAME = "io.slabscope.EventsDropped";

    @Label("Native Drops") @Description("Records the allocator dropped since the previous event") @Unsigned
    public long nativeDropped;
    @Label("Native Drops Total") @Description("ss_events_dropped(): records the allocator dropped so far") @Unsigned
    public long nativeDroppedTotal;
    @Label("Agent Drops") @Description("Records the agent dropped since the previous event") @Unsigned
    public long agentDropped;
    @Label("Agent Drops Total") @Description("Records the agent dropped so far") @Unsigned
    public long agentDroppedTotal;
    @Label("Unmatched Frees") @Description("Frees of sampled blocks whose allocation record was lost (so far)")
    @Unsigned
    public long unmatchedFrees;
    @Label("Records Drained") @Description("Records drained from the allocator so far") @Unsigned
    public long drained;
    @Label("Drain Interval") @Description("Current wait between drains (shortened while the ring fills fast)")
    @Timespan(Timespan.MILLISECONDS)
    public long drainInterval;
}
