package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.PageEntry;
import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.DataSource;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.data.JmxDataSource;
import io.slabscope.ui.data.LocalTargets;
import io.slabscope.ui.data.Session;
import io.slabscope.ui.render.HeapMap;
import io.slabscope.ui.render.HeapMapRenderer.Viewport;
import io.slabscope.ui.render.Palette;
import io.slabscope.ui.views.FragmentationPanel;
import io.slabscope.ui.views.HeapLayoutPanel;
import io.slabscope.ui.views.SlabCachesPanel;
import io.slabscope.ui.views.StatusBanner;
import io.slabscope.ui.views.UiRefresh;
import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

/**
 * A JVM under the shim with the agent, followed over JMX the way the connect dialog reaches a
 * local JVM (Attach API, local connector address) by the real JmxDataSource and the real views in
 * a Shell: the Slab Caches table equals what a JMX client of its own reads from the SlabCache
 * MBeans from the same agent snapshot, the Fragmentation charts gain points, the Heap Layout gets
 * its pages from the Heap MBean's layout operation (slab pages of the caches the table lists,
 * drawn in their colours), and when the JVM is killed the views say it is disconnected.
 */
public class JmxEndToEndTest {
    static final ObjectName ALLOCATOR = JmxDataSource.ALLOCATOR;

    /** One SlabCache MBean as a JMX client reads it. */
    record CacheRead(String name, int objSize, long active, long total, long activeSlabs, long slabs, int id) {
    }

    static Map<String, CacheRead> readCaches(MBeanServerConnection mbs) throws IOException {
        Map<String, CacheRead> out = new TreeMap<>();
        try {
            for (ObjectName on : mbs.queryNames(JmxDataSource.CACHES, null)) {
                Map<String, Object> a = new HashMap<>();
                for (Attribute at : mbs.getAttributes(on, new String[] {"Name", "ObjectSize", "ActiveObjects",
                    "Objects", "ActiveSlabs", "Slabs", "CacheId", "Present"}).asList()) {
                    a.put(at.getName(), at.getValue());
                }
                if (Boolean.FALSE.equals(a.get("Present"))) {
                    continue;
                }
                out.put((String) a.get("Name"), new CacheRead((String) a.get("Name"), (Integer) a.get("ObjectSize"),
                        (Long) a.get("ActiveObjects"), (Long) a.get("Objects"), (Long) a.get("ActiveSlabs"),
                        (Long) a.get("Slabs"), (Integer) a.get("CacheId")));
            }
        } catch (javax.management.JMException e) {
            throw new IOException(e);
        }
        return out;
    }

    /**
     * The real JmxDataSource, watched: after each of its polls the test's own JMX client reads
     * every SlabCache MBean. The agent's MBeans answer from one snapshot for 250 ms; when its time
     * (Allocator.SnapshotTime) is the frame's before the poll and still after the client's read,
     * the frame and the read come from the same snapshot and are kept to be compared exactly.
     */
    static final class Witness implements DataSource {
        final JmxDataSource real;
        final MBeanServerConnection client;
        final Map<Frame, Map<String, CacheRead>> sameSnapshot;
        final AtomicInteger polls;
        final AtomicReference<String> uiThreadPoll;

        Witness(JmxDataSource real, MBeanServerConnection client, Map<Frame, Map<String, CacheRead>> same,
                AtomicInteger polls, AtomicReference<String> uiThreadPoll) {
            this.real = real;
            this.client = client;
            this.sameSnapshot = same;
            this.polls = polls;
            this.uiThreadPoll = uiThreadPoll;
        }

        @Override
        public String describe() {
            return real.describe();
        }

