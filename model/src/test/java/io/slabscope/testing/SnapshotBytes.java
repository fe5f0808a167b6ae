package io.slabscope.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds snapshots in the binary format of slabscope_shm.h, field by field, as the shim lays
 * them out (header 256 bytes, global 376, cache records 160, zone records 168). {@link #globalSize}
 * 360 makes a segment of the first release, without the appended counters.
 */
public final class SnapshotBytes {
    public static final long MAGIC = 0x31504353424c53L;

    public int version = 1;
    public int headerSize = 256;
    public long seq = 2;
    public int pid = 4242;
    public int pageSize = 4096;
    public long startTimeNs = 1_700_000_000_000_000_000L;
    public long publishTimeNs = 1_700_000_001_000_000_000L;
    public long publishCount = 7;
    public int nrOrders = 14;
    public long layoutRequest;
    public long layoutSeq;
    public String exe = "/usr/bin/testprog";
    public final long[] global = new long[io.slabscope.model.GlobalStats.FIELD_COUNT];
    /** global_size: 408 now, 360 in the first release; larger sizes stand for later releases. */
    public int globalSize = 8 * io.slabscope.model.GlobalStats.FIELD_COUNT;
    public int cacheRecordSize = 160;
    public int zoneRecordSize = 168;
    public final List<Cache> caches = new ArrayList<>();
    public final List<ZoneRec> zones = new ArrayList<>();

    /** One cache record; fields as in struct ss_shm_cache. */
    public static final class Cache {
        public String name;
        public int objectSize, size, align = 8, objPerSlab, pagesPerSlab = 1, colourNum, colourOff, kmallocClass = -1;
        public long activeObjs, numObjs, activeSlabs, numSlabs, fullSlabs, partialSlabs, freeSlabs;
        public long allocs, frees, grows, reaps;
        public int flags, id;

        public Cache(String name, int size, int objPerSlab, int pagesPerSlab, long activeObjs, long numSlabs) {
            this.name = name;
            this.objectSize = size;
            this.size = size;
            this.objPerSlab = objPerSlab;
            this.pagesPerSlab = pagesPerSlab;
            this.activeObjs = activeObjs;
            this.numSlabs = numSlabs;
            this.numObjs = numSlabs * objPerSlab;
            this.activeSlabs = numSlabs;
        }
    }

    /** One zone record; fields as in struct ss_shm_zone. */
    public static final class ZoneRec {
        public int id, kind;
        public long base, top, freePages, dirtyPages;
        public final long[] nrFree = new long[16];

        public ZoneRec(int id, int kind, long base, long top, long... nrFree) {
            this.id = id;
            this.kind = kind;
            this.base = base;
            this.top = top;
            System.arraycopy(nrFree, 0, this.nrFree, 0, nrFree.length);
            for (int o = 0; o < nrFree.length; o++) {
                freePages += nrFree[o] << o;
            }
        }
    }

    /** Sets a global counter by its C name. */
    public SnapshotBytes global(String name, long value) {
        int i = io.slabscope.model.GlobalStats.FIELD_NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(name);
        }
        global[i] = value;
        return this;
    }

    public Cache cache(String name, int size, int objPerSlab, int pagesPerSlab, long activeObjs, long numSlabs) {
        Cache c = new Cache(name, size, objPerSlab, pagesPerSlab, activeObjs, numSlabs);
        c.id = caches.size();
        caches.add(c);
        return c;
    }

    public ZoneRec zone(int id, int kind, long base, long top, long... nrFree) {
        ZoneRec z = new ZoneRec(id, kind, base, top, nrFree);
        zones.add(z);
        return z;
    }

    public static final int GLOBAL_OFFSET = 256;

    public int cachesOffset() {
        return GLOBAL_OFFSET + globalSize;
    }

    public int zonesOffset() {
        return cachesOffset() + caches.size() * cacheRecordSize;
    }

    public int totalSize() {
        return zonesOffset() + zones.size() * zoneRecordSize;
    }

    public byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(totalSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC);
        b.putInt(8, version);
        b.putInt(12, headerSize);
        b.putLong(16, seq);
        b.putInt(24, pid);
        b.putInt(28, pageSize);
        b.putLong(32, startTimeNs);
        b.putLong(40, publishTimeNs);
        b.putLong(48, publishCount);
        b.putLong(56, totalSize());
        b.putInt(64, caches.size());
        b.putInt(68, cacheRecordSize);
        b.putLong(72, cachesOffset());
        b.putInt(80, zones.size());
        b.putInt(84, zoneRecordSize);
        b.putLong(88, zonesOffset());
        b.putInt(96, nrOrders);
        b.putInt(100, globalSize);
        b.putLong(104, GLOBAL_OFFSET);
        b.putLong(112, layoutRequest);
        b.putLong(120, layoutSeq);
        putString(b, 128, exe, 128);
        for (int i = 0; i < global.length && 8 * i + 8 <= globalSize; i++) {
            b.putLong(GLOBAL_OFFSET + 8 * i, global[i]);
        }
        for (int i = 0; i < caches.size(); i++) {
            Cache c = caches.get(i);
            int o = cachesOffset() + i * cacheRecordSize;
            putString(b, o, c.name, 32);
            b.putInt(o + 32, c.objectSize);
            b.putInt(o + 36, c.size);
            b.putInt(o + 40, c.align);
            b.putInt(o + 44, c.objPerSlab);
            b.putInt(o + 48, c.pagesPerSlab);
            b.putInt(o + 52, c.colourNum);
            b.putInt(o + 56, c.colourOff);
            b.putInt(o + 60, c.kmallocClass);
            long[] v = {c.activeObjs, c.numObjs, c.activeSlabs, c.numSlabs, c.fullSlabs, c.partialSlabs, c.freeSlabs,
                c.allocs, c.frees, c.grows, c.reaps};
            for (int k = 0; k < v.length; k++) {
                b.putLong(o + 64 + 8 * k, v[k]);
            }
            b.putInt(o + 152, c.flags);
            b.putInt(o + 156, c.id);
        }
        for (int i = 0; i < zones.size(); i++) {
            ZoneRec z = zones.get(i);
            int o = zonesOffset() + i * zoneRecordSize;
            b.putInt(o, z.id);
            b.putInt(o + 4, z.kind);
            b.putLong(o + 8, z.base);
            b.putLong(o + 16, z.top);
            b.putLong(o + 24, z.freePages);
            b.putLong(o + 32, z.dirtyPages);
            for (int k = 0; k < 16; k++) {
                b.putLong(o + 40 + 8 * k, z.nrFree[k]);
            }
        }
        return b.array();
    }

    static void putString(ByteBuffer b, int off, String s, int size) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b.put(off + i, i < bytes.length && i < size - 1 ? bytes[i] : 0);
        }
    }

    /** A realistic small process: three caches, a brk zone and an mmap zone. */
    public static SnapshotBytes sample() {
        SnapshotBytes s = new SnapshotBytes();
        Cache k64 = s.cache("kmalloc-64", 64, 63, 1, 1000, 17);
        k64.kmallocClass = 3;
        k64.fullSlabs = 15;
        k64.partialSlabs = 2;
        k64.allocs = 1200;
        k64.frees = 200;
        k64.grows = 17;
        Cache k1k = s.cache("kmalloc-1024", 1024, 4, 1, 544, 136);
        k1k.kmallocClass = 19;
        k1k.fullSlabs = 136;
        Cache named = s.cache("inode_cache", 600, 13, 2, 0, 0);
        named.align = 64;
        named.colourNum = 3;
        named.colourOff = 64;
        s.zone(1, 0, 0x555555a00000L, 0x555555a00000L + (4096L << 8), 3, 1, 0, 2, 0, 0, 0, 1);
        s.zone(2, 1, 0x7f0000000000L, 0x7f0000000000L + (4096L << 10), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        s.global("heap_bytes", 4096L * (256 + 1024));
        s.global("live_allocs", 1544);
        s.global("slab_bytes", 17 * 63 * 64 + 136 * 4 * 1024);
        s.global("mmap_blocks", 2);
        s.global("mmap_bytes", 3 << 20);
        return s;
    }
}
