package io.slabscope.agent;

import io.slabscope.agent.AgentOptions.EventKind;
import io.slabscope.agent.jmx.AgentView;
import io.slabscope.agent.jmx.Alerts;
import io.slabscope.agent.jmx.JmxSupport;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running agent: its thread (drain, publish, JMX refresh at the period), its JFR and JMX
 * sides, and the shutdown drain.
 */
final class AgentRuntime implements AgentView {
    /** Drains are not closer than this, even when the ring fills fast. */
    static final long MIN_DRAIN_MILLIS = 10;
    /** A drain with more records than this (a quarter of the ring) halves the wait to the next. */
    static final int BUSY_DRAIN = 2048;

    private final AgentOptions options;
    private final Shim shim;
    private final SnapshotCache snapshots;
    private final AgentCounters counters = new AgentCounters();
    private final LiveSamples live = new LiveSamples();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Object wake = new Object();
    private EventPump pump;
    private JfrBridge jfr;
    private JmxSupport jmx;
    private Alerts alerts;
    private Thread thread;
    private volatile boolean running;
    private boolean woken;

    AgentRuntime(AgentOptions options, Shim shim) {
        this.options = options;
        this.shim = shim;
        this.snapshots = new SnapshotCache(shim);
    }

    AgentOptions options() {
        return options;
    }

    Shim shim() {
        return shim;
    }

    SnapshotCache snapshots() {
        return snapshots;
    }

    AgentCounters counters() {
        return counters;
    }

    LiveSamples liveSamples() {
        return live;
    }

