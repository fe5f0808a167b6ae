package io.slabscope.model;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the binary snapshot format of {@code native-shim/include/slabscope_shm.h}
 * (version 1): header, global counters, cache records, zone records.
 *
 * <p>Records are reached through the offsets and record sizes in the header, so a later
 * version that appends fields to the header or to records still decodes; a version below 1,
 * records smaller than version 1's, or anything pointing outside {@code total_size} (or the
 * bytes given) is rejected with a {@link SnapshotFormatException} that says what is wrong.
 * The parser does not look at the seqlock: sources copy a consistent snapshot first.
 */
public final class SnapshotParser {
    /** "SLBSCP1" and a NUL, little-endian. */
    public static final long MAGIC = 0x31504353424c53L;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 256;
    /** global_size of the first release: the least a snapshot holds (later ones append fields). */
    public static final int GLOBAL_SIZE = GlobalStats.FIRST_RELEASE_FIELD_COUNT * 8;
    public static final int CACHE_RECORD_SIZE = 160;
    public static final int ZONE_RECORD_SIZE = 168;
    /** nr_free[] slots in a version 1 zone record. */
    public static final int ORDER_SLOTS = 16;
    public static final int EXE_SIZE = 128;
    public static final int CACHE_NAME_SIZE = 32;

    // header field offsets (struct ss_shm_header)
    static final int H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_SEQ = 16, H_PID = 24, H_PAGE_SIZE = 28,
            H_START_TIME = 32, H_PUBLISH_TIME = 40, H_PUBLISH_COUNT = 48, H_TOTAL_SIZE = 56, H_NR_CACHES = 64,
            H_CACHE_RECORD_SIZE = 68, H_CACHES_OFFSET = 72, H_NR_ZONES = 80, H_ZONE_RECORD_SIZE = 84,
            H_ZONES_OFFSET = 88, H_NR_ORDERS = 96, H_GLOBAL_SIZE = 100, H_GLOBAL_OFFSET = 104,
            H_LAYOUT_REQUEST = 112, H_LAYOUT_SEQ = 120, H_EXE = 128;

    /** Offset of {@code seq} in the header (the seqlock). */
    public static final int SEQ_OFFSET = H_SEQ;
    /** Offset of {@code start_time_ns} in the header. */
    public static final int START_TIME_OFFSET = H_START_TIME;
    /** Offset of {@code total_size} in the header. */
    public static final int TOTAL_SIZE_OFFSET = H_TOTAL_SIZE;
    /** Offset of {@code page_size} in the header. */
    public static final int PAGE_SIZE_OFFSET = H_PAGE_SIZE;
    /** Offset of {@code layout_request} in the header (readers bump it). */
    public static final int LAYOUT_REQUEST_OFFSET = H_LAYOUT_REQUEST;
    /** Offset of {@code layout_seq} in the header. */
    public static final int LAYOUT_SEQ_OFFSET = H_LAYOUT_SEQ;

    private SnapshotParser() {
    }

    /** Decodes the snapshot in {@code buf} from its position to its limit (the buffer is not modified). */
    public static Snapshot parse(ByteBuffer buf) throws SnapshotFormatException {
        FormatReader r = new FormatReader(buf, "snapshot");
        long len = r.length();
        if (len < 8) {
            throw new SnapshotFormatException("snapshot truncated: " + len + " bytes, the header alone needs "
                    + HEADER_SIZE);
        }
        long magic = r.u64(H_MAGIC);
        if (magic != MAGIC) {
            throw new SnapshotFormatException("bad magic 0x" + Long.toHexString(magic)
                    + ": not a slabscope snapshot (expected 0x" + Long.toHexString(MAGIC) + ", \"SLBSCP1\")");
        }
        if (len < 16) {
            throw new SnapshotFormatException("snapshot truncated: " + len + " bytes, the header alone needs "
                    + HEADER_SIZE);
        }
        long version = r.u32(H_VERSION);
        if (version < VERSION) {
            throw new SnapshotFormatException("unsupported snapshot version " + version + " (this reader knows "
                    + VERSION + " and later versions that only append fields)");
        }
        long headerSize = r.u32(H_HEADER_SIZE);
        if (headerSize < HEADER_SIZE) {
            throw new SnapshotFormatException("header_size " + headerSize + " is smaller than version 1's "
                    + HEADER_SIZE);
        }
        if (len < headerSize) {
            throw new SnapshotFormatException("snapshot truncated: " + len + " bytes, the header alone needs "
                    + headerSize);
        }
        long totalSize = r.u64(H_TOTAL_SIZE);
        if (totalSize < 0 || totalSize < headerSize) {
            throw new SnapshotFormatException("total_size " + Long.toUnsignedString(totalSize)
                    + " is smaller than the header (" + headerSize + " bytes)");
        }
        if (totalSize > len) {
            throw new SnapshotFormatException("snapshot truncated: total_size is " + totalSize + " bytes, only "
                    + len + " available");
        }
        long pageSize = r.u32(H_PAGE_SIZE);
        if (!plausiblePageSize(pageSize)) {
            throw new SnapshotFormatException("page_size " + pageSize + " is not a plausible page size");
        }

        long nrCaches = r.u32(H_NR_CACHES);
        long cacheRecordSize = r.u32(H_CACHE_RECORD_SIZE);
        long cachesOffset = r.u64(H_CACHES_OFFSET);
        long nrZones = r.u32(H_NR_ZONES);
        long zoneRecordSize = r.u32(H_ZONE_RECORD_SIZE);
        long zonesOffset = r.u64(H_ZONES_OFFSET);
        long nrOrders = r.u32(H_NR_ORDERS);
        long globalSize = r.u32(H_GLOBAL_SIZE);
        long globalOffset = r.u64(H_GLOBAL_OFFSET);

        if (nrCaches > 0 && cacheRecordSize < CACHE_RECORD_SIZE) {
            throw new SnapshotFormatException("cache_record_size " + cacheRecordSize + " is smaller than version 1's "
                    + CACHE_RECORD_SIZE);
        }
        if (nrZones > 0 && zoneRecordSize < ZONE_RECORD_SIZE) {
            throw new SnapshotFormatException("zone_record_size " + zoneRecordSize + " is smaller than version 1's "
                    + ZONE_RECORD_SIZE);
        }
        if (globalSize < GLOBAL_SIZE) {
            throw new SnapshotFormatException("global_size " + globalSize + " is smaller than version 1's "
                    + GLOBAL_SIZE);
        }
        long orderSlots = ORDER_SLOTS;                 /* fixed in version 1: later fields follow */
        if (nrOrders > orderSlots || nrOrders > 63) {
            throw new SnapshotFormatException("nr_orders " + nrOrders + " exceeds the " + Math.min(orderSlots, 63)
                    + " order slots of a zone record");
        }
        r.require(globalOffset, globalSize, totalSize, "global counters");
        r.requireArray(cachesOffset, nrCaches, cacheRecordSize, totalSize, "cache records");
        r.requireArray(zonesOffset, nrZones, zoneRecordSize, totalSize, "zone records");

        // the fields global_size says are there, as many as this reader knows; appended ones it lacks read 0
        long[] g = new long[(int) Math.min(GlobalStats.FIELD_COUNT, globalSize / 8)];
        for (int i = 0; i < g.length; i++) {
            g[i] = r.u64(globalOffset + 8L * i);
        }

        List<SlabCache> caches = new ArrayList<>((int) nrCaches);
        for (long i = 0; i < nrCaches; i++) {
            caches.add(cache(r, cachesOffset + i * cacheRecordSize, pageSize));
        }
        List<Zone> zones = new ArrayList<>((int) nrZones);
        for (long i = 0; i < nrZones; i++) {
            zones.add(zone(r, zonesOffset + i * zoneRecordSize, (int) nrOrders, i, zoneRecordSize));
        }

        return new Snapshot((int) version, r.u64(H_SEQ), r.i32(H_PID), (int) pageSize, r.u64(H_START_TIME),
                r.u64(H_PUBLISH_TIME), r.u64(H_PUBLISH_COUNT), totalSize, (int) nrOrders, r.u64(H_LAYOUT_REQUEST),
                r.u64(H_LAYOUT_SEQ), r.string(H_EXE, EXE_SIZE), GlobalStats.of(g), caches, zones);
    }

