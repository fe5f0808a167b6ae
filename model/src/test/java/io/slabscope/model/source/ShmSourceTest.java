package io.slabscope.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slabscope.model.Layout;
import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.testing.FakeShim;
import io.slabscope.testing.LayoutBytes;
import io.slabscope.testing.SnapshotBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The /dev/shm protocol against a fake writer in a temporary directory. */
@Timeout(30)
class ShmSourceTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private static SnapshotBytes fresh() {
        SnapshotBytes s = SnapshotBytes.sample();
        s.pid = SELF;
        s.startTimeNs = System.currentTimeMillis() * 1_000_000L;
        s.publishTimeNs = s.startTimeNs;
        return s;
    }

    private ShmSource open(int uid) throws Exception {
        return ShmSource.open(SELF, new ShmDirectory(dir), uid);
    }

    private static int deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return (int) p.pid();
    }

    @Test
    void readsAPublishedSnapshot() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            shim.publish(fresh());
            Snapshot s = open(Processes.currentUid()).snapshot();
            assertEquals(SELF, s.pid());
            assertEquals(0, s.seq() & 1);
            assertEquals(1000, s.cache("kmalloc-64").orElseThrow().activeObjs());
            assertEquals(2, s.zones().size());
        }
    }

    @Test
    void waitsWhileTheWriterHoldsTheSeqlock() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            shim.publish(fresh());
            ShmSource src = open(Processes.currentUid());
            SnapshotBytes next = fresh();
            next.cache("late-cache", 32, 128, 1, 5, 1);
            Thread writer = new Thread(() -> {
                try {
                    shim.publish(next, 300);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            Thread.sleep(50);                      // the writer is now in the middle (seq odd)
            long t0 = System.nanoTime();
            Snapshot s = src.snapshot();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            writer.join();
            assertTrue(s.cache("late-cache").isPresent(), "read the finished snapshot, not the odd one");
            assertTrue(ms >= 150, "waited for the writer: " + ms + " ms");
        }
    }

    /** A writer republishing as fast as it can: every snapshot read must be whole. */
    @Test
    void neverReturnsATornSnapshot() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            SnapshotBytes snap = fresh();
            for (int i = 0; i < 40; i++) {
                snap.cache("c" + i, 64, 63, 1, 0, 1);
            }
            for (SnapshotBytes.Cache c : snap.caches) {
                c.activeObjs = 0;
            }
            snap.global("live_allocs", 0);
            shim.publish(snap);
            ShmSource src = open(Processes.currentUid());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (long v = 1; !stop.get(); v++) {
                        for (SnapshotBytes.Cache c : snap.caches) {
                            c.activeObjs = v;
                        }
                        snap.global("live_allocs", v);
                        shim.publish(snap);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            try {
                for (int i = 0; i < 300; i++) {
                    Snapshot s = src.snapshot();
                    long v = s.global().liveAllocs();
                    for (SlabCache c : s.caches()) {
                        assertEquals(v, c.activeObjs(), "torn snapshot at read " + i);
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertEquals(null, failure.get());
        }
    }

    @Test
    void asksForALayoutAndWaitsForIt() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            SnapshotBytes snap = fresh();
            shim.publish(snap);
            shim.serveLayouts(snap, request -> LayoutBytes.sample());
            ShmSource src = open(Processes.currentUid());
            Layout first = src.layout(Duration.ofSeconds(5));
            assertEquals(1, first.request());
            assertEquals(4096, first.pageSize());
            assertEquals(3, first.count(PageKind.SLAB));
            Layout second = src.layout(Duration.ofSeconds(5));
            assertEquals(2, second.request());
            assertEquals(2, src.snapshot().layoutSeq());
        }
    }

    @Test
    void layoutTimesOutWithoutAnswer() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            shim.publish(fresh());
            ShmSource src = open(Processes.currentUid());
            String m = assertThrows(java.io.IOException.class, () -> src.layout(Duration.ofMillis(100))).getMessage();
            assertTrue(m.contains("wrote no layout within 100 ms"), m);
            // the request stays in the header for the process to see
            assertEquals(1, src.snapshot().layoutRequest());
            // an older layout is returned when no fresh one comes: its request tells how old
            LayoutBytes old = LayoutBytes.sample();
            old.request = 1;
            shim.writeLayout(old);
            Layout l = src.layout(Duration.ofMillis(100));
            assertEquals(1, l.request());
            assertEquals(2, src.snapshot().layoutRequest());
        }
    }

    @Test
    void noSegmentMeansNotUnderTheShim() {
        String m = assertThrows(NotUnderShimException.class, () -> open(0)).getMessage();
        assertTrue(m.startsWith("process " + SELF + " does not run under slabscope"), m);
    }

    @Test
    void deadProcessIsGoneAndItsSegmentRemoved() throws Exception {
        int pid = deadPid();
        assumeTrue(!Processes.isAlive(pid));
        try (FakeShim shim = new FakeShim(dir, pid)) {
            SnapshotBytes s = fresh();
            s.pid = pid;
            shim.publish(s);
            shim.writeLayout(LayoutBytes.sample());
            String m = assertThrows(ProcessGoneException.class,
                    () -> ShmSource.open(pid, new ShmDirectory(dir), Processes.currentUid())).getMessage();
            assertTrue(m.contains("is not running (removed its stale segment"), m);
            assertFalse(Files.exists(shim.segment()));
            assertFalse(Files.exists(shim.layoutFile()));
        }
        String m = assertThrows(ProcessGoneException.class,
                () -> ShmSource.open(pid, new ShmDirectory(dir), Processes.currentUid())).getMessage();
        assertEquals("no process " + pid, m);
    }

    @Test
    void someoneElsesSegment() throws Exception {
        assumeTrue(Processes.currentUid() == 0, "needs root to give a file away");
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            shim.publish(fresh());
            Files.setAttribute(shim.segment(), "unix:uid", 65534);
            String m = assertThrows(NotOwnerException.class, () -> open(1000)).getMessage();
            assertTrue(m.startsWith("process " + SELF + " belongs to user "), m);
            assertTrue(m.contains("(uid 65534), not to uid 1000"), m);
            // root reads it
            assertEquals(SELF, open(0).snapshot().pid());
        }
    }

    @Test
    void aStaleSegmentOfADeadOwnerIsLeftToItsOwner() throws Exception {
        assumeTrue(Processes.currentUid() == 0, "needs root to give a file away");
        int pid = deadPid();
        try (FakeShim shim = new FakeShim(dir, pid)) {
            shim.publish(fresh());
            Files.setAttribute(shim.segment(), "unix:uid", 65534);
            String m = assertThrows(ProcessGoneException.class,
                    () -> ShmSource.open(pid, new ShmDirectory(dir), 1000)).getMessage();
            assertTrue(m.contains("stale segment"), m);
            assertTrue(Files.exists(shim.segment()));
        }
    }

    @Test
    void reusedPidIsGone() throws Exception {
        try (FakeShim shim = new FakeShim(dir, SELF)) {
            SnapshotBytes s = fresh();
            s.startTimeNs = 1_000_000_000L;        // 1970: long before this JVM started
            shim.publish(s);
            String m = assertThrows(ProcessGoneException.class, () -> open(Processes.currentUid())).getMessage();
            assertTrue(m.contains("now belongs to another program"), m);
            assertFalse(Files.exists(shim.segment()));
        }
    }

    @Test
    void directoryListsSegments() throws Exception {
        int dead = deadPid();
        try (FakeShim live = new FakeShim(dir, SELF); FakeShim stale = new FakeShim(dir, dead)) {
            live.publish(fresh());
            live.writeLayout(LayoutBytes.sample());
            stale.publish(fresh());
            Files.writeString(dir.resolve("slabscope.notapid"), "x");
            ShmDirectory d = new ShmDirectory(dir);
            List<ShmSegment> segs = d.list();
            assertEquals(2, segs.size(), segs.toString());
            ShmSegment self = segs.stream().filter(s -> s.pid() == SELF).findFirst().orElseThrow();
            assertTrue(self.alive());
            assertEquals(Processes.currentUid(), self.ownerUid());
            assertEquals(live.layoutFile(), self.layoutPath());
            ShmSegment gone = segs.stream().filter(s -> s.pid() == dead).findFirst().orElseThrow();
            assertFalse(gone.alive());
            assertTrue(d.removeStale(dead, Processes.currentUid()));
            assertFalse(d.removeStale(SELF, Processes.currentUid()), "a live process keeps its segment");
            assertEquals(1, d.list().size());
        }
    }
}
