package io.slabscope.ui.data;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.Layout;
import io.slabscope.model.Snapshot;
import java.util.Objects;

/**
 * What the views show at one moment: a snapshot of the allocator, and when the source can tell,
 * the page layout of its zones and the process's address space.
 *
 * @param snapshot     the allocator's counters, caches and zones
 * @param layout       every heap page, or {@code null} (JMX and recordings carry none)
 * @param addressSpace /proc/PID/maps, or {@code null} (remote processes, recordings)
 * @param timeNanos    when it was taken (live: the poll; recordings: the snapshot), ns since the epoch
 */
public record Frame(Snapshot snapshot, Layout layout, AddressSpace addressSpace, long timeNanos) {
    public Frame {
        Objects.requireNonNull(snapshot, "snapshot");
    }

    /** Now, ns since the epoch. */
    public static long now() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public static Frame of(Snapshot s) {
        return new Frame(s, null, null, s.publishTimeNs());
    }
}
