package io.slabscope.ui.tests;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutParser;
import io.slabscope.model.PageEntry;
import io.slabscope.model.PageKind;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotFormatException;
import io.slabscope.model.SnapshotParser;
import io.slabscope.ui.data.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Known snapshots and layouts, written in the binary format of slabscope_shm.h and decoded with
 * the model's parsers (as the views get them from a live process).
 */
public final class Fixtures {
    public static final int PAGE = 4096;
    public static final long BRK_BASE = 0x555555a00000L;
    public static final long LARGE_ADDR = 0x7f0000100000L;

    private Fixtures() {
    }

    /** A cache record. */
    public record Cache(String name, int size, int objPerSlab, int pagesPerSlab, long activeObjs, long numSlabs,
            int kmallocClass) {
    }

    /** The small known process: three caches, a brk zone of 64 pages, one large block. */
    public static List<Cache> caches() {
        return List.of(new Cache("kmalloc-64", 64, 63, 1, 126 + 30, 4, 3),
                new Cache("kmalloc-1024", 1024, 4, 1, 120, 32, 19),
                new Cache("inode_cache", 600, 13, 2, 5, 1, -1));
    }

    /** Page entries of the brk zone: what each of its 64 pages is. */
    public static int[] entries() {
        int[] e = new int[64];
        e[0] = PageEntry.encode(PageKind.SLAB, 0, 0, 63);
        e[1] = PageEntry.encode(PageKind.SLAB, 0, 0, 63);
        e[2] = PageEntry.encode(PageKind.SLAB, 0, 0, 30);
        e[3] = PageEntry.encode(PageKind.SLAB, 0, 0, 0);
        e[4] = PageEntry.encode(PageKind.SLAB, 1, 2, 5);
        e[5] = PageEntry.encode(PageKind.SLAB, 1, 2, 5);
        e[6] = PageEntry.encode(PageKind.MEDIUM_HEAD, 0, 0, 0);
        for (int i = 7; i < 10; i++) {
            e[i] = PageEntry.encode(PageKind.MEDIUM_TAIL, 0, 0, 0);
        }
        e[10] = PageEntry.encode(PageKind.METADATA, 0, 0, 0);
        e[11] = PageEntry.encode(PageKind.ABSENT, 0, 0, 0);
        for (int i = 12; i < 16; i++) {
            e[i] = PageEntry.encode(PageKind.FREE, 2, 0, 1); // resident
        }
        for (int i = 16; i < 32; i++) {
            e[i] = PageEntry.encode(PageKind.FREE, 4, 0, 0); // given back
        }
        for (int i = 32; i < 64; i++) {
            e[i] = PageEntry.encode(PageKind.SLAB, 0, 1, i % 2 == 0 ? 4 : 3);
        }
        return e;
    }

    public static Snapshot snapshot() {
        return snapshot(caches(), 1_700_000_001_000_000_000L, new long[] {0, 0, 1, 0, 1}, 64);
    }

