package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import jdk.jfr.DataAmount;
import jdk.jfr.EventType;
import jdk.jfr.MemoryAddress;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debug mode end to end: a JVM under the shim with SLABSCOPE_DEBUG=FZPU and SLABSCOPE_ABORT=0, the
 * agent and a recording, writes one byte past a 40-byte Unsafe.allocateMemory block and frees it,
 * then the same with a 100,000-byte block (a medium block of pages, guarded at its end).
 * The shim finds the damaged red zone at the free; a JMX client sees the io.slabscope.corruption
 * notification; validate() finds a second block damaged and kept; the recording read back holds
 * one Slab Corruption event for each, "right red zone", with the owner's stack. The counters
 * (Corruptions, HeapSummary.corruptions) have a test of their own.
 */
@Timeout(200)
class DebugModeTest {
    @TempDir
    Path dir;

    /** The workload JVM (serve) under FZPU with the agent and a recording into {@code jfr}. */
    private Child debugJvm(String jdk, Path jfr) throws Exception {
        Child c = Child.jvm(jdk)
                .agent("period=200ms")
                .jvm("-XX:StartFlightRecording:settings=" + JfrRecordingTest.JFC + ",filename=" + jfr)
                .env("SLABSCOPE_DEBUG", "FZPU")
                .env("SLABSCOPE_ABORT", "0")
                .main("io.slabscope.agent.Workload", "serve")
                .start(dir);
        c.expect("ready");
        return c;
    }

