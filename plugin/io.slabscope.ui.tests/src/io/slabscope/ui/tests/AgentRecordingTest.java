package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.GlobalStats;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.data.Recording;
import io.slabscope.ui.data.RecordingReader;
import io.slabscope.ui.data.Session;
import io.slabscope.ui.views.RecordingPanel;
import io.slabscope.ui.views.SlabCachesPanel;
import io.slabscope.ui.views.UiRefresh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

/**
 * A recording made by the real agent: a workload JVM under the shim with the agent and
 * -XX:StartFlightRecording with the shipped slabscope.jfc runs about 3 s and exits. The file is
 * read twice — by the plugin's RecordingReader into the recording panel, and here, independently,
 * with jdk.jfr.consumer.RecordingFile — and the two must agree: time range, one timeline position
 * per periodic snapshot, the caches of a moment, the sampled bytes of the allocation sites.
 */
public class AgentRecordingTest {

    /** What the file holds, read with RecordingFile alone. */
    static final class Independent {
        final TreeSet<Long> heapSnapshots = new TreeSet<>();
        final TreeSet<Long> cacheSnapshots = new TreeSet<>();
        final Map<Long, Map<String, Long>> activeObjs = new HashMap<>();
        final List<long[]> samples = new ArrayList<>(); // {time, weight}
        final TreeSet<String> summaryFields = new TreeSet<>();
    }

    static Independent readIndependently(Path file) throws Exception {
        Independent in = new Independent();
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                switch (e.getEventType().getName()) {
                    case "io.slabscope.HeapSummary" -> {
                        in.heapSnapshots.add(e.getLong("snapshotNanos"));
                        e.getFields().forEach(f -> in.summaryFields.add(f.getName()));
                    }
                    case "io.slabscope.SlabCache" -> {
                        long t = e.getLong("snapshotNanos");
                        in.cacheSnapshots.add(t);
                        in.activeObjs.computeIfAbsent(t, k -> new TreeMap<>()).put(e.getString("name"),
                                e.getLong("activeObjs"));
                    }
                    case "io.slabscope.NativeAllocationSample" -> {
                        long t = e.getLong("nativeTimeNanos");
                        if (t == 0) {
                            t = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
                        }
                        in.samples.add(new long[] {t, e.getLong("weight")});
                    }
                    default -> {
                    }
                }
            }
        }
        return in;
    }

    @Test
    void timelineOfARealRecording() throws Exception {
        Path dir = Files.createTempDirectory("slabscope-ui-rec");
        Path file = dir.resolve("workload.jfr");
        Shell shell = Ui.shell(1200, 800);
        try {
            try (AgentJvm jvm = AgentJvm.start("period=500ms", 2_000_000,
                    "-XX:StartFlightRecording:settings=" + AgentJvm.jfc() + ",filename=" + file)) {
                Thread.sleep(3000);
                assertEquals(0, jvm.exit(), jvm.stderr());
            }
            assertTrue(Files.size(file) > 0, "no recording written");
            Independent truth = readIndependently(file);
            int n = truth.heapSnapshots.size();
            assertTrue(n >= 4, n + " periodic snapshots in about 3 s at period=500ms");
            assertEquals(truth.heapSnapshots, truth.cacheSnapshots, "every snapshot has its caches");
            assertFalse(truth.samples.isEmpty(), "sampled allocations in the recording");

            // every allocator figure the reader looks for is a field the agent writes
            for (String name : GlobalStats.FIELD_NAMES) {
                String field = RecordingReader.summaryField(name);
                assertTrue(truth.summaryFields.contains(field), name + " -> HeapSummary." + field
                        + " not in the recording's fields " + truth.summaryFields);
            }

            Recording r = RecordingReader.read(file);
            assertNull(r.warning());
            // the time range: the first and the last snapshot
            assertEquals(n, r.snapshots().size());
            assertEquals((long) truth.heapSnapshots.first(), r.startNanos());
            assertEquals((long) truth.heapSnapshots.last(), r.endNanos());
            double seconds = (r.endNanos() - r.startNanos()) / 1e9;
            assertTrue(seconds >= 2.0 && seconds < 60, "the recording spans " + seconds + " s");

            Session session = new Session();
            shell.setLayout(new GridLayout(1, false));
            RecordingPanel panel = new RecordingPanel(shell, session);
            panel.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            SlabCachesPanel table = new SlabCachesPanel(shell);
            table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            shell.open();
            Frame[] shown = new Frame[1];
            UiRefresh refresh = new UiRefresh(table, () -> {
                shown[0] = session.frame();
                table.setSnapshot(shown[0] == null ? null : shown[0].snapshot());
            });
            session.addListener((s, changed) -> refresh.request());
            panel.setRecording(r);
            assertEquals(n, panel.positions(), "one timeline position per periodic snapshot");
            assertTrue(panel.messageText().contains(n + " snapshots over " + String.format("%.1f s", seconds)),
                    panel.messageText());

            // a moment in the middle: the views show the caches of that moment
            int i = n / 2;
            long at = new ArrayList<>(truth.heapSnapshots).get(i);
            panel.moveTimeline(i);
            assertEquals(i, panel.index());
            assertTrue(Ui.spinUntil(() -> shown[0] != null && shown[0].timeNanos() == at, 5000),
                    "the views did not move to snapshot " + i);
            assertEquals(Session.State.RECORDING, session.state());
            assertEquals(i + 1, session.history().size(), "the history up to that moment");
            Map<String, Long> expected = truth.activeObjs.get(at);
            Map<String, String> active = new TreeMap<>();
            for (String[] row : table.rows()) {
                active.put(row[0], row[2]);
            }
            assertEquals(expected.keySet(), active.keySet(), "the caches of snapshot " + i);
            expected.forEach((name, v) -> assertEquals(Long.toString(v), active.get(name), name + " active objects"));
            String biggest = expected.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            assertTrue(expected.get(biggest) > 100, biggest + ": " + expected.get(biggest));

            // the last moment: the allocation sites and the sampled events' weights
            panel.moveTimeline(n - 1);
            List<Recording.Site> sites = panel.sites();
            assertFalse(sites.isEmpty(), "top allocation sites");
            assertEquals(panel.siteRows(), sites.size());
            long shownBytes = sites.stream().mapToLong(Recording.Site::bytes).sum();
            long shownSamples = sites.stream().mapToLong(Recording.Site::samples).sum();
            long end = r.endNanos();
            long weights = truth.samples.stream().filter(s -> s[0] <= end).mapToLong(s -> s[1]).sum();
            long count = truth.samples.stream().filter(s -> s[0] <= end).count();
            assertEquals(weights, shownBytes, "sampled bytes of the sites vs the events' weights up to the end");
            assertEquals(count, shownSamples);
            // the whole file
            assertEquals(truth.samples.stream().mapToLong(s -> s[1]).sum(),
                    r.sites(Long.MAX_VALUE).stream().mapToLong(Recording.Site::bytes).sum());
            assertTrue(sites.get(0).liveBytes() >= sites.get(sites.size() - 1).liveBytes(), "leak candidates first");
            System.out.printf("recording: %d snapshots over %.1f s, %d sampled allocations (%d bytes by weight) at %d "
                    + "sites; at snapshot %d, %d caches compared (%s: %d active)%n", n, seconds, count, weights,
                    sites.size(), i, expected.size(), biggest, expected.get(biggest));
        } finally {
            shell.dispose();
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