    /** Starts everything; problems with JFR or JMX leave the rest running (one line each on stderr). */
    void start() {
        if (!options.events().isEmpty()) {
            jfr = startJfr();
        }
        pump = new EventPump(shim, snapshots, counters, live, jfr != null ? jfrRecords() : null);
        if (options.jmx()) {
            if (JvmModules.present(JvmModules.MANAGEMENT)) {
                alerts = new Alerts(options.fragThreshold(), options.fragOrder(), options.wasteThreshold());
                pump.setFailureListener((size, tier, tid, time) -> alerts.failureSeen(size));
                pump.setCorruptionListener(c -> alerts.corruption(c));
            } else {
                Agent.warn("no MXBeans: " + JvmModules.missing(JvmModules.MANAGEMENT));
            }
        }
        samplingInterval = options.sampling();
        if (jfr != null && (options.has(EventKind.TIERS) || samplingInterval > 0) || alerts != null) {
            shim.setEvents(true);         // tier events and corruption reports; samples wait for a recording
        }
        counters.drainIntervalMillis.set(options.period().toMillis());
        running = true;
        thread = new Thread(this::loop, "slabscope-agent");
        thread.setDaemon(true);
        thread.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "slabscope-agent-shutdown"));
    }

    /** The JFR side: periodic events and the recording listener; null, and one line, if JFR cannot be had. */
    private JfrBridge startJfr() {
        String problem = JvmModules.jfrProblem();
        if (problem == null) {
            try {
                JfrBridge b = new JfrBridge(this);
                b.start();
                return b;
            } catch (Throwable t) {
                problem = t.toString();
            }
        }
        boolean mbeans = options.jmx() && JvmModules.present(JvmModules.MANAGEMENT);
        Agent.warn("JDK Flight Recorder is not available: " + problem + "; no JFR events"
                + (mbeans ? " (the MXBeans work)" : ""));
        return null;
    }

    /** The JFR side of the event pump; only made when JDK Flight Recorder is there. */
    private RecordSink jfrRecords() {
        return new JfrRecords(options, counters, jfr::registered);
    }

    /** Wakes the agent thread early (a recording started). */
    void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    private void loop() {
        long period = options.period().toNanos();
        long drainWait = period;
        long now = System.nanoTime();
        long nextPeriod = now;
        long nextDrain = now;                                  // the first drain at once
        long lastDropped = 0;
        while (running) {
            // sleep until the next drain or period, or a look for a platform MBean server while
            // the MXBeans wait for one (a look alone is cheap: it does not drain)
            long until = Math.min(nextPeriod, nextDrain);
            now = System.nanoTime();
            if (mbeansPending()) {
                until = Math.min(until, now + SERVER_LOOK_MILLIS * 1_000_000L);
            }
            boolean wokenEarly;
            synchronized (wake) {
                while (running && !woken && (now = System.nanoTime()) - until < 0) {
                    try {
                        long ms = Math.max(1, (until - now) / 1_000_000L);
                        wake.wait(ms);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wokenEarly = woken;
                woken = false;
            }
            if (!running) {
                return;
            }
            now = System.nanoTime();
            if (wokenEarly || now - nextDrain >= 0 || now - nextPeriod >= 0) {
                try {
                    int n = drainEvents();
                    capSampleRate();
                    long dropped = shim.dropped();
                    if (n > BUSY_DRAIN || dropped > lastDropped) {
                        drainWait = Math.max(MIN_DRAIN_MILLIS * 1_000_000L, drainWait / 2);
                    } else if (n < BUSY_DRAIN / 4) {
                        drainWait = Math.min(period, drainWait * 2);
                    }
                    lastDropped = dropped;
                    counters.drainIntervalMillis.set(drainWait / 1_000_000L);
                } catch (Throwable t) {
                    error("draining events", t);
                }
                nextDrain = System.nanoTime() + drainWait;
                if (jfr != null) {
                    try {
                        jfr.recordingsChanged();               // at once: a recording started or stopped
                    } catch (Throwable t) {
                        error("JFR settings", t);
                    }
                }
            }
            if (mbeansPending() && platformServerExists()) {
                jmx = registerMBeans();                        // at once: someone opened JMX
                refreshMBeans();                               // and the caches' beans with them
            }
            now = System.nanoTime();
            if (now - nextPeriod >= 0) {
                nextPeriod = Math.max(nextPeriod + period, now + period / 2);
                periodic();
            }
        }
    }

    /** Once per period: publish, JMX. */
    private void periodic() {
        pump.newPeriod();
        if (options.publish()) {
            try {
                shim.publish();
            } catch (Throwable t) {
                error("ss_publish", t);
            }
        }
        refreshMBeans();
    }

    /** New caches' beans, gone caches' beans away, the alerts checked. */
    private void refreshMBeans() {
        if (jmx == null) {
            return;
        }
        try {
            // a snapshot of this period will do, most often the one JFR's periodic events were
            // written from (one snapshot a period instead of two: each is a native copy, a parse
            // and garbage)
            jmx.refresh(snapshots.get(options.period().toMillis()));
        } catch (Throwable t) {
            error("JMX", t);
        }
    }

    /** Set when the platform MBean server cannot be had: the agent says so once and stops trying. */
    private boolean jmxUnavailable;

    /** How often the agent thread looks for a platform MBean server while its MXBeans wait for one. */
    static final long SERVER_LOOK_MILLIS = 100;

    /** The MXBeans are wanted and not registered yet. */
    private boolean mbeansPending() {
        return alerts != null && !jmxUnavailable && jmx == null;
    }

    /**
     * Whether a platform MBean server exists: the agent does not create one. It is made when
     * something looks (JConsole's or jcmd's attach starting the local management agent,
     * -Dcom.sun.management.jmxremote.*, the program's own getPlatformMBeanServer()), and the
     * MXBeans are registered within SERVER_LOOK_MILLIS of it. Until then a JVM nobody watches
     * over JMX pays nothing for JMX: the platform server and its MXBeans, and ours (640 KiB of
     * live heap in bench/jvm, which every full GC of the program marks and moves).
     * MBeanServerFactory keeps every server made by createMBeanServer, the platform one among them.
     */
    private static boolean platformServerExists() {
        try {
            return !javax.management.MBeanServerFactory.findMBeanServer(null).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The io.slabscope MXBeans in the platform MBean server; null, and one line, if there is none. */
    private JmxSupport registerMBeans() {
        JmxSupport j;
        try {
            j = new JmxSupport(this, alerts);
        } catch (Throwable t) {
            jmxUnavailable = true;
            Agent.warn("the platform MBean server is not available (" + t + "); no MXBeans"
                    + (jfr != null ? " (the JFR events work)" : ""));
            return null;
        }
        try {
            j.register();
            return j;
        } catch (Throwable t) {
            jmxUnavailable = true;                     // said once; not tried again every 100 ms
            error("registering the MXBeans", t);
            return null;
        }
    }

    /** Drains the allocator's events now (agent thread, end-of-chunk hook, shutdown). */
    int drainEvents() {
        EventPump p = pump;
        if (p == null) {
            return 0;
        }
        long t0 = System.nanoTime();
        int n = p.drain();
        drainNanos.addAndGet(System.nanoTime() - t0);
        return n;
    }

    /** Time spent draining (and turning records into events), for -Dslabscope.agent.debug=true. */
    private final java.util.concurrent.atomic.AtomicLong drainNanos = new java.util.concurrent.atomic.AtomicLong();

    private void shutdown() {
        running = false;
        wakeUp();
        try {
            if (thread != null) {
                thread.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            drainEvents();
        } catch (Throwable t) {
            // exiting
        }
        if (Boolean.getBoolean("slabscope.agent.debug")) {
            Agent.warn("drained " + counters.drained.get() + " records (" + counters.committed.get()
                    + " JFR events) in " + drainNanos.get() / 1_000_000 + " ms; " + snapshots.taken()
                    + " snapshots; native drops " + shim.dropped() + ", agent drops " + counters.agentDropped.get());
        }
    }

    /** Reports a failure of one kind once on stderr, counts every one. */
    void error(String what, Throwable t) {
        counters.errors.incrementAndGet();
        if (reported.add(what)) {
            Agent.warn(what + " failed: " + t);
            if (Boolean.getBoolean("slabscope.agent.debug")) {
                t.printStackTrace();
            }
        }
    }

    // ---- AgentView (the MXBeans) ----------------------------------------------

    @Override
    public Snapshot snapshot() throws IOException {
        return snapshots.get(250);
    }

    @Override
    public boolean mallopt(int param, int value) {
        boolean ok = shim.mallopt(param, value);
        snapshots.invalidate();
        return ok;
    }

    @Override
    public boolean trim() {
        boolean r = shim.mallocTrim(0);
        snapshots.invalidate();
        return r;
    }

    /** Pad large enough that malloc_trim keeps the whole heap top: only the caches' empty slabs go. */
    static final long KEEP_TOP_PAD = 1L << 46;

    @Override
    public long shrinkCaches() throws IOException {
        long exact = shim.shrinkCaches();
        if (exact >= 0) {
            snapshots.invalidate();
            return exact;
        }
        // an older shim: the difference of two snapshots (other threads' slabs move it too)
        long before = slabPages(snapshots.fresh());
        shim.mallocTrim(KEEP_TOP_PAD);
        long after = slabPages(snapshots.fresh());
        return Math.max(0, before - after);
    }

    private static long slabPages(Snapshot s) {
        long pages = 0;
        for (SlabCache c : s.caches()) {
            pages += c.numSlabs() * c.pagesPerSlab();
        }
        return pages;
    }

    /** ss_validate(); the corruptions it finds are drained (events, notifications) at once. */
    @Override
    public long validate() {
        long found = shim.validate();
        snapshots.invalidate();
        wakeUp();
        return found;
    }

    @Override
    public String slabinfo() throws IOException {
        return shim.slabinfo();
    }

    @Override
    public String buddyinfo() throws IOException {
        return shim.buddyinfo();
    }

    /**
     * Samples cost a native stack walk in the allocating thread, and only a recording makes use
     * of them: the agent samples while some running recording has NativeAllocationSample enabled
     * (JfrBridge tells it when that changes). Setting SamplingInterval over JMX applies at once and
     * pins the sampling, whatever the recordings.
     */
    synchronized void recordingsWantSamples(boolean want) {
        if (samplingPinned) {
            return;
        }
        boolean on = shim.samplingInterval() > 0;
        if (want && !on && samplingInterval > 0) {
            shim.setSampling(samplingInterval);
        } else if (!want && on) {
            shim.setSampling(0);
        }
    }

    /** The interval the rate cap does not go above. */
    static final long MAX_ADAPTED_INTERVAL = 1L << 34;
    private long rateSamples;
    private long rateSince = System.nanoTime();

    /**
     * Keeps the sample rate under max-sample-rate: a program that allocates faster than
     * interval * rate bytes per second gets a larger interval (each sample's weight is the
     * interval in force when it was taken, so the estimates stay unbiased); when it slows down the
     * interval comes back towards the configured one. Checked after drains, at most every 250 ms.
     */
    private void capSampleRate() {
        long now = System.nanoTime();
        long elapsed = now - rateSince;
        if (elapsed < 250_000_000L) {
            return;
        }
        long samples = live.samples();
        long n = samples - rateSamples;
        rateSamples = samples;
        rateSince = now;
        long max = options.maxSampleRate();
        if (max <= 0) {
            return;
        }
        synchronized (this) {
            long cur = shim.samplingInterval();
            if (cur <= 0) {
                return;
            }
            double rate = n * 1e9 / elapsed;
            long next = cur;
            if (rate > max) {
                next = (long) Math.min(MAX_ADAPTED_INTERVAL, cur * Math.min(16.0, rate / max * 1.25));
            } else if (rate < max / 3.0 && cur > samplingInterval) {
                next = Math.max(samplingInterval, cur / 2);
            }
            if (next != cur) {
                shim.setSampling(next);
            }
        }
    }

    private volatile long samplingInterval;
    private volatile boolean samplingPinned;

    @Override
    public long samplingInterval() {
        return samplingInterval;
    }

    @Override
    public synchronized void setSamplingInterval(long bytes) {
        samplingInterval = bytes;
        samplingPinned = true;
        shim.setSampling(bytes);
    }

    @Override
    public boolean samplingActive() {
        return shim.samplingInterval() > 0;
    }

    @Override
    public long currentSamplingInterval() {
        return shim.samplingInterval();
    }

    @Override
    public String version() {
        return shim.version();
    }

    @Override
    public String optionsText() {
        return options.toString();
    }

    @Override
    public long nativeEventsDropped() {
        return shim.dropped();
    }

    @Override
    public long agentEventsDropped() {
        return counters.agentDropped.get();
    }

    @Override
    public long eventsDrained() {
        return counters.drained.get();
    }

    @Override
    public long liveSampleCount() {
        return live.count();
    }

    @Override
    public long liveSampledBytes() {
        return live.weight();
    }
}