        @Override
        public Frame poll() throws IOException {
            if (Display.getCurrent() != null) {
                uiThreadPoll.set(Thread.currentThread().getName());
            }
            try {
                // start on a fresh agent snapshot: its 250 ms are then ours
                long t0 = (long) client.getAttribute(ALLOCATOR, "SnapshotTime");
                long age = System.currentTimeMillis() - t0;
                if (age > 20 && age < 260) {
                    Thread.sleep(260 - age);
                }
                long t1 = (long) client.getAttribute(ALLOCATOR, "SnapshotTime");
                Frame f = real.poll();
                polls.incrementAndGet();
                Map<String, CacheRead> read = readCaches(client);
                long t2 = (long) client.getAttribute(ALLOCATOR, "SnapshotTime");
                if (t1 == t2 && f.snapshot().publishTimeNs() == t1 * 1_000_000L) {
                    sameSnapshot.put(f, read);
                }
                return f;
            } catch (javax.management.JMException e) {
                throw new IOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public DataSource reopen() throws IOException {
            return new Witness((JmxDataSource) real.reopen(), client, sameSnapshot, polls, uiThreadPoll);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void followsAJvmOverJmx() throws Exception {
        Shell shell = Ui.shell(1400, 900);
        Session session = new Session();
        try (AgentJvm jvm = AgentJvm.start("period=2s", 0)) {
            // the connect dialog's list: the JVM is there, seen by the Attach API
            LocalTargets.Target target = LocalTargets.list().stream().filter(t -> t.pid() == jvm.pid).findFirst()
                    .orElseThrow(() -> new AssertionError("pid " + jvm.pid + " not listed: " + LocalTargets.list()));
            assertTrue(target.jvm(), "the Attach API sees the JVM: " + target);
            JmxDataSource jmx = LocalTargets.openJmx(target);
            assertTrue(jmx.describe().contains("pid " + jvm.pid) && jmx.describe().endsWith("(JMX)"), jmx.describe());

            // the test's own JMX client, to the same local connector address
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(target.attachId());
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            JMXConnector jc = JMXConnectorFactory.connect(new JMXServiceURL(address));
            try {
                MBeanServerConnection client = jc.getMBeanServerConnection();
                Map<Frame, Map<String, CacheRead>> same = Collections.synchronizedMap(new IdentityHashMap<>());
                AtomicInteger polls = new AtomicInteger();
                AtomicReference<String> uiThreadPoll = new AtomicReference<>();
                Witness witness = new Witness(jmx, client, same, polls, uiThreadPoll);

                // the three views, updated as the Slabscope views are: session listener -> asyncExec
                shell.setLayout(new GridLayout(2, true));
                StatusBanner banner = new StatusBanner(shell, session);
                banner.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
                SlabCachesPanel table = new SlabCachesPanel(shell);
                table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
                HeapLayoutPanel heap = new HeapLayoutPanel(shell);
                heap.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
                FragmentationPanel charts = new FragmentationPanel(shell);
                charts.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
                shell.open();
                Frame[] shown = new Frame[1];
                int[] historyShown = new int[1];
                UiRefresh refresh = new UiRefresh(table, () -> {
                    banner.update(session);
                    Frame f = session.frame();
                    if (f != null) {
                        table.setSnapshot(f.snapshot());
                        heap.setFrame(f);
                        List<Frame> history = session.history().frames();
                        charts.setHistory(history);
                        historyShown[0] = history.size();
                        shown[0] = f;
                    }
                });
                session.addListener((s, changed) -> refresh.request());
                session.setInterval(200);
                long connectedAt = System.nanoTime();
                session.connect(witness);

                // 1. the table shows a frame read from the same agent snapshot as the client's own read
                List<String[]>[] rows = new List[1];
                Map<String, CacheRead>[] truth = new Map[1];
                assertTrue(Ui.spinUntil(() -> {
                    Map<String, CacheRead> r = shown[0] == null ? null : same.get(shown[0]);
                    if (r != null) {
                        rows[0] = table.rows();
                        truth[0] = r;
                    }
                    return r != null;
                }, 30_000), "no frame shown from the same snapshot as a client read (" + polls.get() + " polls, "
                        + same.size() + " same-snapshot reads): " + banner.text());
                Map<String, String[]> byName = new TreeMap<>();
                for (String[] r : rows[0]) {
                    byName.put(r[0], r);
                }
                assertEquals(truth[0].keySet(), byName.keySet(), "the table's caches are the SlabCache MBeans");
                for (CacheRead c : truth[0].values()) {
                    String[] r = byName.get(c.name());
                    assertEquals(Integer.toString(c.objSize()), r[1], c.name() + " objsize");
                    assertEquals(Long.toString(c.active()), r[2], c.name() + " active objects");
                    assertEquals(Long.toString(c.total()), r[3], c.name() + " objects");
                    assertEquals(c.activeSlabs() + "/" + c.slabs(), r[6], c.name() + " slabs");
                }
                // what the workload keeps is there
                assertTrue(Long.parseLong(byName.get("kmalloc-704")[2]) >= AgentJvm.KEPT_704, "kmalloc-704");
                assertTrue(Long.parseLong(byName.get("kmalloc-2560")[2]) >= AgentJvm.KEPT_2560, "kmalloc-2560");
                assertTrue(Long.parseLong(byName.get("kmalloc-5120")[2]) >= AgentJvm.KEPT_5120, "kmalloc-5120");
                assertTrue(banner.text().startsWith("Connected to pid " + jvm.pid), banner.text());

                // 2. the Fragmentation charts gain a point per update
                int before = charts.internalChart().pointCount(0);
                assertTrue(before >= 1, "points: " + before);
                assertTrue(Ui.spinUntil(() -> charts.internalChart().pointCount(0) >= before + 2, 15_000),
                        "charts: " + before + " -> " + charts.internalChart().pointCount(0) + " points");
                assertEquals(historyShown[0], charts.heapChart().pointCount(0), "one point per frame");
                assertTrue(charts.unusableChart().series().size() >= 10, "one series per order");
                assertTrue(charts.freeListHistogram().bars() >= 10, "free lists per order");

                // 3. the page layout over JMX: slab pages of the caches the table lists
                assertTrue(Ui.spinUntil(() -> shown[0] != null && shown[0].layout() != null, 15_000),
                        "no page layout over JMX");
                Frame f = shown[0];
                Layout layout = f.layout();
                Snapshot s = f.snapshot();
                Map<Integer, SlabCache> byId = new HashMap<>();
                s.caches().forEach(c -> byId.put(c.id(), c));
                Map<Integer, Long> slabPages = layout.slabPagesByCache();
                assertFalse(slabPages.isEmpty(), "slab pages in the layout");
                assertTrue(byId.keySet().containsAll(slabPages.keySet()),
                        "every slab page belongs to a listed cache: " + slabPages.keySet() + " vs " + byId.keySet());
                Set<Long> zoneBases = new HashSet<>();
                s.zones().forEach(z -> zoneBases.add(z.base()));
                for (LayoutZone z : layout.zones()) {
                    assertTrue(zoneBases.contains(z.base()), "layout zone at " + Long.toHexString(z.base()));
                }
                for (String name : List.of("kmalloc-704", "kmalloc-2560", "kmalloc-5120")) {
                    SlabCache c = s.cache(name).orElseThrow();
                    long kept = name.equals("kmalloc-704") ? AgentJvm.KEPT_704
                            : name.equals("kmalloc-2560") ? AgentJvm.KEPT_2560 : AgentJvm.KEPT_5120;
                    long atLeast = (kept + c.objPerSlab() - 1) / c.objPerSlab() * c.pagesPerSlab();
                    long pages = slabPages.getOrDefault(c.id(), 0L);
                    assertTrue(pages >= atLeast, name + ": " + pages + " slab pages in the layout, its " + kept
                            + " kept objects need " + atLeast);
                }
                // ... drawn in the heap map: a page of kmalloc-2560 in its slab colour, then highlighted
                SlabCache k2560 = s.cache("kmalloc-2560").orElseThrow();
                long addr = firstSlabPage(layout, k2560.id());
                heap.setWholeProcess(false);
                heap.zoomAt(4, -1, -1);
                HeapMap map = heap.heapMap();
                long page = map.linearPage(addr);
                assertTrue(page >= 0, "page " + Long.toHexString(addr) + " in the map");
                heap.reveal(page);
                int raw = entryAt(layout, addr);
                assertEquals(PageKind.SLAB, PageEntry.kindOf(raw));
                double occupancy = (double) PageEntry.inUseOf(raw) / k2560.objPerSlab();
                assertPixel(Palette.slab(k2560.id(), occupancy), heap, page);
                heap.setHighlight("kmalloc-2560");
                assertPixel(Palette.cache(k2560.id()), heap, page);
                heap.setHighlight(null);

                // layouts are asked for at most once a second, while frames come every 200 ms
                double seconds = (System.nanoTime() - connectedAt) / 1e9;
                long layouts = jmx.layoutsFetched();
                assertTrue(layouts >= 1 && layouts <= 1 + (long) seconds, layouts + " layouts in " + seconds + " s");
                assertTrue(polls.get() > layouts, polls.get() + " polls, " + layouts + " layouts");
                assertEquals(null, uiThreadPoll.get(), "a poll ran on the UI thread");

                // 4. the JVM is killed: the views say so, and keep the last state
                int shownRows = table.rows().size();
                jvm.process.destroyForcibly();
                jvm.process.waitFor();
                assertTrue(Ui.spinUntil(() -> session.state() == Session.State.DISCONNECTED
                        && banner.disconnectedShown(), 20_000), "disconnected: " + session.state() + " "
                        + banner.text());
                assertTrue(banner.text().startsWith("Disconnected from pid " + jvm.pid), banner.text());
                assertEquals(shownRows, table.rows().size(), "the last state stays on screen");
                assertNotNull(heap.heapMap());
                System.out.printf("JMX end-to-end: %d polls in %.1f s, %d of them read from the same agent snapshot "
                        + "as the test's client, %d layouts; table of %d caches compared; %d of %d heap pages are slab "
                        + "pages%n", polls.get(), seconds, same.size(), layouts, truth[0].size(),
                        layout.count(PageKind.SLAB), layout.totalPages());
            } finally {
                try {
                    jc.close();
                } catch (IOException e) {
                    // the JVM is gone
                }
            }
        } finally {
            session.disconnect();
            shell.dispose();
        }
    }

    /** Address of the first slab page of that cache in the layout. */
    static long firstSlabPage(Layout l, int cacheId) {
        for (LayoutZone z : l.zones()) {
            for (int i = 0; i < z.npages(); i++) {
                int e = z.entry(i);
                if (PageEntry.kindOf(e) == PageKind.SLAB && PageEntry.cacheOf(e) == cacheId) {
                    return z.address(i, l.pageSize());
                }
            }
        }
        throw new AssertionError("no slab page of cache " + cacheId);
    }

    static int entryAt(Layout l, long addr) {
        for (LayoutZone z : l.zones()) {
            long off = addr - z.base();
            if (off >= 0 && off / l.pageSize() < z.npages()) {
                return z.entry((int) (off / l.pageSize()));
            }
        }
        throw new AssertionError("no page at " + Long.toHexString(addr));
    }

    /** The pixel at the middle of a page's cell, in the image the panel rendered last. */
    static void assertPixel(int expected, HeapLayoutPanel p, long page) {
        ImageData img = p.imageData();
        Viewport v = p.viewport();
        long[] xy = v.pixelOf(page);
        int x = (int) xy[0] + v.cellPx() / 2;
        int y = (int) xy[1] + v.cellPx() / 2;
        assertTrue(x >= 0 && x < img.width && y >= 0 && y < img.height, "page " + page + " off screen at " + x + ","
                + y);
        RGB rgb = img.palette.getRGB(img.getPixel(x, y));
        int got = (rgb.red << 16) | (rgb.green << 8) | rgb.blue;
        assertEquals(String.format("%06x", expected), String.format("%06x", got), "colour of page " + page);
    }
}
