package io.slabscope.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.Fragmentation;
import io.slabscope.model.GlobalStats;
import io.slabscope.model.LargeBlock;
import io.slabscope.model.Layout;
import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.Zone;
import io.slabscope.model.ZoneKind;
import io.slabscope.testing.LiveChild;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Out of process, against a live ground_truth under the real shim. */
@Timeout(60)
class LiveShmTest {

    @BeforeAll
    static void shim() {
        LiveChild.assumeAvailable();
    }

    @Test
    void figuresOfALiveProcessThenItsSegmentGoes() throws Exception {
        try (LiveChild child = new LiveChild()) {
            ShmSource src = ShmSource.open(child.pid);
            Snapshot s = src.snapshot();
            assertEquals(child.pid, s.pid());
            assertEquals(1, s.version());
            assertEquals(4096, s.pageSize());
            assertEquals(0, s.seq() & 1);
            assertTrue(s.exe().endsWith("/ground_truth"), s.exe());
            assertTrue(s.publishCount() >= 1);
            assertTrue(s.age(Instant.now()).compareTo(Duration.ofMinutes(1)) < 0, "published just now");
            assertTrue(s.nrOrders() > 0 && s.nrOrders() <= 16, "nr_orders " + s.nrOrders());

            SlabCache k64 = s.cache("kmalloc-64").orElseThrow();
            assertTrue(k64.activeObjs() >= child.small, "kmalloc-64 active " + k64.activeObjs());
            assertEquals(64, k64.size());
            assertEquals(k64.numSlabs() * k64.objPerSlab(), k64.numObjs());
            assertEquals(k64.fullSlabs() + k64.partialSlabs(), k64.activeSlabs());
            assertTrue(k64.numObjs() >= k64.activeObjs());
            assertTrue(k64.allocs() >= child.small);

            SlabCache k1k = s.cache("kmalloc-1024").orElseThrow();
            assertTrue(k1k.activeObjs() >= child.mid, "kmalloc-1024 active " + k1k.activeObjs());

            SlabCache named = s.cache("ground_truth_obj").orElseThrow();
            assertEquals(child.named, named.activeObjs());
            assertTrue(named.size() >= 200);
            assertEquals(-1, named.kmallocClass());
            assertEquals("slab", named.policy());

            GlobalStats g = s.global();
            assertTrue(g.mmapBlocks() >= child.large, "mmap blocks " + g.mmapBlocks());
            assertTrue(g.mmapBytes() >= (long) child.large << 20, "mmap bytes " + g.mmapBytes());
            assertTrue(g.mediumAllocs() - g.mediumFrees() >= child.medium, "medium blocks");
            // malloc-family allocations (objects of named caches are counted by their cache)
            assertTrue(g.liveAllocs() >= child.small + child.mid + child.medium + child.large,
                    "live " + g.liveAllocs());
            assertTrue(g.slabBytes() >= 64L * child.small + 1024L * child.mid);
            assertTrue(g.heapBytes() > 0);

            Zone brk = s.zones().get(0);
            assertEquals(ZoneKind.BRK, brk.kind());
            assertEquals(brk.top() - brk.base(), g.brkBytes());
            long heap = s.zones().stream().mapToLong(Zone::bytes).sum();
            assertEquals(heap, g.heapBytes());
            Fragmentation all = s.buddyInfo().all();
            assertEquals(g.heapFreeBytes() / s.pageSize(), all.freePages(), "free lists add up to the free pages");

            // a fresh layout, served by the child's publication
            Layout layout;
            try (AutoCloseable pub = child.publishing(20)) {
                layout = src.layout(Duration.ofSeconds(10));
            }
            // compare with the snapshot of the same publication (the child allocated its stdout
            // buffer after its first one)
            Snapshot after = src.snapshot();
            assertTrue(after.layoutSeq() >= layout.request());
            assertTrue(layout.request() >= 1);
            assertEquals(s.zones().size(), layout.zones().size());
            assertEquals(after.global().heapBytes() / s.pageSize(), layout.totalPages());
            k64 = after.cache("kmalloc-64").orElseThrow();
            long k64Pages = layout.slabPagesByCache().getOrDefault(k64.id(), 0L);
            assertEquals(k64.numSlabs() * k64.pagesPerSlab(), k64Pages, "kmalloc-64 pages in the layout");
            assertTrue(layout.count(PageKind.MEDIUM_HEAD) >= child.medium);
            assertEquals(after.buddyInfo().all().freePages(), layout.count(PageKind.FREE), "free pages in the layout");
            assertTrue(layout.large().size() >= child.large);
            for (LargeBlock b : layout.large()) {
                assertTrue(b.mapLen() >= b.size() && b.size() > 0, b.toString());
            }

            // exit: the process removes its segment
            assertEquals(0, child.finish());
            assertFalse(Files.exists(child.segment()), "segment removed at exit");
            assertThrows(ProcessGoneException.class, src::snapshot);
        }
    }

    @Test
    void aKilledProcessLeavesASegmentThatReadersRemove() throws Exception {
        try (LiveChild child = new LiveChild()) {
            assertTrue(Files.exists(child.segment()));
            child.process.destroyForcibly();
            assertTrue(child.process.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Files.exists(child.segment()), "SIGKILL leaves the segment behind");
            ProcessGoneException e = assertThrows(ProcessGoneException.class, () -> ShmSource.open(child.pid));
            assertTrue(e.getMessage().contains("removed its stale segment"), e.getMessage());
            assertFalse(Files.exists(child.segment()));
        }
    }
}
