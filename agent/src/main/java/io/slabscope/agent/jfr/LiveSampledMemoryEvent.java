package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Unsigned;

/** Sampled allocations not freed yet, once per period. */
@Name(LiveSampledMemoryEvent.NAME)
@Label("Live Sampled Native Memory")
@Description("Sampled allocations whose free has not been seen: an estimate of live native memory by sampling "
        + "(the sum of their weights), and how old the oldest is")
@Category({"Native Memory", "Slabscope"})
@Period("1 s")
@StackTrace(false)
public final class LiveSampledMemoryEvent extends Event {
    public static final String NAME = "io.slabscope.LiveSampledMemory";

    @Label("Live Samples") @Description("Sampled allocations not freed") @Unsigned
    public long liveSamples;
    @Label("Estimated Live Bytes") @Description("Sum of the weights of live samples") @DataAmount @Unsigned
    public long liveWeight;
    @Label("Live Sampled Bytes") @Description("Sum of the sizes of live samples") @DataAmount @Unsigned
    public long liveSize;
    @Label("Oldest Live Sample Age") @Description("Age of the oldest live sample") @Timespan(Timespan.NANOSECONDS)
    public long oldestAge;
    @Label("Sampled Allocations") @Description("Allocation samples seen (cumulative)") @Unsigned
    public long samples;
    @Label("Sampled Frees") @Description("Frees of sampled blocks seen (cumulative)") @Unsigned
    public long frees;
    @Label("Sampling Interval") @Description("Mean bytes between samples (0: sampling off)") @DataAmount @Unsigned
    public long samplingInterval;
}