    /** A power of two from 512 bytes to 1 GiB. */
    public static boolean plausiblePageSize(long pageSize) {
        return pageSize >= 512 && pageSize <= (1 << 30) && Long.bitCount(pageSize) == 1;
    }

    private static SlabCache cache(FormatReader r, long o, long pageSize) {
        int pagesPerSlab = (int) r.u32(o + 48);
        long numSlabs = r.u64(o + 88);
        return new SlabCache(
                r.string(o, CACHE_NAME_SIZE),
                (int) r.u32(o + 32),          // object_size
                (int) r.u32(o + 36),          // size
                (int) r.u32(o + 40),          // align
                (int) r.u32(o + 44),          // objperslab
                pagesPerSlab,                  // pagesperslab
                (int) r.u32(o + 52),          // colour_num
                (int) r.u32(o + 56),          // colour_off
                r.i32(o + 60),                // kmalloc_class
                r.u64(o + 64),                // active_objs
                r.u64(o + 72),                // num_objs
                r.u64(o + 80),                // active_slabs
                numSlabs,                      // num_slabs
                r.u64(o + 96),                // full_slabs
                r.u64(o + 104),               // partial_slabs
                r.u64(o + 112),               // free_slabs
                r.u64(o + 120),               // allocs
                r.u64(o + 128),               // frees
                r.u64(o + 136),               // grows
                r.u64(o + 144),               // reaps
                (int) r.u32(o + 152),         // flags
                (int) r.u32(o + 156),         // id
                numSlabs * pagesPerSlab * pageSize);
    }

    /**
     * More free blocks of one order than this (2^40, a 4 PiB heap of 4 KiB pages) is garbage; below
     * it, sums over every zone and order stay far from overflowing a long.
     */
    static final long MAX_FREE_BLOCKS = 1L << 40;

    /** Offset of resident_pages, appended to the zone record after the nr_free slots. */
    private static final int ZONE_RESIDENT_OFFSET = 40 + 8 * ORDER_SLOTS;

    private static Zone zone(FormatReader r, long o, int nrOrders, long index, long recordSize)
            throws SnapshotFormatException {
        long kindCode = r.u32(o + 4);
        ZoneKind kind = ZoneKind.ofCode(kindCode);
        if (kind == null) {
            throw new SnapshotFormatException("zone record " + index + " has unknown kind " + kindCode);
        }
        long[] nrFree = new long[nrOrders];
        for (int k = 0; k < nrOrders; k++) {
            nrFree[k] = r.u64(o + 40 + 8L * k);
            if (nrFree[k] < 0 || nrFree[k] > MAX_FREE_BLOCKS) {
                throw new SnapshotFormatException("zone record " + index + " has " + Long.toUnsignedString(nrFree[k])
                        + " free blocks of order " + k + ", more than any heap has pages (2^40)");
            }
        }
        long resident = recordSize >= ZONE_RESIDENT_OFFSET + 8 ? r.u64(o + ZONE_RESIDENT_OFFSET) : 0;
        return new Zone((int) r.u32(o), kind, r.u64(o + 8), r.u64(o + 16), r.u64(o + 24), r.u64(o + 32), nrFree,
                resident);
    }
}
