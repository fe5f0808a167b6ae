package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Formats;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.render.HeapMapRenderer.Viewport;
import io.slabscope.ui.render.Palette;
import io.slabscope.ui.views.FragmentationPanel;
import io.slabscope.ui.views.HeapLayoutPanel;
import io.slabscope.ui.views.SlabCachesPanel;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The views render a known snapshot: table rows, layout pixels, chart points. */
public class ViewsTest {
    private Shell shell;

    @AfterEach
    void close() {
        if (shell != null) {
            shell.dispose();
        }
    }

    @Test
    void slabCachesTableEqualsTheModel() {
        shell = Ui.shell(1000, 500);
        SlabCachesPanel p = new SlabCachesPanel(shell);
        shell.open();
        Snapshot s = Fixtures.snapshot();
        p.setSnapshot(s);
        p.sortBy(0, false); // by name, ascending
        Ui.flush();
        List<String[]> rows = p.rows();
        List<SlabCache> expected = new ArrayList<>(s.caches());
        expected.sort((a, b) -> a.name().compareTo(b.name()));
        assertEquals(expected.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            SlabCache c = expected.get(i);
            String[] r = rows.get(i);
            assertEquals(c.name(), r[0]);
            assertEquals(Integer.toString(c.size()), r[1]);
            assertEquals(Long.toString(c.activeObjs()), r[2]);
            assertEquals(Long.toString(c.numObjs()), r[3]);
            assertEquals(Formats.percent(c.usagePercent()), r[4]);
            assertEquals(Integer.toString(c.objPerSlab()), r[5]);
            assertEquals(c.activeSlabs() + "/" + c.numSlabs(), r[6]);
            assertEquals(Integer.toString(c.pagesPerSlab()), r[7]);
            assertEquals(Formats.bytes(c.cacheSizeBytes()), r[8]);
        }
        // the model's figures, independently: kmalloc-64 has 4 slabs of 63 objects, 156 in use
        assertEquals(List.of("inode_cache", "kmalloc-1024", "kmalloc-64"), rows.stream().map(r -> r[0]).toList());
        String[] k64 = rows.get(2);
        assertEquals("156", k64[2]);
        assertEquals("252", k64[3]);
        // sort by active objects, descending; then filter
        p.sortBy(2, true);
        assertEquals("kmalloc-64", p.rows().get(0)[0]);
        p.setFilter("1024");
        assertEquals(1, p.rows().size());
        assertEquals("kmalloc-1024", p.rows().get(0)[0]);
        p.setFilter("");
        // in place: the selection survives an update
        String[] selected = new String[1];
        p.onSelection(n -> selected[0] = n);
        p.select("inode_cache");
        assertEquals("inode_cache", selected[0]);
        p.setSnapshot(Fixtures.snapshot());
        assertEquals("inode_cache",
                ((SlabCache) p.viewer().getStructuredSelection().getFirstElement()).name());
        assertTrue(p.summaryText().startsWith("3 caches"), p.summaryText());
        // what the threads' caches keep of the active objects
        Snapshot base = Fixtures.snapshot();
        long[] g = base.global().toArray();
        g[GlobalStats.FIELD_NAMES.indexOf("threads")] = 12;
        g[GlobalStats.FIELD_NAMES.indexOf("full_thread_caches")] = 3;
        g[GlobalStats.FIELD_NAMES.indexOf("thread_cache_bytes")] = 65536;
        p.setSnapshot(new Snapshot(base.version(), base.seq(), base.pid(), base.pageSize(), base.startTimeNs(),
                base.publishTimeNs(), base.publishCount(), base.totalSize(), base.nrOrders(), base.layoutRequest(),
                base.layoutSeq(), base.exe(), GlobalStats.of(g), base.caches(), base.zones()));
        assertTrue(p.summaryText().endsWith(" — 12 thread caches (3 full) keep " + Formats.bytes(65536) + " of them free"),
                p.summaryText());
    }

