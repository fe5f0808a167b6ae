package io.slabscope.agent.jmx;

import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers the io.slabscope MXBeans in the platform MBean server and keeps one SlabCache MBean
 * per cache. Opens no port: remote access is the JDK's own (com.sun.management.jmxremote.*).
 */
public final class JmxSupport {
    public static final String DOMAIN = "io.slabscope";
    public static final ObjectName ALLOCATOR = name("io.slabscope:type=Allocator");
    public static final ObjectName HEAP = name("io.slabscope:type=Heap");
    public static final ObjectName BUDDY = name("io.slabscope:type=Buddy");

    private final AgentView view;
    private final Alerts alerts;
    private final MBeanServer server;
    private final Map<String, ObjectName> caches = new HashMap<>();
    private final Set<ObjectName> registered = new HashSet<>();

    public JmxSupport(AgentView view, Alerts alerts) {
        this.view = view;
        this.alerts = alerts;
        this.server = ManagementFactory.getPlatformMBeanServer();
    }

    static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** ObjectName of a cache's MBean: io.slabscope:type=SlabCache,name="kmalloc-64". */
    public static ObjectName cacheName(String cache) {
        return name("io.slabscope:type=SlabCache,name=" + ObjectName.quote(cache));
    }

    public Alerts alerts() {
        return alerts;
    }

    /** Registers the fixed MBeans. */
    public synchronized void register() throws JMException {
        alerts.setSource(ALLOCATOR);
        add(ALLOCATOR, new DescribedEmitterMBean<>(new AllocatorBean(view, alerts), AllocatorMXBean.class, alerts));
        add(HEAP, new DescribedMBean<>(new HeapBean(view), HeapMXBean.class));
        add(BUDDY, new DescribedMBean<>(new BuddyBean(view), BuddyMXBean.class));
    }

    private void add(ObjectName on, Object mbean) throws JMException {
        try {
            server.registerMBean(mbean, on);
        } catch (InstanceAlreadyExistsException e) {
            // a previous agent instance (another class loader): replace it
            server.unregisterMBean(on);
            server.registerMBean(mbean, on);
        }
        registered.add(on);
    }

    /** One MBean per cache of the snapshot; MBeans of caches that are gone are unregistered. Then the alerts. */
    public synchronized void refresh(Snapshot s) throws JMException {
        Set<String> now = new HashSet<>();
        for (SlabCache c : s.caches()) {
            now.add(c.name());
            if (!caches.containsKey(c.name())) {
                ObjectName on = cacheName(c.name());
                add(on, new DescribedMBean<>(new SlabCacheBean(view, c), SlabCacheMXBean.class));
                caches.put(c.name(), on);
            }
        }
        for (var it = caches.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!now.contains(e.getKey())) {
                remove(e.getValue());
                it.remove();
            }
        }
        alerts.check(s);
    }

    private void remove(ObjectName on) {
        try {
            server.unregisterMBean(on);
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (JMException e) {
            // left registered
        }
        registered.remove(on);
    }

    /** Unregisters everything. */
    public synchronized void unregister() {
        for (ObjectName on : Set.copyOf(registered)) {
            remove(on);
        }
        caches.clear();
    }

    public synchronized int cacheBeans() {
        return caches.size();
    }
}
