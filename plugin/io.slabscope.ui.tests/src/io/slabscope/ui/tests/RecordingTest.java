package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Recording;
import io.slabscope.ui.data.RecordingReader;
import io.slabscope.ui.data.Session;
import io.slabscope.ui.views.RecordingPanel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.Name;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recordings: a .jfr with the agent's event names and fields (written here with jdk.jfr, so the
 * test knows every value), read back into snapshots and allocation sites; truncated and foreign
 * files give a message.
 */
public class RecordingTest {
    static final long T0 = 1_700_000_000_000_000_000L;
    static Path dir;
    static Path file;

    @Name("io.slabscope.HeapSummary")
    static class HeapSummary extends Event {
        long snapshotNanos;
        long heapBytes;
        long bytesRequested;
        long bytesAllocated;
        long mmapBytes;
    }

    @Name("io.slabscope.SlabCache")
    static class SlabCacheEv extends Event {
        long snapshotNanos;
        String name;
        long activeObjs;
        long numObjs;
        int objSize;
        int objPerSlab;
        int pagesPerSlab;
        long numSlabs;
        int cacheId;
        long cacheSize;
    }

    @Name("io.slabscope.BuddyZone")
    static class BuddyZoneEv extends Event {
        long snapshotNanos;
        String zone;
        int zoneId;
        String kind;
        long base;
        long top;
        long free;
        long dirty;
    }

    @Name("io.slabscope.BuddyFreeList")
    static class BuddyFreeListEv extends Event {
        long snapshotNanos;
        String zone;
        int zoneId;
        int order;
        long blockSize;
        long freeBlocks;
    }

    @Name("io.slabscope.NativeAllocationSample")
    static class SampleEv extends Event {
        long address;
        long size;
        long weight;
        String tier;
        String cache;
        String nativeStack;
        int nativeThreadId;
        long nativeTimeNanos;
    }

    @Name("io.slabscope.NativeFreeSample")
    static class FreeEv extends Event {
        long address;
        long nativeTimeNanos;
    }

    static final String STACK_A = "malloc+0x10 (libslabscope.so)\nparse_line+0x2a (/usr/bin/app)\nmain+0x40 (/usr/bin/app)";
    static final String STACK_B = "calloc+0x8 (libslabscope.so)\nnew_node+0x11 (/usr/bin/app)\nmain+0x60 (/usr/bin/app)";

