package io.slabscope.model.source;

import io.slabscope.model.Layout;
import io.slabscope.model.Snapshot;
import java.io.IOException;
import java.time.Duration;

/** Where snapshots of a process under the shim come from. */
public interface SnapshotSource {

    /** The latest consistent snapshot. */
    Snapshot snapshot() throws IOException;

    /**
     * A heap layout. Out of process, asks the process for a fresh one and waits up to
     * {@code wait} for it; if none comes in time the last layout written is returned (compare
     * {@link Layout#request()}) or, if there is none, an exception is thrown.
     */
    Layout layout(Duration wait) throws IOException;
}
