package io.slabscope.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One decoded snapshot of a process under the shim ({@code struct ss_shm_header} and what it
 * points to).
 *
 * @param version       format version
 * @param seq           seqlock value the snapshot was read at (even)
 * @param pid           process id
 * @param pageSize      page size in bytes
 * @param startTimeNs   CLOCK_REALTIME of the process start, ns since the epoch
 * @param publishTimeNs CLOCK_REALTIME of this snapshot, ns since the epoch
 * @param publishCount  snapshots published so far
 * @param totalSize     bytes of the snapshot
 * @param nrOrders      buddy orders in use
 * @param layoutRequest last layout request of a reader
 * @param layoutSeq     layout request the layout file answers
 * @param exe           program, from /proc/self/exe
 * @param global        every counter
 * @param caches        the caches, in snapshot order
 * @param zones         the zones, in snapshot order
 */
public record Snapshot(
        int version,
        long seq,
        int pid,
        int pageSize,
        long startTimeNs,
        long publishTimeNs,
        long publishCount,
        long totalSize,
        int nrOrders,
        long layoutRequest,
        long layoutSeq,
        String exe,
        GlobalStats global,
        List<SlabCache> caches,
        List<Zone> zones) {

    public Snapshot {
        Objects.requireNonNull(exe, "exe");
        Objects.requireNonNull(global, "global");
        caches = List.copyOf(caches);
        zones = List.copyOf(zones);
    }

    public Instant startTime() {
        return Instant.ofEpochSecond(0, startTimeNs);
    }

    public Instant publishTime() {
        return Instant.ofEpochSecond(0, publishTimeNs);
    }

    /** How old the snapshot is at {@code now} (zero if the clocks disagree). */
    public Duration age(Instant now) {
        Duration d = Duration.between(publishTime(), now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The cache of that name. */
    public Optional<SlabCache> cache(String name) {
        return caches.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The cache with that layout id. */
    public Optional<SlabCache> cacheById(int id) {
        return caches.stream().filter(c -> c.id() == id).findFirst();
    }

    /** Free lists and fragmentation per zone and over all zones. */
    public BuddyInfo buddyInfo() {
        return BuddyInfo.of(zones, nrOrders);
    }

    /** Allocated objects over all caches. */
    public long activeObjects() {
        return caches.stream().mapToLong(SlabCache::activeObjs).sum();
    }

    /** Objects in slabs over all caches. */
    public long totalObjects() {
        return caches.stream().mapToLong(SlabCache::numObjs).sum();
    }

    /** Bytes of all caches' slabs. */
    public long slabCacheBytes() {
        return caches.stream().mapToLong(SlabCache::cacheSizeBytes).sum();
    }
}
