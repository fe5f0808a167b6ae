package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.testing.LayoutBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutParserTest {

    private static Layout parse(byte[] b) throws SnapshotFormatException {
        return LayoutParser.parse(ByteBuffer.wrap(b), 4096);
    }

    private static String failure(byte[] b) {
        return assertThrows(SnapshotFormatException.class, () -> parse(b)).getMessage();
    }

    private static byte[] patchLong(byte[] b, int off, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(off, v);
        return c;
    }

    @Test
    void decodesPagesAndLargeBlocks() throws Exception {
        LayoutBytes lb = LayoutBytes.sample();
        Layout l = parse(lb.build());
        assertEquals(1, l.version());
        assertEquals(1, l.request());
        assertEquals(4096, l.pageSize());
        assertEquals(1, l.zones().size());
        LayoutZone z = l.zones().get(0);
        assertEquals(ZoneKind.BRK, z.kind());
        assertEquals(16, z.npages());
        assertEquals(0x555555a00000L + 16 * 4096, z.top(4096));
        assertEquals(0x555555a00000L + 3 * 4096, z.address(3, 4096));

        assertEquals(new PageEntry(PageKind.METADATA, 0, -1, 0, false), z.page(0));
        assertEquals(new PageEntry(PageKind.SLAB, 0, 0, 63, false), z.page(1));
        assertEquals(new PageEntry(PageKind.SLAB, 0, 1, 4, false), z.page(3));
        assertEquals(PageKind.MEDIUM_HEAD, z.kind(4));
        assertEquals(PageKind.MEDIUM_TAIL, z.kind(6));
        assertEquals(new PageEntry(PageKind.FREE, 0, -1, 0, true), z.page(7));
        assertEquals(new PageEntry(PageKind.FREE, 3, -1, 0, false), z.page(8));

        Map<PageKind, Long> byKind = l.countByKind();
        assertEquals(1, byKind.get(PageKind.METADATA));
        assertEquals(3, byKind.get(PageKind.SLAB));
        assertEquals(1, byKind.get(PageKind.MEDIUM_HEAD));
        assertEquals(2, byKind.get(PageKind.MEDIUM_TAIL));
        assertEquals(9, byKind.get(PageKind.FREE));
        assertEquals(0, byKind.get(PageKind.ABSENT));
        assertEquals(16, l.totalPages());
        assertEquals(Map.of(0, 2L, 1, 1L), l.slabPagesByCache());
        assertEquals(Map.of(0, 1L, 3, 8L), z.freePagesByOrder());

        assertEquals(1, l.large().size());
        assertEquals(new LargeBlock(0x7f1234560000L, 2 << 20, 2_000_000), l.large().get(0));
        assertEquals(2 << 20, l.largeMappedBytes());
    }

    @Test
    void pageEntryBitFields() {
        int raw = LayoutBytes.entry(2, 1, 0xabc, 4095);
        PageEntry e = PageEntry.decode(raw);
        assertEquals(PageKind.SLAB, e.kind());
        assertEquals(1, e.order());
        assertEquals(2, e.pagesPerSlab());
        assertEquals(0xabc, e.cacheId());
        assertEquals(4095, e.inUse());
        assertEquals(raw, PageEntry.encode(PageKind.SLAB, 1, 0xabc, 4095));
        assertEquals(PageKind.UNKNOWN, PageEntry.decode(0xe).kind());
        assertFalse(PageEntry.decode(LayoutBytes.entry(1, 5, 0, 0)).resident());
    }

    @Test
    void emptyLayout() throws Exception {
        Layout l = parse(new LayoutBytes().build());
        assertTrue(l.zones().isEmpty());
        assertTrue(l.large().isEmpty());
        assertEquals(0, l.totalPages());
    }

    @Test
    void rejectsBadInput() {
        byte[] ok = LayoutBytes.sample().build();
        assertTrue(failure(patchLong(ok, 0, SnapshotParser.MAGIC)).contains("not a slabscope layout"));
        byte[] v0 = ok.clone();
        ByteBuffer.wrap(v0).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        assertTrue(failure(v0).startsWith("unsupported layout version 0"));
        assertTrue(failure(Arrays.copyOf(ok, 40)).contains("truncated"));
        assertTrue(failure(Arrays.copyOf(ok, ok.length - 4)).contains("truncated"));
        // page entries beyond total_size
        LayoutBytes lb = LayoutBytes.sample();
        int zoneRec = lb.zonesOffset();
        String m = failure(patchLong(ok, zoneRec + 16, 1000));
        assertTrue(m.contains("1000 page entries of layout zone 0"), m);
        m = failure(patchLong(ok, zoneRec + 24, ok.length - 8));
        assertTrue(m.contains("page entries of layout zone 0"), m);
        m = failure(patchLong(ok, 64, ok.length));
        assertTrue(m.contains("large block records"), m);
        byte[] kind = ok.clone();
        ByteBuffer.wrap(kind).order(ByteOrder.LITTLE_ENDIAN).putInt(zoneRec + 4, 5);
        assertEquals("layout zone record 0 has unknown kind 5", failure(kind));
    }
}