    /**
     * A snapshot with these caches (ids in list order) and one brk zone of {@code zonePages}
     * pages whose free lists are {@code nrFree}.
     */
    public static Snapshot snapshot(List<Cache> caches, long timeNs, long[] nrFree, long zonePages) {
        int nrOrders = 14;
        int cachesOff = 256 + 360;
        int zonesOff = cachesOff + caches.size() * 160;
        int total = zonesOff + 168;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, SnapshotParser.MAGIC);
        b.putInt(8, 1);
        b.putInt(12, 256);
        b.putLong(16, 2);
        b.putInt(24, 4242);
        b.putInt(28, PAGE);
        b.putLong(32, timeNs - 1_000_000_000L);
        b.putLong(40, timeNs);
        b.putLong(48, 7);
        b.putLong(56, total);
        b.putInt(64, caches.size());
        b.putInt(68, 160);
        b.putLong(72, cachesOff);
        b.putInt(80, 1);
        b.putInt(84, 168);
        b.putLong(88, zonesOff);
        b.putInt(96, nrOrders);
        b.putInt(100, 360);
        b.putLong(104, 256);
        putString(b, 128, "/usr/bin/testprog", 128);
        long[] g = new long[GlobalStats.FIELD_COUNT];
        set(g, "bytes_requested", 900_000 + timeNs % 1000);
        set(g, "bytes_allocated", 1_000_000);
        set(g, "heap_bytes", zonePages * PAGE);
        set(g, "heap_resident_bytes", zonePages * PAGE / 2);
        set(g, "mmap_bytes", 2 << 20);
        set(g, "mmap_blocks", 1);
        set(g, "brk_base", BRK_BASE);
        set(g, "brk_top", BRK_BASE + zonePages * PAGE);
        for (int i = 0; i < g.length; i++) {
            b.putLong(256 + 8 * i, g[i]);
        }
        for (int i = 0; i < caches.size(); i++) {
            Cache c = caches.get(i);
            int o = cachesOff + i * 160;
            putString(b, o, c.name(), 32);
            b.putInt(o + 32, c.size());
            b.putInt(o + 36, c.size());
            b.putInt(o + 40, 8);
            b.putInt(o + 44, c.objPerSlab());
            b.putInt(o + 48, c.pagesPerSlab());
            b.putInt(o + 60, c.kmallocClass());
            long numObjs = c.numSlabs() * c.objPerSlab();
            long[] v = {c.activeObjs(), numObjs, c.numSlabs(), c.numSlabs(), 0, c.numSlabs(), 0, c.activeObjs(), 0,
                c.numSlabs(), 0};
            for (int k = 0; k < v.length; k++) {
                b.putLong(o + 64 + 8 * k, v[k]);
            }
            b.putInt(o + 156, i);
        }
        b.putInt(zonesOff, 1);
        b.putInt(zonesOff + 4, 0);
        b.putLong(zonesOff + 8, BRK_BASE);
        b.putLong(zonesOff + 16, BRK_BASE + zonePages * PAGE);
        long free = 0;
        for (int k = 0; k < nrFree.length; k++) {
            free += nrFree[k] << k;
            b.putLong(zonesOff + 40 + 8 * k, nrFree[k]);
        }
        b.putLong(zonesOff + 24, free);
        try {
            return SnapshotParser.parse(b);
        } catch (SnapshotFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** The layout of one brk zone with these entries and one large block of 2 MiB. */
    public static Layout layout(int[] entries) {
        int zonesOff = 72;
        int pagesOff = zonesOff + 32;
        int largeOff = pagesOff + entries.length * 4;
        int total = largeOff + 24;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, LayoutParser.MAGIC);
        b.putInt(8, 1);
        b.putInt(12, 72);
        b.putLong(16, 2);
        b.putLong(24, 1);
        b.putLong(32, 1_700_000_001_000_000_000L);
        b.putLong(40, total);
        b.putInt(48, 1);
        b.putInt(52, 1);
        b.putLong(56, zonesOff);
        b.putLong(64, largeOff);
        b.putInt(zonesOff, 1);
        b.putInt(zonesOff + 4, 0);
        b.putLong(zonesOff + 8, BRK_BASE);
        b.putLong(zonesOff + 16, entries.length);
        b.putLong(zonesOff + 24, pagesOff);
        for (int i = 0; i < entries.length; i++) {
            b.putInt(pagesOff + 4 * i, entries[i]);
        }
        b.putLong(largeOff, LARGE_ADDR + 16);
        b.putLong(largeOff + 8, 2 << 20);
        b.putLong(largeOff + 16, (2 << 20) - 4096);
        try {
            return LayoutParser.parse(b, PAGE);
        } catch (SnapshotFormatException e) {
            throw new AssertionError(e);
        }
    }

    public static Frame frame() {
        Snapshot s = snapshot();
        return new Frame(s, layout(entries()), null, s.publishTimeNs());
    }

    /** {@code n} caches named bench-cache-K with varied sizes (the benchmark's 200 caches). */
    public static List<Cache> manyCaches(int n) {
        List<Cache> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int size = 16 + 16 * (i % 64);
            out.add(new Cache("bench-cache-" + i, size, Math.max(1, 4096 / size), 1, 100L * i, 2L * i + 1, -1));
        }
        return out;
    }

    private static void set(long[] g, String name, long v) {
        g[GlobalStats.FIELD_NAMES.indexOf(name)] = v;
    }

    private static void putString(ByteBuffer b, int off, String s, int size) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b.put(off + i, i < bytes.length && i < size - 1 ? bytes[i] : 0);
        }
    }
}
