package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.agent.jmx.AgentView;
import io.slabscope.agent.jmx.Alerts;
import io.slabscope.agent.jmx.JmxSupport;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotParser;
import io.slabscope.testing.SnapshotBytes;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MXBeans over a made-up allocator, in this JVM: registration, caches coming and going, alerts. */
class JmxBeansTest {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private JmxSupport jmx;

    /** An allocator that is a snapshot the test changes. */
    static final class FakeView implements AgentView {
        SnapshotBytes bytes = SnapshotBytes.sample();
        final List<String> calls = new ArrayList<>();
        long sampling;

        @Override
        public Snapshot snapshot() {
            try {
                return SnapshotParser.parse(ByteBuffer.wrap(bytes.build()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean mallopt(int param, int value) {
            calls.add("mallopt(" + param + ", " + value + ")");
            bytes.global(param == -3 ? "mmap_threshold" : "trim_threshold", value);
            return true;
        }

        @Override
        public boolean trim() {
            calls.add("trim");
            return true;
        }

        @Override
        public long shrinkCaches() {
            calls.add("shrink");
            return 3;
        }

        @Override
        public String slabinfo() {
            return "slabinfo - version: 2.1\n";
        }

        @Override
        public String buddyinfo() {
            return "Brk\n";
        }

        @Override
        public long samplingInterval() {
            return sampling;
        }

        @Override
        public void setSamplingInterval(long b) {
            sampling = b;
        }

        @Override
        public boolean samplingActive() {
            return sampling > 0;
        }

        @Override
        public long currentSamplingInterval() {
            return sampling;
        }

        @Override
        public String version() {
            return "slabscope test";
        }

        @Override
        public String optionsText() {
            return "period=1s";
        }

        @Override
        public long nativeEventsDropped() {
            return 0;
        }

        @Override
        public long agentEventsDropped() {
            return 0;
        }

        @Override
        public long eventsDrained() {
            return 0;
        }

        @Override
        public long liveSampleCount() {
            return 0;
        }

        @Override
        public long liveSampledBytes() {
            return 0;
        }
    }

    @AfterEach
    void unregister() {
        if (jmx != null) {
            jmx.unregister();
        }
    }

    @Test
    void beansFollowTheAllocator() throws Exception {
        FakeView view = new FakeView();
        view.bytes.global("bytes_requested", 700).global("bytes_allocated", 1000);
        Alerts alerts = new Alerts(0.5, 3, 25);
        List<Notification> got = new ArrayList<>();
        alerts.addNotificationListener((n, h) -> got.add(n), null, null);
        jmx = new JmxSupport(view, alerts);
        jmx.register();
        jmx.refresh(view.snapshot());
        ObjectName k64 = JmxSupport.cacheName("kmalloc-64");
        assertEquals(new ObjectName("io.slabscope:type=SlabCache,name=\"kmalloc-64\""), k64);
        assertEquals(3, server.queryNames(new ObjectName("io.slabscope:type=SlabCache,*"), null).size());
        assertEquals(1000L, server.getAttribute(k64, "ActiveObjects"));
        assertEquals(30.0, (double) server.getAttribute(JmxSupport.ALLOCATOR, "InternalFragmentationPercent"), 1e-9);
        assertEquals(List.of(Alerts.INTERNAL_FRAGMENTATION), got.stream().map(Notification::getType).toList(),
                "30% is above 25%");

        // descriptions and units in the MBeanInfo
        assertTrue(server.getMBeanInfo(JmxSupport.HEAP).getDescription().startsWith("The Slabscope brk heap"));
        for (MBeanAttributeInfo a : server.getMBeanInfo(JmxSupport.ALLOCATOR).getAttributes()) {
            if (a.getName().equals("MmapThreshold")) {
                assertEquals("bytes", a.getDescriptor().getFieldValue("units"));
                assertTrue(a.getDescription().contains("M_MMAP_THRESHOLD"), a.getDescription());
                assertTrue(a.isWritable());
            }
        }

        // settings go to mallopt
        server.setAttribute(JmxSupport.ALLOCATOR, new Attribute("MmapThreshold", 1L << 20));
        server.setAttribute(JmxSupport.ALLOCATOR, new Attribute("TrimThreshold", -1L));
        assertEquals(List.of("mallopt(-3, 1048576)", "mallopt(-1, -1)"), view.calls);
        assertEquals(1L << 20, server.getAttribute(JmxSupport.ALLOCATOR, "MmapThreshold"));
        assertEquals(3L, server.invoke(JmxSupport.ALLOCATOR, "shrinkCaches", null, null));

        // a cache goes away, another comes; a failure; fragmentation
        view.bytes.caches.removeIf(c -> c.name.equals("inode_cache"));
        view.bytes.cache("dentry", 192, 21, 1, 5, 1);
        view.bytes.global("alloc_failures", 2);
        got.clear();
        jmx.refresh(view.snapshot());
        assertFalse(server.isRegistered(JmxSupport.cacheName("inode_cache")));
        assertTrue(server.isRegistered(JmxSupport.cacheName("dentry")));
        assertEquals(List.of(Alerts.ALLOCATION_FAILURE), got.stream().map(Notification::getType).toList(),
                "failures since the first look");
        assertEquals(2L, ((CompositeData) got.get(0).getUserData()).get("failures"));
        got.clear();
        view.bytes.global("alloc_failures", 5);
        alerts.failureSeen(4096);
        jmx.refresh(view.snapshot());
        assertEquals(List.of(Alerts.ALLOCATION_FAILURE), got.stream().map(Notification::getType).toList());
        CompositeData d = (CompositeData) got.get(0).getUserData();
        assertEquals(3L, d.get("failures"));
        assertEquals(5L, d.get("total"));
        assertEquals(4096L, d.get("lastSize"));

        // the sample has free blocks of orders 0, 1, 3, 7 (Brk) and 10 (Mmap1): none of order 11
        alerts.setFragOrder(11);
        alerts.setFragThreshold(0.1);
        got.clear();
        jmx.refresh(view.snapshot());
        jmx.refresh(view.snapshot());
        assertEquals(List.of(Alerts.FRAGMENTATION), got.stream().map(Notification::getType).toList(),
                "once per crossing");
    }

    /**
     * A corruption reported by the event stream is notified with its details at once; one the
     * counter shows but no report explains is notified without them, a check later; Corruptions and
     * FaultsInjected come from the snapshot; validate() without debug mode says why.
     */
    @Test
    void corruptions() throws Exception {
        FakeView view = new FakeView();
        Alerts alerts = new Alerts(0.5, 3, 25);
        List<Notification> got = new ArrayList<>();
        alerts.addNotificationListener((n, h) -> got.add(n), null, null);
        jmx = new JmxSupport(view, alerts);
        jmx.register();
        view.bytes.global("corruptions", 4).global("faults_injected", 7).global("reap_bytes", 1 << 20)
                .global("reaped_objects", 9).global("threads", 12).global("full_thread_caches", 3)
                .global("thread_cache_bytes", 65536);
        jmx.refresh(view.snapshot());
        assertEquals(9L, server.getAttribute(JmxSupport.ALLOCATOR, "ReapedObjects"));
        assertEquals(12L, server.getAttribute(JmxSupport.ALLOCATOR, "Threads"));
        assertEquals(3L, server.getAttribute(JmxSupport.ALLOCATOR, "FullThreadCaches"));
        assertEquals(65536L, server.getAttribute(JmxSupport.ALLOCATOR, "ThreadCacheBytes"));
        assertEquals(1L << 20, server.getAttribute(JmxSupport.HEAP, "ReapBytes"));
        assertEquals(List.of(), got, "what happened before the agent came is not notified");
        assertEquals(4L, server.getAttribute(JmxSupport.ALLOCATOR, "Corruptions"));
        assertEquals(7L, server.getAttribute(JmxSupport.ALLOCATOR, "FaultsInjected"));

        alerts.corruption(new io.slabscope.agent.jmx.CorruptionReport("kmalloc-48", 0x1000, 40, 0x1028,
                "right red zone (overflow)", 77, 1L));
        assertEquals(1, got.size());
        Notification n = got.get(0);
        assertEquals(Alerts.CORRUPTION, n.getType());
        assertEquals(JmxSupport.ALLOCATOR, n.getSource());
        assertEquals("right red zone (overflow): kmalloc-48 object 0x1000 (40 bytes), byte 0x1028 (offset 40), "
                + "last owner thread 77", n.getMessage());
        CompositeData d = (CompositeData) n.getUserData();
        assertEquals(0x1028L, d.get("badAddress"));
        assertEquals(77, d.get("ownerThreadId"));
        assertEquals(1L, d.get("count"));

        // the counter agrees with the report: nothing more; two more counted and never reported
        view.bytes.global("corruptions", 5);
        jmx.refresh(view.snapshot());
        view.bytes.global("corruptions", 7);
        jmx.refresh(view.snapshot());
        assertEquals(1, got.size(), "a report may still be on its way: wait a check");
        jmx.refresh(view.snapshot());
        assertEquals(2, got.size());
        assertEquals(2L, ((CompositeData) got.get(1).getUserData()).get("count"));
        assertTrue(got.get(1).getMessage().startsWith("2 corruptions found (7 so far) without details"),
                got.get(1).getMessage());
        jmx.refresh(view.snapshot());
        assertEquals(2, got.size(), "each is notified once");

        Exception e = org.junit.jupiter.api.Assertions.assertThrows(javax.management.RuntimeMBeanException.class,
                () -> server.invoke(JmxSupport.ALLOCATOR, "validate", null, null));
        assertTrue(e.getCause() instanceof UnsupportedOperationException, e.toString());
        assertTrue(e.getCause().getMessage().contains("no debug mode"), e.getCause().getMessage());
    }
}