    @Test
    void heapLayoutPixelsCarryThePageKinds() {
        shell = Ui.shell(800, 600);
        HeapLayoutPanel p = new HeapLayoutPanel(shell);
        shell.open();
        Ui.flush();
        Frame f = Fixtures.frame();
        p.setWholeProcess(false);
        p.setFrame(f);
        p.zoomAt(4, 0, 0); // 16 px per page
        p.scrollTo(0);
        Ui.flush();
        ImageData img = p.imageData();
        assertNotNull(img);
        Viewport v = p.viewport();
        assertEquals(16, v.cellPx());
        // zone pages (linear 0..63), see Fixtures.entries()
        assertPixel(Palette.slab(0, 1.0), img, v, 0);
        assertPixel(Palette.slab(0, 30 / 63.0), img, v, 2);
        assertPixel(Palette.slab(0, 0.0), img, v, 3);
        assertPixel(Palette.slab(2, 5 / 13.0), img, v, 4);
        assertPixel(Palette.MEDIUM_HEAD, img, v, 6);
        assertPixel(Palette.MEDIUM_TAIL, img, v, 8);
        assertPixel(Palette.METADATA, img, v, 10);
        assertPixel(Palette.ABSENT, img, v, 11);
        assertPixel(Palette.free(2), img, v, 13);
        assertPixel(Palette.freeClean(4), img, v, 20);
        assertPixel(Palette.slab(1, 1.0), img, v, 32);
        assertPixel(Palette.slab(1, 0.75), img, v, 33);
        // the large block comes after the (shortened) gap
        long large = p.heapMap().linearPage(Fixtures.LARGE_ADDR);
        assertTrue(large > 64, "large block at linear page " + large);
        p.reveal(large);
        Ui.flush();
        assertPixel(Palette.LARGE, p.imageData(), p.viewport(), large);
        // tooltips
        p.scrollTo(0);
        long[] xy = p.viewport().pixelOf(2);
        String tip = p.tooltipAt((int) xy[0] + 8, (int) xy[1] + 8);
        assertTrue(tip.contains("kmalloc-64") && tip.contains("objects in use: 30 of 63"), tip);
        assertTrue(tip.contains(Formats.hex(Fixtures.BRK_BASE + 2 * 4096)), tip);
        xy = p.viewport().pixelOf(13);
        tip = p.tooltipAt((int) xy[0] + 8, (int) xy[1] + 8);
        assertTrue(tip.contains("order 2"), tip);

        // highlighting kmalloc-1024: its pages in the cache's colour, the others dimmed
        p.setHighlight("kmalloc-1024");
        Ui.flush();
        assertPixel(Palette.cache(1), p.imageData(), p.viewport(), 40);
        assertPixel(Palette.dim(Palette.slab(0, 1.0)), p.imageData(), p.viewport(), 0);
        p.setHighlight(null);

        // whole map at once: every pixel of the zone row is coloured, none left as background
        p.fit();
        Ui.flush();
        assertTrue(p.zoom() <= 4, "fit zoom " + p.zoom());
        assertNotEquals(Palette.BACKGROUND, rgbAt(p.imageData(), 0, 0));
    }

    private static int rgbAt(ImageData img, int x, int y) {
        RGB rgb = img.palette.getRGB(img.getPixel(x, y));
        return (rgb.red << 16) | (rgb.green << 8) | rgb.blue;
    }

    private static void assertPixel(int expected, ImageData img, Viewport v, long page) {
        long[] xy = v.pixelOf(page);
        int x = (int) xy[0] + v.cellPx() / 2;
        int y = (int) xy[1] + v.cellPx() / 2;
        assertTrue(y >= 0 && y < img.height, "page " + page + " off screen at y=" + y);
        assertEquals(String.format("%06x", expected), String.format("%06x", rgbAt(img, x, y)),
                "colour of linear page " + page + " at (" + x + "," + y + ")");
    }

    @Test
    void fragmentationChartsHaveOnePointPerFrame() {
        shell = Ui.shell(1000, 800);
        FragmentationPanel p = new FragmentationPanel(shell);
        shell.open();
        List<Frame> history = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Snapshot s = Fixtures.snapshot(Fixtures.caches(), 1_700_000_001_000_000_000L + i * 1_000_000_000L,
                    new long[] {i, 1, 0, 2, 0, 1}, 64);
            history.add(new Frame(s, null, null, s.publishTimeNs()));
        }
        p.setHistory(history);
        Ui.flush();
        assertEquals(2, p.internalChart().series().size());
        assertEquals(7, p.internalChart().pointCount(0));
        assertEquals(7, p.heapChart().pointCount(1));
        assertEquals(7, p.mmapChart().pointCount(0));
        assertEquals(14, p.unusableChart().series().size());
        assertEquals(14, p.fragmentationChart().series().size());
        for (int o = 0; o < 14; o++) {
            assertEquals(7, p.unusableChart().pointCount(o));
        }
        // the last frame: free pages 6 + 2 + 16 + 32 = 56, every one usable for order 0
        assertEquals(0.0, p.unusableChart().series().get(0).values()[6], 1e-9);
        // order 5: only the order-5 block (32 pages) serves it: (56 - 32) / 56
        assertEquals(24.0 / 56, p.unusableChart().series().get(5).values()[6], 1e-9);
        // order 6: no block that large, all free memory is unusable
        assertEquals(1.0, p.unusableChart().series().get(6).values()[6], 1e-9);
        assertEquals(14, p.freeListHistogram().bars());
        assertEquals(6, p.freeListHistogram().count(0));
        assertEquals(2, p.freeListHistogram().count(3));
    }
}
