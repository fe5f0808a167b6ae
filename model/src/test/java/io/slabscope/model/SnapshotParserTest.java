package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.testing.SnapshotBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SnapshotParserTest {

    private static Snapshot parse(byte[] b) throws SnapshotFormatException {
        return SnapshotParser.parse(ByteBuffer.wrap(b));
    }

    private static String failure(byte[] b) {
        return assertThrows(SnapshotFormatException.class, () -> parse(b)).getMessage();
    }

    private static byte[] patchLong(byte[] b, int off, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(off, v);
        return c;
    }

    private static byte[] patchInt(byte[] b, int off, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(off, v);
        return c;
    }

    @Test
    void decodesEveryField() throws Exception {
        SnapshotBytes sb = SnapshotBytes.sample();
        sb.layoutRequest = 5;
        sb.layoutSeq = 4;
        for (int i = 0; i < GlobalStats.FIELD_COUNT; i++) {
            sb.global[i] = 1000 + i;
        }
        Snapshot s = parse(sb.build());
        assertEquals(1, s.version());
        assertEquals(2, s.seq());
        assertEquals(4242, s.pid());
        assertEquals(4096, s.pageSize());
        assertEquals(sb.startTimeNs, s.startTimeNs());
        assertEquals(sb.publishTimeNs, s.publishTimeNs());
        assertEquals(7, s.publishCount());
        assertEquals(sb.totalSize(), s.totalSize());
        assertEquals(14, s.nrOrders());
        assertEquals(5, s.layoutRequest());
        assertEquals(4, s.layoutSeq());
        assertEquals("/usr/bin/testprog", s.exe());

        GlobalStats g = s.global();
        assertEquals(1000, g.mallocCalls());
        assertEquals(1005, g.trimCalls());
        assertEquals(1022, g.heapBytes());
        assertEquals(1032, g.liveAllocs());
        assertEquals(1044, g.threads());
        assertEquals(1045, g.corruptions());
        assertEquals(1046, g.faultsInjected());
        long[] expected = new long[GlobalStats.FIELD_COUNT];
        Arrays.setAll(expected, i -> 1000 + i);
        assertArrayEquals(expected, g.toArray());
        assertEquals(1040L, g.asMap().get("slab_bytes"));
        assertEquals(1046L, g.asMap().get("faults_injected"));

        assertEquals(3, s.caches().size());
        SlabCache k64 = s.caches().get(0);
        assertEquals("kmalloc-64", k64.name());
        assertEquals(64, k64.objectSize());
        assertEquals(64, k64.size());
        assertEquals(8, k64.align());
        assertEquals(63, k64.objPerSlab());
        assertEquals(1, k64.pagesPerSlab());
        assertEquals(3, k64.kmallocClass());
        assertEquals(1000, k64.activeObjs());
        assertEquals(17 * 63, k64.numObjs());
        assertEquals(17, k64.activeSlabs());
        assertEquals(17, k64.numSlabs());
        assertEquals(15, k64.fullSlabs());
        assertEquals(2, k64.partialSlabs());
        assertEquals(0, k64.freeSlabs());
        assertEquals(1200, k64.allocs());
        assertEquals(200, k64.frees());
        assertEquals(17, k64.grows());
        assertEquals(0, k64.id());
        assertEquals(17 * 4096, k64.cacheSizeBytes());
        assertEquals(1000 * 100.0 / 1071, k64.usagePercent(), 1e-9);
        assertTrue(k64.isKmalloc());

        SlabCache named = s.cache("inode_cache").orElseThrow();
        assertEquals(-1, named.kmallocClass());
        assertEquals(3, named.colourNum());
        assertEquals(64, named.colourOff());
        assertEquals(64, named.align());
        assertEquals(2, named.id());
        assertEquals(0.0, named.usagePercent());
        assertEquals(named, s.cacheById(2).orElseThrow());

        assertEquals(2, s.zones().size());
        Zone brk = s.zones().get(0);
        assertEquals(1, brk.id());
        assertEquals(ZoneKind.BRK, brk.kind());
        assertEquals("Brk", brk.name());
        assertEquals(0x555555a00000L, brk.base());
        assertEquals(4096L << 8, brk.bytes());
        assertEquals(14, brk.orders());
        assertArrayEquals(new long[] {3, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, brk.nrFree());
        assertEquals(3 + 2 + 16 + 128, brk.freePages());
        Zone mmap = s.zones().get(1);
        assertEquals(ZoneKind.MMAP, mmap.kind());
        assertEquals("Mmap1", mmap.name());
        assertEquals(1, mmap.nrFree(10));
    }

    @Test
    void readsFromTheBufferPositionWithoutMovingIt() throws Exception {
        byte[] snap = SnapshotBytes.sample().build();
        byte[] padded = new byte[snap.length + 100];
        System.arraycopy(snap, 0, padded, 37, snap.length);
        ByteBuffer b = ByteBuffer.wrap(padded);
        b.position(37);
        Snapshot s = SnapshotParser.parse(b);
        assertEquals(37, b.position());
        assertEquals(3, s.caches().size());
    }

    @Test
    void emptySnapshotWithoutCachesOrZones() throws Exception {
        SnapshotBytes sb = new SnapshotBytes();
        Snapshot s = parse(sb.build());
        assertTrue(s.caches().isEmpty());
        assertTrue(s.zones().isEmpty());
        assertEquals(664, s.totalSize());           // header 256 + global 408
    }

    /** A segment of the first release has no corruptions / faults_injected: they read 0. */
    @Test
    void appendedCountersOfAnOlderSegmentReadZero() throws Exception {
        SnapshotBytes sb = SnapshotBytes.sample();
        Arrays.fill(sb.global, 7);
        sb.globalSize = 360;
        Snapshot s = parse(sb.build());
        assertEquals(7, s.global().threads());
        assertEquals(0, s.global().corruptions());
        assertEquals(0, s.global().faultsInjected());
        assertEquals("kmalloc-1024", s.caches().get(1).name());
        // a global_size that is not a whole number of counters: the whole ones are read
        sb.globalSize = 372;
        assertEquals(7, parse(sb.build()).global().corruptions());
        assertEquals(0, parse(sb.build()).global().faultsInjected());
    }

    /** A later release that appends more counters: the known ones are read, the rest skipped. */
    @Test
    void countersAppendedLaterAreSkipped() throws Exception {
        SnapshotBytes sb = SnapshotBytes.sample();
        sb.global("corruptions", 3).global("faults_injected", 4);
        sb.globalSize = 376 + 64;
        Snapshot s = parse(sb.build());
        assertEquals(3, s.global().corruptions());
        assertEquals(4, s.global().faultsInjected());
        assertEquals(1000, s.caches().get(0).activeObjs());
    }

    @Test
    void debugFlagsOfACache() throws Exception {
        SnapshotBytes sb = SnapshotBytes.sample();
        sb.caches.get(0).flags = 0x1 | (SlabDebug.REDZONE | SlabDebug.TRACK) << 8;
        Snapshot s = parse(sb.build());
        assertEquals(SlabDebug.REDZONE | SlabDebug.TRACK, s.caches().get(0).debugFlags());
        assertEquals("ZU", SlabDebug.letters(s.caches().get(0).debugFlags()));
        assertEquals(0, s.caches().get(1).debugFlags());
        assertEquals("FZPU", SlabDebug.letters(0xf));
        assertEquals("FZPUS", SlabDebug.letters(0x1f));
        sb.caches.get(1).flags = (SlabDebug.TRACK | SlabDebug.STACKS) << 8;
        assertEquals("US", SlabDebug.letters(parse(sb.build()).caches().get(1).debugFlags()));
    }

    @Test
    void laterVersionWithLargerRecordsStillDecodes() throws Exception {
        SnapshotBytes sb = SnapshotBytes.sample();
        sb.version = 2;
        sb.cacheRecordSize = 176;
        sb.zoneRecordSize = 200;
        Snapshot s = parse(sb.build());
        assertEquals(2, s.version());
        assertEquals("kmalloc-1024", s.caches().get(1).name());
        assertEquals(544, s.caches().get(1).activeObjs());
        assertEquals(0x7f0000000000L, s.zones().get(1).base());
    }

    @Test
    void badMagic() {
        byte[] b = patchLong(SnapshotBytes.sample().build(), 0, 0x1122334455667788L);
        String m = failure(b);
        assertTrue(m.startsWith("bad magic 0x1122334455667788"), m);
        assertTrue(m.contains("not a slabscope snapshot"), m);
    }

    @Test
    void layoutMagicIsNotASnapshot() {
        byte[] b = patchLong(SnapshotBytes.sample().build(), 0, LayoutParser.MAGIC);
        assertTrue(failure(b).startsWith("bad magic"));
    }

    @Test
    void unsupportedVersion() {
        byte[] b = patchInt(SnapshotBytes.sample().build(), 8, 0);
        assertEquals("unsupported snapshot version 0 (this reader knows 1 and later versions that only append fields)",
                failure(b));
    }

    @Test
    void truncatedAnywhere() {
        byte[] b = SnapshotBytes.sample().build();
        for (int len : new int[] {0, 4, 12, 100, 255, b.length - 1}) {
            String m = failure(Arrays.copyOf(b, len));
            assertTrue(m.contains("truncated"), len + ": " + m);
        }
        assertEquals("snapshot truncated: total_size is " + b.length + " bytes, only " + (b.length - 1) + " available",
                failure(Arrays.copyOf(b, b.length - 1)));
        assertEquals("snapshot truncated: 100 bytes, the header alone needs 256", failure(Arrays.copyOf(b, 100)));
    }

    @Test
    void headerSmallerThanVersion1() {
        byte[] b = patchInt(SnapshotBytes.sample().build(), 12, 128);
        assertEquals("header_size 128 is smaller than version 1's 256", failure(b));
    }

    @Test
    void totalSizeSmallerThanHeader() {
        byte[] b = patchLong(SnapshotBytes.sample().build(), 56, 100);
        assertTrue(failure(b).startsWith("total_size 100 is smaller than the header"));
    }

    @Test
    void cacheRecordsOutOfRange() {
        SnapshotBytes sb = SnapshotBytes.sample();
        byte[] ok = sb.build();
        // one record too many
        String m = failure(patchInt(ok, 64, 6));
        assertEquals("snapshot: 6 cache records of 160 bytes at offset 664 run past the 1480 bytes of the snapshot", m);
        // offset beyond total_size
        m = failure(patchLong(ok, 72, 1L << 40));
        assertTrue(m.contains("cache records offset 1099511627776 lies outside"), m);
        // offset with the top bit set (uint64 beyond Long.MAX_VALUE)
        m = failure(patchLong(ok, 72, -8));
        assertTrue(m.contains("cache records offset 18446744073709551608 lies outside"), m);
        // count so large that count * size overflows
        m = failure(patchInt(ok, 64, -1));
        assertTrue(m.contains("4294967295 cache records"), m);
        // record size too small for version 1
        m = failure(patchInt(ok, 68, 100));
        assertEquals("cache_record_size 100 is smaller than version 1's 160", m);
    }

    @Test
    void zoneAndGlobalOutOfRange() {
        byte[] ok = SnapshotBytes.sample().build();
        assertTrue(failure(patchLong(ok, 88, ok.length - 100)).contains("zone records"));
        assertTrue(failure(patchLong(ok, 104, ok.length - 8)).contains("global counters [" + (ok.length - 8)));
        assertEquals("global_size 8 is smaller than version 1's 360", failure(patchInt(ok, 100, 8)));
        assertEquals("zone_record_size 40 is smaller than version 1's 168", failure(patchInt(ok, 84, 40)));
        assertTrue(failure(patchInt(ok, 96, 17)).startsWith("nr_orders 17 exceeds the 16 order slots"));
    }

    @Test
    void unknownZoneKindAndBadPageSize() {
        SnapshotBytes sb = SnapshotBytes.sample();
        sb.zones.get(1).kind = 9;
        assertEquals("zone record 1 has unknown kind 9", failure(sb.build()));
        SnapshotBytes ps = SnapshotBytes.sample();
        ps.pageSize = 3000;
        assertEquals("page_size 3000 is not a plausible page size", failure(ps.build()));
    }

    @Test
    void namesWithoutTerminatorUseTheWholeField() throws Exception {
        SnapshotBytes sb = new SnapshotBytes();
        sb.cache("x".repeat(40), 16, 256, 1, 0, 0);
        byte[] b = sb.build();
        // fill the name field completely (no NUL)
        for (int i = 0; i < 32; i++) {
            b[sb.cachesOffset() + i] = 'n';
        }
        assertEquals("n".repeat(32), parse(b).caches().get(0).name());
    }
}