    @BeforeAll
    static void record() throws Exception {
        dir = Files.createTempDirectory("slabscope-rec");
        file = dir.resolve("rec.jfr");
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            for (Class<? extends Event> c : List.of(HeapSummary.class, SlabCacheEv.class, BuddyZoneEv.class,
                    BuddyFreeListEv.class, SampleEv.class, FreeEv.class)) {
                r.enable(c);
            }
            r.start();
            for (int p = 0; p < 3; p++) {
                long t = T0 + p * 1_000_000_000L;
                HeapSummary h = new HeapSummary();
                h.snapshotNanos = t;
                h.heapBytes = (p + 1) << 20;
                h.bytesRequested = 1000 * (p + 1);
                h.bytesAllocated = 1200 * (p + 1);
                h.mmapBytes = 4096;
                h.commit();
                for (int c = 0; c < 2; c++) {
                    SlabCacheEv e = new SlabCacheEv();
                    e.snapshotNanos = t;
                    e.name = c == 0 ? "kmalloc-64" : "kmalloc-128";
                    e.objSize = c == 0 ? 64 : 128;
                    e.objPerSlab = 4096 / e.objSize;
                    e.pagesPerSlab = 1;
                    e.numSlabs = p + 1;
                    e.numObjs = e.numSlabs * e.objPerSlab;
                    e.activeObjs = 10L * (p + 1) + c;
                    e.cacheId = c;
                    e.cacheSize = e.numSlabs * 4096;
                    e.commit();
                }
                BuddyZoneEv z = new BuddyZoneEv();
                z.snapshotNanos = t;
                z.zone = "Brk";
                z.zoneId = 1;
                z.kind = "brk";
                z.base = 0x555555a00000L;
                z.top = z.base + (256L << 12);
                z.free = 3 * 4096;
                z.commit();
                for (int o = 0; o < 14; o++) {
                    BuddyFreeListEv f = new BuddyFreeListEv();
                    f.snapshotNanos = t;
                    f.zone = "Brk";
                    f.zoneId = 1;
                    f.order = o;
                    f.blockSize = 4096L << o;
                    f.freeBlocks = o == 0 ? 1 : o == 1 ? p : 0;
                    f.commit();
                }
            }
            sample(0x1000, 100, 500_000, STACK_A, T0 + 100);
            sample(0x2000, 100, 500_000, STACK_A, T0 + 200);
            sample(0x3000, 64, 300_000, STACK_B, T0 + 1_500_000_000L);
            FreeEv fr = new FreeEv();
            fr.address = 0x1000;
            fr.nativeTimeNanos = T0 + 1_200_000_000L;
            fr.commit();
            r.stop();
            r.dump(file);
        }
    }

    static void sample(long addr, long size, long weight, String stack, long t) {
        SampleEv s = new SampleEv();
        s.address = addr;
        s.size = size;
        s.weight = weight;
        s.tier = "slab";
        s.cache = "kmalloc-128";
        s.nativeStack = stack;
        s.nativeThreadId = 77;
        s.nativeTimeNanos = t;
        s.commit();
    }

    @AfterAll
    static void cleanup() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void readsSnapshotsAndSites() throws Exception {
        Recording r = RecordingReader.read(file);
        assertNull(r.warning());
        assertEquals(3, r.snapshots().size());
        Snapshot last = r.snapshots().get(2);
        assertEquals(T0 + 2_000_000_000L, last.publishTimeNs());
        assertEquals(3 << 20, last.global().heapBytes());
        assertEquals(2, last.caches().size());
        assertEquals("kmalloc-64", last.caches().get(0).name());
        assertEquals(30, last.caches().get(0).activeObjs());
        assertEquals(14, last.nrOrders());
        assertEquals(2, last.zones().get(0).nrFree(1));
        assertEquals(4096, last.pageSize());
        // at +1 s: stack A sampled twice, nothing freed yet; B not sampled yet
        List<Recording.Site> at1 = r.sites(T0 + 1_000_000_000L);
        assertEquals(1, at1.size());
        assertEquals("parse_line+0x2a (/usr/bin/app)", at1.get(0).site());
        assertEquals(2, at1.get(0).liveSamples());
        // at the end: A has one live sample (0x1000 was freed), B one
        List<Recording.Site> end = r.sites(T0 + 3_000_000_000L);
        assertEquals(2, end.size());
        Recording.Site a = end.stream().filter(s -> s.stack().equals(STACK_A)).findFirst().orElseThrow();
        assertEquals(2, a.samples());
        assertEquals(1_000_000, a.bytes());
        assertEquals(1, a.liveSamples());
        assertEquals(500_000, a.liveBytes());
        assertEquals(0, r.indexAt(T0 + 500_000_000L));
        assertEquals(2, r.indexAt(T0 + 9_000_000_000L));
    }

    @Test
    void timelineDrivesTheSession() throws Exception {
        Shell shell = Ui.shell(900, 500);
        try {
            Session session = Session.getDefault();
            RecordingPanel p = new RecordingPanel(shell, session);
            shell.open();
            p.setRecording(RecordingReader.read(file));
            assertEquals(Session.State.RECORDING, session.state());
            assertEquals(3, session.history().size());
            assertEquals(2, p.siteRows());
            p.show(0);
            assertEquals(1, session.history().size());
            assertEquals(10, session.frame().snapshot().caches().get(0).activeObjs());
            assertEquals(0, p.siteRows()); // the first samples came after the first snapshot
            p.show(1);
            assertEquals(2, session.history().size());
            assertEquals(1, p.siteRows());
            assertTrue(p.messageText().contains("3 snapshots"), p.messageText());
        } finally {
            shell.dispose();
        }
    }

    @Test
    void truncatedFileGivesAMessage() throws Exception {
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.jfr");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        String msg;
        try {
            Recording r = RecordingReader.read(cut);
            msg = r.warning();
        } catch (RecordingReader.RecordingException e) {
            msg = e.getMessage();
        }
        assertTrue(msg != null && msg.contains("cut.jfr is truncated"), msg);
        Shell shell = Ui.shell(900, 400);
        try {
            RecordingPanel p = new RecordingPanel(shell, Session.getDefault());
            shell.open();
            p.setError(msg);
            assertTrue(p.messageText().contains("truncated"), p.messageText());
            assertEquals(0, p.siteRows());
        } finally {
            shell.dispose();
        }
        // a very short file too
        Path tiny = dir.resolve("tiny.jfr");
        Files.write(tiny, Arrays.copyOf(all, 40));
        RecordingReader.RecordingException e = assertThrows(RecordingReader.RecordingException.class,
                () -> RecordingReader.read(tiny));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void foreignFileGivesAMessage() throws Exception {
        Path txt = dir.resolve("notes.jfr");
        Files.writeString(txt, "hello, not a recording\n");
        RecordingReader.RecordingException e = assertThrows(RecordingReader.RecordingException.class,
                () -> RecordingReader.read(txt));
        assertTrue(e.getMessage().contains("not a Flight Recorder file"), e.getMessage());
        e = assertThrows(RecordingReader.RecordingException.class, () -> RecordingReader.read(dir.resolve("none.jfr")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
