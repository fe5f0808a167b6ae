package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/**
 * At the end of every chunk (recording stopped, also at JVM exit; file rotated): the agent drains
 * the allocator's events and writes the periodic events once more, so that a recording ends with
 * the allocator's final state.
 */
@Name(FlushEvent.NAME)
@Label("Slabscope Flush")
@Description("At the end of a chunk (the recording stops, the JVM exits, the file rotates) the agent drained the "
        + "allocator's events and wrote the periodic Slabscope events once more")
@Category({"Native Memory", "Slabscope"})
@Period("endChunk")
@StackTrace(false)
public final class FlushEvent extends Event {
    public static final String NAME = "io.slabscope.Flush";

    @Label("Records Drained") @Description("Allocator records drained by this flush") @Unsigned
    public long records;
    @Label("Records Drained Total") @Description("Allocator records drained so far") @Unsigned
    public long drained;
}
