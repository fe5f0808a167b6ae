package io.slabscope.agent;

import com.sun.jna.Memory;
import io.slabscope.agent.AgentOptions.EventKind;
import io.slabscope.agent.jfr.NativeOrigin;
import io.slabscope.agent.jfr.AllocationFailureEvent;
import io.slabscope.agent.jfr.HeapGrowEvent;
import io.slabscope.agent.jfr.HeapTrimEvent;
import io.slabscope.agent.jfr.InvalidFreeEvent;
import io.slabscope.agent.jfr.MmapEvent;
import io.slabscope.agent.jfr.MunmapEvent;
import io.slabscope.agent.jfr.NativeAllocationSampleEvent;
import io.slabscope.agent.jfr.NativeFreeSampleEvent;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Drains the allocator's event ring (ss_events_drain) and turns the records into JFR events:
 * sampled allocations with their symbolised native stacks, frees matched with them, and tier
 * events. One drain at a time (the agent thread, the end-of-chunk hook and the shutdown hook may
 * all ask).
 */
final class EventPump {
    /** Listener for allocation failures seen in the event stream (JMX notifications). */
    interface FailureListener {
        void onFailure(long size, String tier, int tid, long timeNs);
    }

    /** 1 MiB: the whole ring (8192 slots, most records 48 bytes) usually fits in one call. */
    static final int BUFFER_SIZE = 1 << 20;

    private final Shim shim;
    private final SnapshotCache snapshots;
    private final AgentOptions options;
    private final AgentCounters counters;
    private final LiveSamples live;
    private final boolean jfr;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Symbolizer symbolizer;
    private final ThreadNames threadNames = new ThreadNames();
    private final Map<Integer, String> cacheNames = new HashMap<>();
    private volatile FailureListener failureListener;
    private long cacheNamesFrom = -1;

    EventPump(Shim shim, SnapshotCache snapshots, AgentOptions options, AgentCounters counters, LiveSamples live,
            boolean jfr) {
        this.shim = shim;
        this.snapshots = snapshots;
        this.options = options;
        this.counters = counters;
        this.live = live;
        this.jfr = jfr;
        this.symbolizer = jfr ? new Symbolizer() : null;
    }

    void setFailureListener(FailureListener l) {
        this.failureListener = l;
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
        threadNames.clear();
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
                if (tiers()) {
                    AllocationFailureEvent e = new AllocationFailureEvent();
                    if (e.isEnabled()) {
                        e.size = r.size();
                        e.tier = NativeRecord.tierName(r.tier());
                        commit(e, r);
                    }
                }
            }
            default -> {
                if (tiers()) {
                    tier(r);
                }
            }
        }
    }

    private boolean tiers() {
        return jfr && options.has(EventKind.TIERS);
    }

    private void allocation(NativeRecord r) {
        String cache = r.tier() == NativeRecord.TIER_SLAB ? cacheName(r.cacheId()) : "";
        if (!live.add(r.addr(), new LiveSamples.Sample(r.size(), r.weight(), r.timeNs(), r.tid(), r.tier(), cache))) {
            counters.agentDropped.incrementAndGet();
        }
        if (!jfr || !options.has(EventKind.SAMPLES)) {
            return;
        }
        NativeAllocationSampleEvent e = new NativeAllocationSampleEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.address = r.addr();
        e.size = r.size();
        e.weight = r.weight();
        e.tier = NativeRecord.tierName(r.tier());
        e.cache = cache;
        e.frames = r.frames().length;
        e.nativeStack = symbolizer.stack(r.frames());
        commit(e, r);
    }

    private void free(NativeRecord r) {
        LiveSamples.Sample s = live.remove(r.addr());
        if (s == null) {
            counters.unmatchedFrees.incrementAndGet();
        }
        if (!jfr || !options.has(EventKind.SAMPLES)) {
            return;
        }
        NativeFreeSampleEvent e = new NativeFreeSampleEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.address = r.addr();
        e.size = r.size();
        e.matched = s != null;
        if (s != null) {
            e.allocationSize = s.size();
            e.weight = s.weight();
            e.lifetime = Math.max(0, r.timeNs() - s.timeNs());
            e.allocationThreadId = s.tid();
            e.tier = NativeRecord.tierName(s.tier());
            e.cache = s.cache();
        } else {
            e.tier = "";
            e.cache = "";
        }
        commit(e, r);
    }

    private void tier(NativeRecord r) {
        switch (r.type()) {
            case NativeRecord.MMAP -> {
                MmapEvent e = new MmapEvent();
                if (e.isEnabled()) {
                    e.address = r.addr();
                    e.size = r.size();
                    commit(e, r);
                }
            }
            case NativeRecord.MUNMAP -> {
                MunmapEvent e = new MunmapEvent();
                if (e.isEnabled()) {
                    e.address = r.addr();
                    e.size = r.size();
                    commit(e, r);
                }
            }
            case NativeRecord.BRK_GROW -> {
                HeapGrowEvent e = new HeapGrowEvent();
                if (e.isEnabled()) {
                    e.oldTop = r.addr();
                    e.size = r.size();
                    commit(e, r);
                }
            }
            case NativeRecord.BRK_TRIM -> {
                HeapTrimEvent e = new HeapTrimEvent();
                if (e.isEnabled()) {
                    e.newTop = r.addr();
                    e.size = r.size();
                    commit(e, r);
                }
            }
            case NativeRecord.INVALID_FREE -> {
                InvalidFreeEvent e = new InvalidFreeEvent();
                if (e.isEnabled()) {
                    e.address = r.addr();
                    commit(e, r);
                }
            }
            default -> counters.agentDropped.incrementAndGet();
        }
    }

    private <E extends jdk.jfr.Event & NativeOrigin> void commit(E e, NativeRecord r) {
        e.setOrigin(r.tid(), threadNames.name(r.tid()), r.timeNs());
        e.commit();
        counters.committed.incrementAndGet();
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
