package io.slabscope.model;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the layout format of {@code native-shim/include/slabscope_shm.h}: header, zone
 * records with their page entries, large blocks. Same rules as {@link SnapshotParser}:
 * version 1 or later, everything inside {@code total_size} and the bytes given.
 */
public final class LayoutParser {
    /** "SLBSYLT1", little-endian. */
    public static final long MAGIC = 0x31544c5953424c53L;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 72;
    public static final int ZONE_RECORD_SIZE = 32;
    public static final int LARGE_RECORD_SIZE = 24;

    static final int H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_SEQ = 16, H_REQUEST = 24, H_TIME = 32,
            H_TOTAL_SIZE = 40, H_NR_ZONES = 48, H_NR_LARGE = 52, H_ZONES_OFFSET = 56, H_LARGE_OFFSET = 64;

    /** Offset of {@code seq} (the layout file's seqlock). */
    public static final int SEQ_OFFSET = H_SEQ;
    /** Offset of {@code request} (the layout request answered). */
    public static final int REQUEST_OFFSET = H_REQUEST;

    private LayoutParser() {
    }

    /**
     * Decodes the layout in {@code buf} from its position to its limit.
     *
     * @param pageSize the page size of the process (from its snapshot header)
     */
    public static Layout parse(ByteBuffer buf, int pageSize) throws SnapshotFormatException {
        FormatReader r = new FormatReader(buf, "layout");
        long len = r.length();
        if (len < 8) {
            throw new SnapshotFormatException("layout truncated: " + len + " bytes, the header alone needs "
                    + HEADER_SIZE);
        }
        long magic = r.u64(H_MAGIC);
        if (magic != MAGIC) {
            throw new SnapshotFormatException("bad magic 0x" + Long.toHexString(magic)
                    + ": not a slabscope layout (expected 0x" + Long.toHexString(MAGIC) + ", \"SLBSYLT1\")");
        }
        if (len < 16) {
            throw new SnapshotFormatException("layout truncated: " + len + " bytes, the header alone needs "
                    + HEADER_SIZE);
        }
        long version = r.u32(H_VERSION);
        if (version < VERSION) {
            throw new SnapshotFormatException("unsupported layout version " + version + " (this reader knows "
                    + VERSION + " and later versions that only append fields)");
        }
        long headerSize = r.u32(H_HEADER_SIZE);
        if (headerSize < HEADER_SIZE) {
            throw new SnapshotFormatException("layout header_size " + headerSize + " is smaller than version 1's "
                    + HEADER_SIZE);
        }
        if (len < headerSize) {
            throw new SnapshotFormatException("layout truncated: " + len + " bytes, the header alone needs "
                    + headerSize);
        }
        long totalSize = r.u64(H_TOTAL_SIZE);
        if (totalSize < 0 || totalSize < headerSize) {
            throw new SnapshotFormatException("layout total_size " + Long.toUnsignedString(totalSize)
                    + " is smaller than the header (" + headerSize + " bytes)");
        }
        if (totalSize > len) {
            throw new SnapshotFormatException("layout truncated: total_size is " + totalSize + " bytes, only " + len
                    + " available");
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize);
        }
        long nrZones = r.u32(H_NR_ZONES);
        long nrLarge = r.u32(H_NR_LARGE);
        long zonesOffset = r.u64(H_ZONES_OFFSET);
        long largeOffset = r.u64(H_LARGE_OFFSET);
        r.requireArray(zonesOffset, nrZones, ZONE_RECORD_SIZE, totalSize, "layout zone records");
        r.requireArray(largeOffset, nrLarge, LARGE_RECORD_SIZE, totalSize, "large block records");

        List<LayoutZone> zones = new ArrayList<>((int) nrZones);
        for (long i = 0; i < nrZones; i++) {
            long o = zonesOffset + i * ZONE_RECORD_SIZE;
            long kindCode = r.u32(o + 4);
            ZoneKind kind = ZoneKind.ofCode(kindCode);
            if (kind == null) {
                throw new SnapshotFormatException("layout zone record " + i + " has unknown kind " + kindCode);
            }
            long npages = r.u64(o + 16);
            long pagesOffset = r.u64(o + 24);
            r.requireArray(pagesOffset, npages, 4, totalSize, "page entries of layout zone " + i);
            zones.add(new LayoutZone((int) r.u32(o), kind, r.u64(o + 8), r.ints(pagesOffset, (int) npages)));
        }
        List<LargeBlock> large = new ArrayList<>((int) nrLarge);
        for (long i = 0; i < nrLarge; i++) {
            long o = largeOffset + i * LARGE_RECORD_SIZE;
            large.add(new LargeBlock(r.u64(o), r.u64(o + 8), r.u64(o + 16)));
        }
        return new Layout((int) version, r.u64(H_SEQ), r.u64(H_REQUEST), r.u64(H_TIME), pageSize, zones, large);
    }
}
