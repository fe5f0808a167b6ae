package io.slabscope.ui.data;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutParser;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotFormatException;
import io.slabscope.model.Zone;
import io.slabscope.model.ZoneKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JVM running the Slabscope agent, read through its MBeans ({@code io.slabscope:type=Allocator},
 * {@code type=Buddy}, {@code type=SlabCache,name=...}) over a JMX connection: local (Attach API)
 * or remote (URL, user, password). The page layout comes from the Heap MBean's {@code layout()}
 * operation (the ss_layout bytes), at most once per {@link #LAYOUT_INTERVAL_MS}: a layout walks
 * every heap page in the target. An agent without that operation gives frames without a layout.
 * Polled by the session's job, never on the UI thread.
 */
public final class JmxDataSource implements DataSource {
    public static final ObjectName ALLOCATOR = name("io.slabscope:type=Allocator");
    public static final ObjectName BUDDY = name("io.slabscope:type=Buddy");
    public static final ObjectName HEAP = name("io.slabscope:type=Heap");
    /** The layout is asked for at most this often; polls in between reuse the last one. */
    public static final long LAYOUT_INTERVAL_MS = 1000;
    public static final ObjectName CACHES = name("io.slabscope:type=SlabCache,*");

    private static final String[] ALLOCATOR_ATTRS = {"Counters", "Pid", "Executable", "SnapshotTime"};
    private static final String[] BUDDY_ATTRS = {"Orders", "PageSize", "Zones"};
    private static final String[] CACHE_ATTRS = {"Name", "ActiveObjects", "Objects", "ObjectSize",
        "RequestedObjectSize", "Align", "ObjectsPerSlab", "PagesPerSlab", "ActiveSlabs", "Slabs", "FullSlabs",
        "PartialSlabs", "FreeSlabs", "CacheSize", "Allocations", "Frees", "Grows", "Reaps", "ColourCount",
        "ColourOffset", "Kmalloc", "CacheId", "Present", "Policy"};

    private final String url;
    private final String user;
    private final String password;
    private final JMXConnector connector;
    private final MBeanServerConnection mbs;
    private final String label;
    private long polls;
    private Layout layout;
    private boolean layoutAsked;
    private long layoutNanos;
    private long layouts;
    private boolean layoutUnsupported;

    private JmxDataSource(String url, String user, String password, String label) throws IOException {
        this.url = url;
        this.user = user;
        this.password = password;
        this.label = label;
        Map<String, Object> env = new HashMap<>();
        if (user != null && !user.isEmpty()) {
            env.put(JMXConnector.CREDENTIALS, new String[] {user, password == null ? "" : password});
        }
        this.connector = JMXConnectorFactory.connect(new JMXServiceURL(url), env);
        try {
            this.mbs = connector.getMBeanServerConnection();
            if (!awaitAllocator(mbs)) {
                throw new IOException("no " + ALLOCATOR + " MBean at " + url
                        + ": is the Slabscope agent loaded in that JVM (-javaagent:slabscope-agent.jar)?");
            }
        } catch (IOException e) {
            closeQuietly();
            throw e;
        }
    }

    /** How long a new connection waits for the agent's MBeans (see {@link #awaitAllocator}). */
    static final long AGENT_WAIT_MILLIS = 3000;

    /**
     * Whether the Allocator MBean is there, waiting a moment for it: the agent registers its
     * MBeans only once the JVM has a platform MBean server, within 0.1 s of its creation, and an
     * attach that starts the local management agent is what creates it.
     */
    private static boolean awaitAllocator(MBeanServerConnection mbs) throws IOException {
        long end = System.nanoTime() + AGENT_WAIT_MILLIS * 1_000_000L;
        while (!mbs.isRegistered(ALLOCATOR)) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Connects to a JMX service URL, or to {@code host:port} (an RMI registry, as jconsole takes it).
     */
    public static JmxDataSource connect(String urlOrHostPort, String user, String password) throws IOException {
        String url = serviceUrl(urlOrHostPort);
        return new JmxDataSource(url, user, password, url);
    }

    /** Connects to a local JVM's connector address (from the Attach API). */
    public static JmxDataSource connectLocal(String connectorAddress, String label) throws IOException {
        return new JmxDataSource(connectorAddress, null, null, label);
    }

    /** {@code host:port} to an RMI service URL; anything starting with service:jmx: is kept. */
    public static String serviceUrl(String s) {
        String t = s.trim();
        if (t.startsWith("service:jmx:")) {
            return t;
        }
        if (t.matches("[^:/\\s]+:\\d{1,5}") || t.matches("\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
            return "service:jmx:rmi:///jndi/rmi://" + t + "/jmxrmi";
        }
        throw new IllegalArgumentException("not a JMX service URL nor host:port: " + s);
    }

    @Override
    public String describe() {
        return label + " (JMX)";
    }

    @Override
    public Frame poll() throws IOException {
        try {
            Map<String, Object> a = attributes(ALLOCATOR, ALLOCATOR_ATTRS);
            Map<String, Object> b = attributes(BUDDY, BUDDY_ATTRS);
            Map<String, Long> counters = counters(a.get("Counters"));
            long[] g = new long[GlobalStats.FIELD_COUNT];
            for (int i = 0; i < g.length; i++) {
                Long v = counters.get(GlobalStats.FIELD_NAMES.get(i));
                g[i] = v == null ? 0 : v;
            }
            int pageSize = num(b.get("PageSize"), 4096).intValue();
            int orders = num(b.get("Orders"), 0).intValue();
            List<Zone> zones = zones(b.get("Zones"), orders);
            List<SlabCache> caches = caches(pageSize);
            long timeNs = num(a.get("SnapshotTime"), System.currentTimeMillis()).longValue() * 1_000_000L;
            Snapshot s = new Snapshot(1, 0, num(a.get("Pid"), 0).intValue(), pageSize, 0, timeNs, ++polls, 0, orders,
                    0, 0, a.get("Executable") instanceof String e ? e : "", GlobalStats.of(g), caches, zones);
            return new Frame(s, layout(pageSize), null, Frame.now());
        } catch (JMException e) {
            throw new IOException("JMX: " + e.getMessage(), e);
        }
    }

    /**
     * The Heap MBean's layout, asked for at most once per LAYOUT_INTERVAL_MS (else the last one);
     * null when the agent has no layout operation (then it is not asked again) or none could be read yet.
     */
    private Layout layout(int pageSize) throws IOException {
        long now = System.nanoTime();
        if (layoutUnsupported || layoutAsked && now - layoutNanos < LAYOUT_INTERVAL_MS * 1_000_000L) {
            return layout;
        }
        layoutAsked = true;
        layoutNanos = now;
        try {
            Object raw = mbs.invoke(HEAP, "layout", null, null);
            if (raw instanceof byte[] b) {
                layout = LayoutParser.parse(ByteBuffer.wrap(b), pageSize);
                layouts++;
            }
        } catch (InstanceNotFoundException | ReflectionException e) {
            layoutUnsupported = true; // an agent from before the layout operation
        } catch (MBeanException | RuntimeMBeanException | SnapshotFormatException e) {
            // the target could not write one this time: keep the last
        }
        return layout;
    }

    /** How many layouts were fetched (tests: at most one per LAYOUT_INTERVAL_MS). */
    public long layoutsFetched() {
        return layouts;
    }

    private Map<String, Object> attributes(ObjectName on, String[] names) throws IOException, JMException {
        AttributeList list = mbs.getAttributes(on, names);
        Map<String, Object> m = new HashMap<>();
        for (Attribute at : list.asList()) {
            m.put(at.getName(), at.getValue());
        }
        return m;
    }

    private List<SlabCache> caches(int pageSize) throws IOException, JMException {
        Set<ObjectName> names = mbs.queryNames(CACHES, null);
        List<SlabCache> out = new ArrayList<>(names.size());
        for (ObjectName on : names) {
            Map<String, Object> c;
            try {
                c = attributes(on, CACHE_ATTRS);
            } catch (InstanceNotFoundException gone) {
                continue; // destroyed between the query and the read
            }
            if (Boolean.FALSE.equals(c.get("Present"))) {
                continue;
            }
            long numSlabs = num(c.get("Slabs"), 0).longValue();
            int pps = num(c.get("PagesPerSlab"), 1).intValue();
            out.add(new SlabCache(String.valueOf(c.get("Name")), num(c.get("RequestedObjectSize"), 0).intValue(),
                    num(c.get("ObjectSize"), 0).intValue(), num(c.get("Align"), 0).intValue(),
                    num(c.get("ObjectsPerSlab"), 0).intValue(), pps, num(c.get("ColourCount"), 0).intValue(),
                    num(c.get("ColourOffset"), 0).intValue(), Boolean.TRUE.equals(c.get("Kmalloc")) ? 0 : -1,
                    num(c.get("ActiveObjects"), 0).longValue(), num(c.get("Objects"), 0).longValue(),
                    num(c.get("ActiveSlabs"), 0).longValue(), numSlabs, num(c.get("FullSlabs"), 0).longValue(),
                    num(c.get("PartialSlabs"), 0).longValue(), num(c.get("FreeSlabs"), 0).longValue(),
                    num(c.get("Allocations"), 0).longValue(), num(c.get("Frees"), 0).longValue(),
                    num(c.get("Grows"), 0).longValue(), num(c.get("Reaps"), 0).longValue(),
                    SlabCache.policyFlags((String) c.get("Policy")),
                    num(c.get("CacheId"), out.size()).intValue(),
                    num(c.get("CacheSize"), numSlabs * pps * (long) pageSize).longValue()));
        }
        out.sort((x, y) -> Integer.compare(x.id(), y.id()));
        return out;
    }

    static List<Zone> zones(Object value, int orders) {
        List<Zone> out = new ArrayList<>();
        if (value instanceof CompositeData[] arr) {
            for (CompositeData cd : arr) {
                String kind = String.valueOf(cd.get("kind"));
                if ("all".equalsIgnoreCase(kind)) {
                    continue;
                }
                long[] free = cd.get("freeBlocks") instanceof long[] f ? f : new long[orders];
                out.add(new Zone(num(cd.get("id"), out.size() + 1).intValue(),
                        "mmap".equalsIgnoreCase(kind) ? ZoneKind.MMAP : ZoneKind.BRK, num(cd.get("base"), 0).longValue(),
                        num(cd.get("top"), 0).longValue(), num(cd.get("freePages"), 0).longValue(),
                        num(cd.get("dirtyPages"), 0).longValue(), free));
            }
        }
        return out;
    }

    /** A {@code Map<String, Long>} attribute, as an MXBean delivers it (TabularData of key/value rows). */
    static Map<String, Long> counters(Object value) {
        Map<String, Long> m = new HashMap<>();
        if (value instanceof TabularData td) {
            for (Object row : (Collection<?>) td.values()) {
                CompositeData cd = (CompositeData) row;
                m.put(String.valueOf(cd.get("key")), num(cd.get("value"), 0).longValue());
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> m.put(String.valueOf(k), num(v, 0).longValue()));
        }
        return m;
    }

    private static Number num(Object o, long dflt) {
        return o instanceof Number n ? n : Long.valueOf(dflt);
    }

    @Override
    public DataSource reopen() throws IOException {
        return new JmxDataSource(url, user, password, label);
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            connector.close();
        } catch (IOException | RuntimeException e) {
            // the other side is gone already
        }
    }

    private static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
