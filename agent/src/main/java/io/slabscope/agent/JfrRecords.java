package io.slabscope.agent;

import io.slabscope.agent.AgentOptions.EventKind;
import io.slabscope.agent.jfr.AllocationFailureEvent;
import io.slabscope.agent.jfr.HeapGrowEvent;
import io.slabscope.agent.jfr.HeapTrimEvent;
import io.slabscope.agent.jfr.InvalidFreeEvent;
import io.slabscope.agent.jfr.MmapEvent;
import io.slabscope.agent.jfr.MunmapEvent;
import io.slabscope.agent.jfr.NativeAllocationSampleEvent;
import io.slabscope.agent.jfr.NativeFreeSampleEvent;
import io.slabscope.agent.jfr.NativeOriginEvent;
import io.slabscope.agent.jfr.SlabCorruptionEvent;
import io.slabscope.agent.jmx.CorruptionReport;
import java.util.function.BooleanSupplier;

/**
 * The allocator's records as JFR events: sampled allocations with their symbolised native stacks,
 * frees matched with them, tier events, corruptions with their owner's stack. Each kind only when
 * the agent's {@code events} option includes it and a recording has the event enabled.
 */
final class JfrRecords implements RecordSink {
    private final AgentOptions options;
    private final AgentCounters counters;
    private final Symbolizer symbolizer = new Symbolizer();
    private final ThreadNames threadNames = new ThreadNames();
    private final BooleanSupplier registered;

    /**
     * @param registered whether the agent's event classes are registered (JDK Flight Recorder has
     *        been initialised): until then there is no recording to write to, and making events
     *        would only load their classes early
     */
    JfrRecords(AgentOptions options, AgentCounters counters, BooleanSupplier registered) {
        this.options = options;
        this.counters = counters;
        this.registered = registered;
    }

    @Override
    public void newPeriod() {
        threadNames.clear();
    }

    /** Whether records of this kind become events: the option includes them, and JFR is up. */
    private boolean wanted(EventKind kind) {
        return options.has(kind) && registered.getAsBoolean();
    }

    @Override
    public void allocation(NativeRecord r, String cache) {
        if (!wanted(EventKind.SAMPLES)) {
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

    @Override
    public void free(NativeRecord r, LiveSamples.Sample s) {
        if (!wanted(EventKind.SAMPLES)) {
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

    @Override
    public void failure(NativeRecord r) {
        if (!wanted(EventKind.TIERS)) {
            return;
        }
        AllocationFailureEvent e = new AllocationFailureEvent();
        if (e.isEnabled()) {
            e.size = r.size();
            e.tier = NativeRecord.tierName(r.tier());
            commit(e, r);
        }
    }

    @Override
    public void tier(NativeRecord r) {
        if (!wanted(EventKind.TIERS)) {
            return;
        }
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

    /** A Slab Corruption event: the object, the damaged byte, its owner and the owner's native stack. */
    @Override
    public void corruption(NativeRecord r, CorruptionReport c) {
        if (!wanted(EventKind.TIERS)) {
            return;
        }
        SlabCorruptionEvent e = new SlabCorruptionEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.cache = c.cache();
        e.address = c.address();
        e.objectSize = c.objectSize();
        e.badAddress = c.badAddress();
        e.badOffset = c.badOffset();
        e.kind = c.kind();
        e.ownerThreadId = c.ownerThreadId();
        e.ownerThreadName = threadNames.name(c.ownerThreadId());
        e.ownerStack = symbolizer.stack(r.frames());
        e.ownerFrames = r.frames().length;
        e.nativeTimeNanos = r.timeNs();
        e.nativeTime = r.timeNs() / 1_000_000L;
        e.commit();
        counters.committed.incrementAndGet();
    }

    private void commit(NativeOriginEvent e, NativeRecord r) {
        e.setOrigin(r.tid(), threadNames.name(r.tid()), r.timeNs());
        e.commit();
        counters.committed.incrementAndGet();
    }
}
