package io.slabscope.agent;

import com.sun.jna.Memory;
import io.slabscope.agent.jmx.CorruptionReport;
import io.slabscope.model.SlabCache;
import io.slabscope.model.SlabDebug;
import io.slabscope.model.Snapshot;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Drains the allocator's event ring (ss_events_drain), keeps the live sampled allocations, tells
 * the listeners of failures and corruptions, and hands each record to the {@link RecordSink} (the
 * JFR events; none in a JVM without JDK Flight Recorder). One drain at a time (the agent thread,
 * the end-of-chunk hook and the shutdown hook may all ask).
 */
final class EventPump {
    /** Listener for allocation failures seen in the event stream (JMX notifications). */
    interface FailureListener {
        void onFailure(long size, String tier, int tid, long timeNs);
    }

    /** Listener for corruptions debug mode reported (JMX notifications). */
    interface CorruptionListener {
        void onCorruption(CorruptionReport report);
    }

    /** 1 MiB: the whole ring (8192 slots, most records 48 bytes) usually fits in one call. */
    static final int BUFFER_SIZE = 1 << 20;

    private final Shim shim;
    private final SnapshotCache snapshots;
    private final AgentCounters counters;
    private final LiveSamples live;
    private final RecordSink sink;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Map<Integer, String> cacheNames = new HashMap<>();
    private volatile FailureListener failureListener;
    private volatile CorruptionListener corruptionListener;
    private long cacheNamesFrom = -1;

    /** @param sink where records go after the bookkeeping; null: nowhere (no JFR) */
    EventPump(Shim shim, SnapshotCache snapshots, AgentCounters counters, LiveSamples live, RecordSink sink) {
        this.shim = shim;
        this.snapshots = snapshots;
        this.counters = counters;
        this.live = live;
        this.sink = sink;
    }

    void setFailureListener(FailureListener l) {
        this.failureListener = l;
    }

    void setCorruptionListener(CorruptionListener l) {
        this.corruptionListener = l;
    }

    /** Drains until the ring is empty; returns the records handled. */
    synchronized int drain() {
        int total = 0;
        for (int round = 0; round < 64; round++) {
            long n = shim.drain(buffer);
            if (n <= 0) {
                break;
            }
            counters.drains.incrementAndGet();
            ByteBuffer b = buffer.getByteBuffer(0, n);
            while (b.hasRemaining()) {
                NativeRecord r = NativeRecord.decode(b);
                if (r == null) {
                    counters.agentDropped.incrementAndGet();   // the rest of this buffer cannot be trusted
                    break;
                }
                total++;
                counters.drained.incrementAndGet();
                try {
                    handle(r);
                } catch (RuntimeException e) {
                    counters.agentDropped.incrementAndGet();
                    counters.errors.incrementAndGet();
                }
            }
            if (n < BUFFER_SIZE / 2) {
                break;
            }
        }
        return total;
    }

    /** Called every period: thread names may have changed. */
    synchronized void newPeriod() {
        if (sink != null) {
            sink.newPeriod();
        }
    }

    private void handle(NativeRecord r) {
        switch (r.type()) {
            case NativeRecord.ALLOC -> allocation(r);
            case NativeRecord.FREE -> free(r);
            case NativeRecord.FAIL -> {
                FailureListener l = failureListener;
                if (l != null) {
                    l.onFailure(r.size(), NativeRecord.tierName(r.tier()), r.tid(), r.timeNs());
                }
                if (sink != null) {
                    sink.failure(r);
                }
            }
            case NativeRecord.CORRUPTION -> corruption(r);
            default -> {
                if (sink != null) {
                    sink.tier(r);
                }
            }
        }
    }

    private void allocation(NativeRecord r) {
        String cache = r.tier() == NativeRecord.TIER_SLAB ? cacheName(r.cacheId()) : "";
        if (!live.add(r.addr(), new LiveSamples.Sample(r.size(), r.weight(), r.timeNs(), r.tid(), r.tier(), cache))) {
            counters.agentDropped.incrementAndGet();
        }
        if (sink != null) {
            sink.allocation(r, cache);
        }
    }

    private void free(NativeRecord r) {
        LiveSamples.Sample s = live.remove(r.addr());
        if (s == null) {
            counters.unmatchedFrees.incrementAndGet();
        }
        if (sink != null) {
            sink.free(r, s);
        }
    }

    /** Debug mode found a damaged object: the listener (JMX notification), then the sink (JFR event). */
    private void corruption(NativeRecord r) {
        String cache = r.tier() == NativeRecord.TIER_SLAB ? cacheName(r.cacheId()) : NativeRecord.tierName(r.tier());
        CorruptionReport report = new CorruptionReport(cache, r.addr(), r.size(), r.weight(),
                SlabDebug.corruptionKind(r.detail()), r.tid(), r.timeNs());
        CorruptionListener l = corruptionListener;
        if (l != null) {
            l.onCorruption(report);
        }
        if (sink != null) {
            sink.corruption(r, report);
        }
    }

    private String cacheName(int id) {
        String n = cacheNames.get(id);
        if (n != null) {
            return n;
        }
        // a cache created since the last look: one fresh snapshot per drain at most
        long drains = counters.drains.get();
        if (cacheNamesFrom != drains) {
            cacheNamesFrom = drains;
            try {
                Snapshot s = snapshots.get(0);
                for (SlabCache c : s.caches()) {
                    cacheNames.put(c.id(), c.name());
                }
            } catch (Exception e) {
                counters.errors.incrementAndGet();
            }
            n = cacheNames.get(id);
        }
        return n != null ? n : "cache-" + id;
    }
}