    /** The child's platform MBean server over the local connector (as JConsole finds it). */
    private static JMXConnector jmx(Child c) throws Exception {
        return JMXConnectorFactory.connect(new JMXServiceURL(JmxTest.localConnector(c)));
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void aBufferOverflowIsReportedInJmxAndJfr(String jdk) throws Exception {
        Path jfr = dir.resolve("debug.jfr");
        long freed;
        long block;
        long kept;
        try (Child c = debugJvm(jdk, jfr)) {
            try (JMXConnector jc = jmx(c)) {
                MBeanServerConnection mbs = jc.getMBeanServerConnection();
                JmxTest.waitForBeans(mbs);
                BlockingQueue<Notification> got = new LinkedBlockingQueue<>();
                NotificationListener l = (n, h) -> got.add(n);
                mbs.addNotificationListener(JmxTest.ALLOCATOR, l, null, null);

                freed = address(c.command("overflow 40"));
                Notification n = JmxTest.await(got, "io.slabscope.corruption");
                CompositeData d = (CompositeData) n.getUserData();
                assertEquals(freed, d.get("address"), n.getMessage());
                assertEquals(freed + 40, d.get("badAddress"));
                assertEquals(40L, d.get("objectSize"));
                assertEquals("right red zone (overflow)", d.get("kind"));
                assertEquals(1L, d.get("count"));
                assertTrue(((String) d.get("cache")).startsWith("kmalloc-"), d.toString());
                assertTrue((int) d.get("ownerThreadId") > 0, "FZPU tracks the owner: " + d);
                assertTrue(n.getMessage().startsWith("right red zone (overflow): kmalloc-"), n.getMessage());

                // a block of pages (what a direct buffer of 100 KB gets): its red zone is past
                // the bytes asked for, and the report names the tier
                block = address(c.command("overflow 100000"));
                CompositeData b = (CompositeData) JmxTest.await(got, "io.slabscope.corruption").getUserData();
                assertEquals(block, b.get("address"));
                assertEquals(block + 100000, b.get("badAddress"));
                assertEquals(100000L, b.get("objectSize"));
                assertEquals("medium", b.get("cache"));
                assertEquals("right red zone (overflow)", b.get("kind"));

                // a damaged block still in use: found by validate(), not by a free
                kept = address(c.command("overflow-keep 40"));
                assertEquals(1L, mbs.invoke(JmxTest.ALLOCATOR, "validate", null, null));
                Notification v = JmxTest.await(got, "io.slabscope.corruption");
                assertEquals(kept, ((CompositeData) v.getUserData()).get("address"));
                assertEquals(0L, mbs.invoke(JmxTest.ALLOCATOR, "validate", null, null),
                        "repaired (SLABSCOPE_ABORT=0)");
                mbs.removeNotificationListener(JmxTest.ALLOCATOR, l);
            }
            c.command("exit");
            assertEquals(0, c.waitFor(), c.stderr());
            assertEquals(List.of(), c.agentLines(), c.stderr());
            assertTrue(c.stderr().contains("right red zone overwritten"), "the shim's own report:\n" + c.stderr());
        }

        List<RecordedEvent> all = RecordingFile.readAllEvents(jfr);
        List<RecordedEvent> events = all.stream()
                .filter(e -> e.getEventType().getName().equals("io.slabscope.SlabCorruption")).toList();
        RecordedEvent first = only(events, freed);
        RecordedEvent second = only(events, kept);
        for (RecordedEvent e : List.of(first, second)) {
            assertEquals("right red zone (overflow)", e.getString("kind"));
            assertEquals(e.getLong("address") + 40, e.getLong("badAddress"));
            assertEquals(40, e.getLong("badOffset"));
            assertEquals(40, e.getLong("objectSize"));
            assertTrue(e.getString("cache").startsWith("kmalloc-"), e.toString());
            assertTrue(e.getInt("ownerThreadId") > 0, e.toString());
            assertTrue(e.getInt("ownerFrames") >= 1, e.toString());
            // symbolised as the samples are: symbol+0xoff (library); the owner allocated in libjvm
            assertTrue(e.getString("ownerStack").contains("(libjvm.so)"), e.getString("ownerStack"));
            assertTrue(e.getLong("nativeTimeNanos") > 0);
            assertNull(e.getStackTrace());
        }
        RecordedEvent pages = only(events, block);
        assertEquals("medium", pages.getString("cache"));
        assertEquals(100000, pages.getLong("badOffset"));
        assertEquals(100000, pages.getLong("objectSize"));
        assertTrue(pages.getString("ownerStack").contains("(libjvm.so)"), pages.getString("ownerStack"));
        EventType t = first.getEventType();
        assertEquals("Slab Corruption", t.getLabel());
        assertEquals(List.of("Native Memory", "Slabscope"), t.getCategoryNames());
        assertNotNull(t.getField("address").getAnnotation(MemoryAddress.class));
        assertNotNull(t.getField("badAddress").getAnnotation(MemoryAddress.class));
        assertNotNull(t.getField("objectSize").getAnnotation(DataAmount.class));
        List<RecordedEvent> caches = all.stream()
                .filter(e -> e.getEventType().getName().equals("io.slabscope.SlabCache")).toList();
        assertTrue(caches.stream().anyMatch(e -> "FZPU".equals(e.getString("debug"))), "debug flags of the caches");
        assertFalse(caches.stream().anyMatch(e -> e.getString("name").equals("kmem_cache")
                && !e.getString("debug").isEmpty()), "the allocator's own caches are never debugged");
    }

    /** The Allocator MBean's Corruptions and the recording's HeapSummary count what was found. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void theCountersCountIt(String jdk) throws Exception {
        Path jfr = dir.resolve("counted.jfr");
        try (Child c = debugJvm(jdk, jfr)) {
            try (JMXConnector jc = jmx(c)) {
                MBeanServerConnection mbs = jc.getMBeanServerConnection();
                JmxTest.waitForBeans(mbs);
                assertEquals(0L, mbs.getAttribute(JmxTest.ALLOCATOR, "Corruptions"), c.stderr());
                assertEquals(0L, mbs.getAttribute(JmxTest.ALLOCATOR, "FaultsInjected"));
                c.command("overflow 40");
                awaitCorruptions(mbs, 1);
                c.command("overflow-keep 40");
                assertEquals(1L, mbs.invoke(JmxTest.ALLOCATOR, "validate", null, null));
                awaitCorruptions(mbs, 2);
            }
            c.command("exit");
            assertEquals(0, c.waitFor(), c.stderr());
        }
        RecordedEvent lastSummary = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("io.slabscope.HeapSummary"))
                // the latest snapshot, not the last in the file: events of different threads' buffers
                // are not in time order there
                .max(java.util.Comparator.comparingLong(e -> e.getLong("snapshotNanos"))).orElseThrow();
        assertEquals(2, lastSummary.getLong("corruptions"), lastSummary.toString());
    }

    private static long address(String ok) {
        return Long.parseUnsignedLong(ok.substring("ok 0x".length()), 16);
    }

    private static RecordedEvent only(List<RecordedEvent> events, long address) {
        List<RecordedEvent> at = events.stream().filter(e -> e.getLong("address") == address).toList();
        assertEquals(1, at.size(), "Slab Corruption events at 0x" + Long.toHexString(address) + ": " + events);
        return at.get(0);
    }

    private static void awaitCorruptions(MBeanServerConnection mbs, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long now;
        while ((now = (long) mbs.getAttribute(JmxTest.ALLOCATOR, "Corruptions")) < n
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(n, now, "Corruptions");
    }
}
