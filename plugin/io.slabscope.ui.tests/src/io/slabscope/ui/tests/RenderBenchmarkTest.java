package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.LayoutZone;
import io.slabscope.model.PageEntry;
import io.slabscope.model.PageKind;
import io.slabscope.model.Snapshot;
import io.slabscope.model.ZoneKind;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.views.FragmentationPanel;
import io.slabscope.ui.views.HeapLayoutPanel;
import io.slabscope.ui.views.SlabCachesPanel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

/**
 * The figure of issue 5: one frame of a 1 GiB heap (262,144 pages) with 200 caches, drawn on the
 * UI thread by the three views (Heap Layout map, Slab Caches table, Fragmentation charts), target
 * under 50 ms. Prints the median and worst of 20 frames and writes them to
 * {@code target/eclipse-benchmark.txt} (system property {@code slabscope.benchmarkOut});
 * fails only far above the target (the machine is shared).
 */
public class RenderBenchmarkTest {
    static final int PAGES = 262_144;
    static final int CACHES = 200;

    @Test
    void oneGibHeapWith200Caches() {
        List<Fixtures.Cache> caches = Fixtures.manyCaches(CACHES);
        Snapshot s = Fixtures.snapshot(caches, 1_700_000_001_000_000_000L, new long[] {100, 50, 20, 10, 5, 2, 1},
                PAGES);
        Random rnd = new Random(42);
        int[] e = new int[PAGES];
        for (int i = 0; i < PAGES;) {
            int run = 1 + rnd.nextInt(64);
            int kind = rnd.nextInt(10);
            for (int k = 0; k < run && i < PAGES; k++, i++) {
                e[i] = switch (kind) {
                    case 0, 1 -> PageEntry.encode(PageKind.FREE, rnd.nextInt(11), 0, rnd.nextInt(2));
                    case 2 -> PageEntry.encode(k == 0 ? PageKind.MEDIUM_HEAD : PageKind.MEDIUM_TAIL, 0, 0, 0);
                    case 3 -> PageEntry.encode(PageKind.METADATA, 0, 0, 0);
                    default -> PageEntry.encode(PageKind.SLAB, 0, rnd.nextInt(CACHES), rnd.nextInt(64));
                };
            }
        }
        var layout = new io.slabscope.model.Layout(1, 2, 1, s.publishTimeNs(), 4096,
                List.of(new LayoutZone(1, ZoneKind.BRK, Fixtures.BRK_BASE, e)), List.of());
        Frame frame = new Frame(s, layout, null, s.publishTimeNs());
        List<Frame> history = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            history.add(new Frame(s, null, null, s.publishTimeNs() + i * 1_000_000_000L));
        }

        Shell shell = Ui.shell(1400, 900);
        try {
            shell.setLayout(new GridLayout(2, true));
            HeapLayoutPanel map = new HeapLayoutPanel(shell);
            map.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            SlabCachesPanel table = new SlabCachesPanel(shell);
            table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            FragmentationPanel charts = new FragmentationPanel(shell);
            charts.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
            shell.open();
            Ui.flush();
            map.setWholeProcess(false);
            long[] frameMs = new long[20];
            long[] mapMs = new long[20];
            for (int i = 0; i < 22; i++) {
                long t0 = System.nanoTime();
                map.setFrame(frame); // rebuilds the map of 262,144 pages and renders it
                long t1 = System.nanoTime();
                table.setSnapshot(s);
                charts.setHistory(history);
                shell.update(); // paint now, on this (the UI) thread
                long t2 = System.nanoTime();
                if (i >= 2) { // two warm-up frames
                    frameMs[i - 2] = (t2 - t0) / 1_000_000;
                    mapMs[i - 2] = (t1 - t0) / 1_000_000;
                }
            }
            // zoomed in: a frame re-renders only what is on screen
            map.zoomAt(3, -1, -1);
            long z0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                map.renderNow();
            }
            long zoomedUs = (System.nanoTime() - z0) / 10_000;
            Arrays.sort(frameMs);
            Arrays.sort(mapMs);
            System.out.printf("BENCHMARK heap layout 1 GiB (%d pages), %d caches, 60-point charts: frame median %d ms, "
                    + "worst %d ms (heap map alone: median %d ms); re-render at 8 px/page: %d us; target < 50 ms%n",
                    PAGES, CACHES, frameMs[10], frameMs[19], mapMs[10], zoomedUs);
            // into the module's target/ (never the source tree); scripts/eclipse-screenshots.sh copies it to docs/
            String out = System.getProperty("slabscope.benchmarkOut");
            if (out != null) {
                try {
                    java.nio.file.Path f = java.nio.file.Path.of(out);
                    java.nio.file.Files.createDirectories(f.toAbsolutePath().getParent());
                    java.nio.file.Files.writeString(f, String.format(
                            "heap layout 1 GiB (%d pages), %d caches, 60-point charts, 1400x900 window:%n"
                                    + "  frame on the UI thread: median %d ms, worst %d ms (target < 50 ms)%n"
                                    + "  heap map rebuild + render alone: median %d ms%n"
                                    + "  re-render when zoomed to 8 px/page: %d us%n",
                            PAGES, CACHES, frameMs[10], frameMs[19], mapMs[10], zoomedUs));
                } catch (java.io.IOException ex) {
                    // the figure is printed anyway
                }
            }
            assertTrue(frameMs[10] < 500, "median frame " + frameMs[10] + " ms");
        } finally {
            shell.dispose();
        }
    }
}
