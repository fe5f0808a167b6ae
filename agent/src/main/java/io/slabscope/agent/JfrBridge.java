package io.slabscope.agent;

import io.slabscope.agent.AgentOptions.EventKind;
import io.slabscope.agent.jfr.AllocationFailureEvent;
import io.slabscope.agent.jfr.BuddyFreeListEvent;
import io.slabscope.agent.jfr.BuddyZoneEvent;
import io.slabscope.agent.jfr.EventsDroppedEvent;
import io.slabscope.agent.jfr.FlushEvent;
import io.slabscope.agent.jfr.FragmentationEvent;
import io.slabscope.agent.jfr.HeapGrowEvent;
import io.slabscope.agent.jfr.HeapSummaryEvent;
import io.slabscope.agent.jfr.HeapTrimEvent;
import io.slabscope.agent.jfr.InvalidFreeEvent;
import io.slabscope.agent.jfr.LiveSampledMemoryEvent;
import io.slabscope.agent.jfr.MmapEvent;
import io.slabscope.agent.jfr.MunmapEvent;
import io.slabscope.agent.jfr.NativeAllocationSampleEvent;
import io.slabscope.agent.jfr.NativeFreeSampleEvent;
import io.slabscope.agent.jfr.PeriodicEmitter;
import io.slabscope.agent.jfr.SlabCacheEvent;
import io.slabscope.agent.jfr.SlabCorruptionEvent;
import io.slabscope.model.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The agent's JDK Flight Recorder side: periodic events through
 * {@link FlightRecorder#addPeriodicEvent}, a flush at the end of every chunk, and the agent's
 * period as the default period of the Slabscope periodic events in every recording whose
 * settings do not name one.
 */
final class JfrBridge {
    /** Names of the periodic events whose period the agent option sets. */
    static final List<String> PERIODIC_EVENTS = List.of(HeapSummaryEvent.NAME, SlabCacheEvent.NAME,
            BuddyZoneEvent.NAME, BuddyFreeListEvent.NAME, FragmentationEvent.NAME, LiveSampledMemoryEvent.NAME,
            EventsDroppedEvent.NAME);

    private final AgentRuntime rt;
    private final List<Runnable> hooks = new ArrayList<>();
    private final Set<Long> adjusted = ConcurrentHashMap.newKeySet();
    private final Object emitLock = new Object();
    private volatile boolean recordingsChanged = true;
    private volatile boolean registered;
    private boolean registerFailed;
    private FlightRecorderListener listener;

    JfrBridge(AgentRuntime rt) {
        this.rt = rt;
    }

    /** Whether this JVM can record at all (false with -XX:-FlightRecorder); initialises nothing. */
    static boolean available() {
        return FlightRecorder.isAvailable();
    }

    /**
     * The agent's events that are written when something happens rather than every period: they
     * are registered at start-up, all at once, like the periodic ones. Left to register themselves
     * on first use (the first heap trim, the first invalid free, an hour into the run), each would
     * make JDK Flight Recorder retransform the class while recording (a JVMTI state change that
     * throws away compiled code with dependencies, the program's included) and write the whole
     * metadata descriptor again: measured in bench/jvm as C2 compiler time in the middle of the
     * run.
     */
    static final List<Class<? extends Event>> RECORD_EVENTS = List.of(NativeAllocationSampleEvent.class,
            NativeFreeSampleEvent.class, MmapEvent.class, MunmapEvent.class, HeapGrowEvent.class, HeapTrimEvent.class,
            AllocationFailureEvent.class, InvalidFreeEvent.class, SlabCorruptionEvent.class);

    /**
     * Registers the agent's events once JDK Flight Recorder is initialised: at once if it is
     * (-XX:StartFlightRecording, a recording made before an attach), else when something starts
     * it (jcmd JFR.start, a RecordingStream, JMC), on that thread, before its first recording
     * starts. A JVM that never records never initialises JFR for the agent's sake: no JFR
     * threads, no JFR heap, about 0.3 s less start-up.
     */
    void start() {
        listener = new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                registerOnce();
                changed();
            }

            @Override
            public void recordingStateChanged(Recording recording) {
                changed();
            }
        };
        FlightRecorder.addListener(listener);     // calls recorderInitialized here if JFR is up already
    }

    /** Whether the agent's events are registered (JFR is initialised and took them). */
    boolean registered() {
        return registered;
    }

    private synchronized void registerOnce() {
        if (registered || registerFailed) {
            return;
        }
        try {
            register();
            registered = true;
        } catch (Throwable t) {
            registerFailed = true;
            removeHooks();            // the listener stays: JFR is iterating its listeners right now
            Agent.warn("JDK Flight Recorder did not take the Slabscope events (" + t + "); no JFR events");
        }
    }

    private void register() {
        AgentOptions o = rt.options();
        for (Class<? extends Event> c : RECORD_EVENTS) {
            FlightRecorder.register(c);
        }
        if (o.has(EventKind.PERIODIC)) {
            periodic(HeapSummaryEvent.class, PeriodicEmitter::heapSummary);
            periodic(SlabCacheEvent.class, PeriodicEmitter::slabCaches);
            periodic(BuddyZoneEvent.class, PeriodicEmitter::buddyZones);
            periodic(BuddyFreeListEvent.class, PeriodicEmitter::buddyFreeLists);
            periodic(FragmentationEvent.class, PeriodicEmitter::fragmentation);
        }
        if (o.has(EventKind.SAMPLES)) {
            add(LiveSampledMemoryEvent.class, this::liveSamples);
        }
        add(EventsDroppedEvent.class, this::dropped);
        add(FlushEvent.class, this::flush);
    }

    void unregister() {
        removeHooks();
        if (listener != null) {
            try {
                FlightRecorder.removeListener(listener);
            } catch (RuntimeException e) {
                // JFR shutting down
            }
        }
    }

    private void removeHooks() {
        for (Runnable h : hooks) {
            try {
                FlightRecorder.removePeriodicEvent(h);
            } catch (RuntimeException e) {
                // JFR shutting down
            }
        }
        hooks.clear();
    }

    private void changed() {
        recordingsChanged = true;
        rt.wakeUp();
    }

    private void periodic(Class<? extends Event> type, Consumer<Snapshot> emit) {
        add(type, () -> {
            Snapshot s = snapshot();
            if (s != null) {
                emit.accept(s);
            }
        });
    }

    private void add(Class<? extends Event> type, Runnable body) {
        Runnable hook = () -> {
            try {
                synchronized (emitLock) {
                    body.run();
                }
            } catch (Throwable t) {
                rt.error("JFR hook for " + type.getSimpleName(), t);
            }
        };
        FlightRecorder.addPeriodicEvent(type, hook);
        hooks.add(hook);
    }

    /** Hooks of one period run back to back: they share a snapshot taken at most 100 ms before. */
    private Snapshot snapshot() {
        try {
            return rt.snapshots().get(100);
        } catch (Exception e) {
            rt.error("snapshot", e);
            return null;
        }
    }

    private void liveSamples() {
        LiveSampledMemoryEvent e = new LiveSampledMemoryEvent();
        if (!e.isEnabled()) {
            return;
        }
        LiveSamples live = rt.liveSamples();
        e.liveSamples = live.count();
        e.liveWeight = live.weight();
        e.liveSize = live.size();
        long oldest = live.oldestTimeNs();
        java.time.Instant t = java.time.Instant.now();
        long now = t.getEpochSecond() * 1_000_000_000L + t.getNano();
        e.oldestAge = oldest == 0 ? 0 : Math.max(0, now - oldest);
        e.samples = live.samples();
        e.frees = live.frees();
        e.samplingInterval = rt.shim().samplingInterval();
        e.commit();
    }

    private void dropped() {
        EventsDroppedEvent e = new EventsDroppedEvent();
        if (!e.isEnabled()) {
            return;
        }
        AgentCounters c = rt.counters();
        long nat = rt.shim().dropped();
        long agent = c.agentDropped.get();
        synchronized (c) {
            e.nativeDropped = Math.max(0, nat - c.reportedNative);
            e.agentDropped = Math.max(0, agent - c.reportedAgent);
            c.reportedNative = nat;
            c.reportedAgent = agent;
        }
        e.nativeDroppedTotal = nat;
        e.agentDroppedTotal = agent;
        e.unmatchedFrees = c.unmatchedFrees.get();
        e.drained = c.drained.get();
        e.drainInterval = c.drainIntervalMillis.get();
        e.commit();
    }

    /** End of a chunk: drain, then every periodic event once more from a fresh snapshot. */
    private void flush() {
        int records = rt.drainEvents();
        Snapshot s;
        try {
            s = rt.snapshots().fresh();
        } catch (Exception ex) {
            rt.error("snapshot", ex);
            s = null;
        }
        AgentOptions o = rt.options();
        if (s != null && o.has(EventKind.PERIODIC)) {
            PeriodicEmitter.heapSummary(s);
            PeriodicEmitter.slabCaches(s);
            PeriodicEmitter.buddyZones(s);
            PeriodicEmitter.buddyFreeLists(s);
            PeriodicEmitter.fragmentation(s);
        }
        if (o.has(EventKind.SAMPLES)) {
            liveSamples();
        }
        dropped();
        FlushEvent f = new FlushEvent();
        if (f.isEnabled()) {
            f.records = records;
            f.drained = rt.counters().drained.get();
            f.commit();
        }
    }

    /**
     * After a recording changed state (on the agent thread; never initialises JFR itself): gives
     * the Slabscope periodic events the agent's period in recordings that do not set one, and
     * samples allocations while a running recording has NativeAllocationSample enabled.
     */
    void recordingsChanged() {
        if (!recordingsChanged || !FlightRecorder.isInitialized()) {
            return;
        }
        recordingsChanged = false;
        String period = rt.options().period().toMillis() + " ms";
        boolean wantSamples = false;
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            RecordingState st = r.getState();
            if (st == RecordingState.RUNNING
                    && !"false".equals(r.getSettings().get(NativeAllocationSampleEvent.NAME + "#enabled"))) {
                wantSamples = true;
            }
            // Only a running recording's settings are final: a NEW one may be between `new
            // Recording()` and its creator's setSettings (-XX:StartFlightRecording, JFR.start),
            // which would overwrite ours. It is adjusted when it starts (recordingStateChanged).
            if (st != RecordingState.RUNNING || adjusted.contains(r.getId())) {
                continue;
            }
            Map<String, String> settings = new HashMap<>(r.getSettings());
            boolean change = false;
            for (String name : PERIODIC_EVENTS) {
                if (settings.putIfAbsent(name + "#period", period) == null) {
                    change = true;
                }
            }
            adjusted.add(r.getId());
            if (change) {
                try {
                    r.setSettings(settings);
                } catch (RuntimeException e) {
                    rt.error("setting the period of recording " + r.getName(), e);
                }
            }
        }
        rt.recordingsWantSamples(wantSamples);
    }
}
