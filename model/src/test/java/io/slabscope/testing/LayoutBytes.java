package io.slabscope.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds layouts in the binary format of slabscope_shm.h (header 72, zone records 32, large 24). */
public final class LayoutBytes {
    public static final long MAGIC = 0x31544c5953424c53L;

    public int version = 1;
    public int headerSize = 72;
    public long seq = 2;
    public long request = 1;
    public long timeNs = 1_700_000_002_000_000_000L;
    public final List<Object[]> zones = new ArrayList<>();
    public final List<long[]> large = new ArrayList<>();

    public LayoutBytes zone(int id, int kind, long base, int[] entries) {
        zones.add(new Object[] {id, kind, base, entries});
        return this;
    }

    public LayoutBytes large(long addr, long mapLen, long size) {
        large.add(new long[] {addr, mapLen, size});
        return this;
    }

    public int zonesOffset() {
        return headerSize;
    }

    public int largeOffset() {
        return zonesOffset() + 32 * zones.size();
    }

    public int pagesOffset(int zone) {
        int o = largeOffset() + 24 * large.size();
        for (int i = 0; i < zone; i++) {
            o += 4 * ((int[]) zones.get(i)[3]).length;
        }
        return o;
    }

    public int totalSize() {
        return pagesOffset(zones.size());
    }

    public byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(totalSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC);
        b.putInt(8, version);
        b.putInt(12, headerSize);
        b.putLong(16, seq);
        b.putLong(24, request);
        b.putLong(32, timeNs);
        b.putLong(40, totalSize());
        b.putInt(48, zones.size());
        b.putInt(52, large.size());
        b.putLong(56, zonesOffset());
        b.putLong(64, largeOffset());
        for (int i = 0; i < zones.size(); i++) {
            Object[] z = zones.get(i);
            int[] entries = (int[]) z[3];
            int o = zonesOffset() + 32 * i;
            b.putInt(o, (Integer) z[0]);
            b.putInt(o + 4, (Integer) z[1]);
            b.putLong(o + 8, (Long) z[2]);
            b.putLong(o + 16, entries.length);
            b.putLong(o + 24, pagesOffset(i));
            for (int p = 0; p < entries.length; p++) {
                b.putInt(pagesOffset(i) + 4 * p, entries[p]);
            }
        }
        for (int i = 0; i < large.size(); i++) {
            long[] l = large.get(i);
            int o = largeOffset() + 24 * i;
            b.putLong(o, l[0]);
            b.putLong(o + 8, l[1]);
            b.putLong(o + 16, l[2]);
        }
        return b.array();
    }

    /** Page entry: kind | order << 4 | cache << 8 | inuse << 20. */
    public static int entry(int kind, int order, int cache, int inuse) {
        return kind | order << 4 | cache << 8 | inuse << 20;
    }

    /** A brk zone of 16 pages: slabs of two caches, a medium block, metadata, free blocks. */
    public static LayoutBytes sample() {
        int[] e = new int[16];
        e[0] = entry(5, 0, 0, 0);                 // metadata
        e[1] = entry(2, 0, 0, 63);                // kmalloc-64 slab, full
        e[2] = entry(2, 0, 0, 10);                // kmalloc-64 slab, partial
        e[3] = entry(2, 0, 1, 4);                 // kmalloc-1024
        e[4] = entry(3, 0, 0, 0);                 // medium head
        e[5] = entry(4, 0, 0, 0);                 // medium tail
        e[6] = entry(4, 0, 0, 0);
        e[7] = entry(1, 0, 0, 1);                 // free order 0, resident
        for (int i = 8; i < 16; i++) {
            e[i] = entry(1, 3, 0, 0);             // free order 3, released
        }
        return new LayoutBytes().zone(1, 0, 0x555555a00000L, e).large(0x7f1234560000L, 2 << 20, 2_000_000);
    }
}
