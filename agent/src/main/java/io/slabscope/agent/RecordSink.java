package io.slabscope.agent;

import io.slabscope.agent.jmx.CorruptionReport;

/**
 * Where {@link EventPump} delivers the allocator's records once it has done its own bookkeeping
 * (live samples, listeners). The JFR side implements it ({@link JfrRecords}); keeping jdk.jfr
 * behind this interface lets the agent run in a JVM without the jdk.jfr module.
 */
interface RecordSink {
    /** A sampled allocation; {@code cache} is its slab cache ("" outside the slab tier). */
    void allocation(NativeRecord r, String cache);

    /** A free of a sampled block, with its allocation if it was seen (else null). */
    void free(NativeRecord r, LiveSamples.Sample allocation);

    /** An allocation that failed. */
    void failure(NativeRecord r);

    /** A tier record (mmap, munmap, brk grow and trim, invalid free) or one of a type this agent does not know. */
    void tier(NativeRecord r);

    /** A corruption debug mode found. */
    void corruption(NativeRecord r, CorruptionReport report);

    /** Once a period: cached thread names may be stale. */
    void newPeriod();
}
