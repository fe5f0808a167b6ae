package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.ShmSource;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.data.LocalTargets;
import io.slabscope.ui.data.Session;
import io.slabscope.ui.data.ShmDataSource;
import io.slabscope.ui.views.HeapLayoutPanel;
import io.slabscope.ui.views.SlabCachesPanel;
import io.slabscope.ui.views.StatusBanner;
import io.slabscope.ui.views.UiRefresh;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.Test;

/**
 * A real process under the shim (native-shim's ground_truth: known numbers of known sizes),
 * followed live through /dev/shm: the Slab Caches table equals what the process publishes, the
 * Heap Layout shows its slab pages, and when it exits the views say it is disconnected.
 */
public class EndToEndTest {

    @Test
    void followsGroundTruthUnderTheShim() throws Exception {
        Path lib = Path.of(System.getProperty("slabscope.library", "native-shim/target/libslabscope.so"));
        Path bin = Path.of(System.getProperty("slabscope.testBin", "native-shim/target/test-bin"), "ground_truth");
        assertTrue(Files.isExecutable(bin), "build native-shim first: " + bin);
        ProcessBuilder pb = new ProcessBuilder(bin.toString());
        pb.environment().put("LD_PRELOAD", lib.toAbsolutePath().toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process proc = pb.start();
        Shell shell = Ui.shell(1200, 700);
        Session session = new Session();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("ready pid="), "ground_truth said: " + ready);
            int pid = (int) proc.pid();
            assertTrue(LocalTargets.list().stream().anyMatch(t -> t.pid() == pid && t.shm()),
                    "the connect dialog lists the process");

            shell.setLayout(new GridLayout(2, true));
            StatusBanner banner = new StatusBanner(shell, session);
            banner.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
            SlabCachesPanel table = new SlabCachesPanel(shell);
            table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            Composite right = new Composite(shell, SWT.NONE);
            right.setLayout(new FillLayout());
            right.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            HeapLayoutPanel layout = new HeapLayoutPanel(right);
            shell.open();
            UiRefresh refresh = new UiRefresh(table, () -> {
                banner.update(session);
                Frame f = session.frame();
                if (f != null) {
                    table.setSnapshot(f.snapshot());
                    layout.setFrame(f);
                }
            });
            session.addListener((s, changed) -> refresh.request());
            session.setInterval(200);
            session.connect(ShmDataSource.open(pid));

            assertTrue(Ui.spinUntil(() -> table.rows().stream().anyMatch(r -> r[0].equals("ground_truth_obj")), 15_000),
                    "table filled: " + banner.text());
            // the table equals what the process publishes (it is idle: nothing changes)
            Snapshot truth = ShmSource.open(pid).snapshot();
            Map<String, String[]> rows = new HashMap<>();
            for (String[] r : table.rows()) {
                rows.put(r[0], r);
            }
            assertEquals(truth.caches().size(), rows.size());
            for (SlabCache c : truth.caches()) {
                String[] r = rows.get(c.name());
                assertEquals(Integer.toString(c.size()), r[1], c.name());
                assertEquals(Long.toString(c.activeObjs()), r[2], c.name());
                assertEquals(Long.toString(c.numObjs()), r[3], c.name());
                assertEquals(c.activeSlabs() + "/" + c.numSlabs(), r[6], c.name());
            }
            assertEquals("500", rows.get("ground_truth_obj")[2]);
            assertTrue(Long.parseLong(rows.get("kmalloc-64")[2]) >= 10_000);
            assertTrue(Long.parseLong(rows.get("kmalloc-1024")[2]) >= 2_000);

            // the page layout: the idle process answers a layout request when asked to publish
            OutputStream in = proc.getOutputStream();
            boolean gotLayout = Ui.spinUntil(() -> {
                Frame f = session.frame();
                if (f != null && f.layout() != null) {
                    return true;
                }
                try {
                    in.write("p\n".getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                } catch (java.io.IOException e) {
                    return false;
                }
                return false;
            }, 15_000);
            assertTrue(gotLayout, "a page layout arrived");
            Frame f = session.frame();
            int gtId = f.snapshot().cache("ground_truth_obj").orElseThrow().id();
            long gtPages = f.layout().slabPagesByCache().getOrDefault(gtId, 0L);
            assertEquals(f.snapshot().cache("ground_truth_obj").get().numSlabs()
                    * f.snapshot().cache("ground_truth_obj").get().pagesPerSlab(), gtPages);
            assertTrue(f.layout().count(PageKind.MEDIUM_HEAD) >= 20, "20 medium blocks");
            assertTrue(f.layout().large().size() >= 3, "3 large blocks");
            Ui.spinUntil(() -> layout.heapMap() != null && layout.heapMap().totalPages() > 0, 5000);
            assertTrue(layout.heapMap().totalPages() >= f.layout().totalPages());

            // the process exits: the views say so, and keep trying
            in.write("q\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(proc.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Ui.spinUntil(() -> session.state() == Session.State.DISCONNECTED && banner.disconnectedShown(),
                    10_000), "disconnected state: " + session.state() + " " + banner.text());
            assertTrue(banner.text().startsWith("Disconnected from pid " + pid), banner.text());
            List<String[]> after = table.rows();
            assertEquals(rows.size(), after.size(), "the last state stays on screen");
        } finally {
            session.disconnect();
            proc.destroyForcibly();
            shell.dispose();
        }
    }
}
