package io.slabscope.agent;

import io.slabscope.model.Snapshot;
import java.io.IOException;

/**
 * The latest snapshot of this process, shared by the JFR hooks (which run one after the other at
 * each period), the MXBeans and the agent thread: a new one is taken only when the cached one is
 * older than asked.
 */
public final class SnapshotCache {
    private final Shim shim;
    private Snapshot last;
    private long takenNanos;
    private long taken;

    SnapshotCache(Shim shim) {
        this.shim = shim;
    }

    /** A snapshot at most {@code maxAgeMillis} old. */
    public synchronized Snapshot get(long maxAgeMillis) throws IOException {
        long now = System.nanoTime();
        if (last == null || now - takenNanos > maxAgeMillis * 1_000_000L) {
            last = shim.snapshot();
            takenNanos = System.nanoTime();
            taken++;
        }
        return last;
    }

    /** A new snapshot. */
    public Snapshot fresh() throws IOException {
        return get(-1);
    }

    /** The next get takes a new snapshot (after a setting changed). */
    public synchronized void invalidate() {
        last = null;
    }

    /** The last snapshot taken, or null. */
    public synchronized Snapshot last() {
        return last;
    }

    public synchronized long taken() {
        return taken;
    }
}
