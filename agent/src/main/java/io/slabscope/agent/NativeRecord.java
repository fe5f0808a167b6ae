package io.slabscope.agent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One record of {@code ss_events_drain}: {@code struct ss_event} (48 bytes) and its return
 * addresses (slabscope_shm.h). {@code detail} is the struct's {@code reserved} word: the kind of a
 * corruption ({@code enum ss_corruption}), 0 for the other types.
 */
public record NativeRecord(int type, int tier, int cacheId, int tid, int detail, long timeNs, long addr, long size,
        long weight, long[] frames) {

    public static final int ALLOC = 1;
    public static final int FREE = 2;
    public static final int MMAP = 3;
    public static final int MUNMAP = 4;
    public static final int BRK_GROW = 5;
    public static final int BRK_TRIM = 6;
    public static final int FAIL = 7;
    public static final int INVALID_FREE = 8;
    public static final int CORRUPTION = 9;
    /**
     * Types above this are not records: a later shim may add types below it (same framing), which
     * are decoded and skipped.
     */
    public static final int MAX_TYPE = 255;

    public static final int TIER_SLAB = 1;
    public static final int TIER_MEDIUM = 2;
    public static final int TIER_MMAP = 3;

    /** sizeof(struct ss_event). */
    public static final int HEADER_SIZE = 48;
    /** SS_EVENT_MAX_FRAMES. */
    public static final int MAX_FRAMES = 32;

    /** A record without detail (every type but {@link #CORRUPTION}). */
    public NativeRecord(int type, int tier, int cacheId, int tid, long timeNs, long addr, long size, long weight,
            long[] frames) {
        this(type, tier, cacheId, tid, 0, timeNs, addr, size, weight, frames);
    }

    /** Bytes of a record with {@code nframes} frames. */
    public static int recordSize(int nframes) {
        return HEADER_SIZE + 8 * nframes;
    }

    /** "slab", "medium", "mmap" or "" for tier codes 1, 2, 3, other. */
    public static String tierName(int tier) {
        return switch (tier) {
            case TIER_SLAB -> "slab";
            case TIER_MEDIUM -> "medium";
            case TIER_MMAP -> "mmap";
            default -> "";
        };
    }

    public static String typeName(int type) {
        return switch (type) {
            case ALLOC -> "alloc";
            case FREE -> "free";
            case MMAP -> "mmap";
            case MUNMAP -> "munmap";
            case BRK_GROW -> "brk-grow";
            case BRK_TRIM -> "brk-trim";
            case FAIL -> "fail";
            case INVALID_FREE -> "invalid-free";
            case CORRUPTION -> "corruption";
            default -> "type-" + type;
        };
    }

    /**
     * Decodes the record at the buffer's position and advances past it.
     *
     * @return the record (possibly of a type this agent does not know, from a later shim), or null if what is
     *         left is not a whole valid record (the rest of the buffer is then not to be trusted)
     */
    public static NativeRecord decode(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int at = b.position();
        if (b.remaining() < HEADER_SIZE) {
            return null;
        }
        int type = Short.toUnsignedInt(b.getShort(at));
        int nframes = Short.toUnsignedInt(b.getShort(at + 2));
        if (nframes > MAX_FRAMES || b.remaining() < recordSize(nframes) || type < ALLOC || type > MAX_TYPE) {
            return null;
        }
        long[] frames = new long[nframes];
        for (int i = 0; i < nframes; i++) {
            frames[i] = b.getLong(at + HEADER_SIZE + 8 * i);
        }
        NativeRecord r = new NativeRecord(type, Short.toUnsignedInt(b.getShort(at + 4)),
                Short.toUnsignedInt(b.getShort(at + 6)), b.getInt(at + 8), b.getInt(at + 12), b.getLong(at + 16),
                b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40), frames);
        b.position(at + recordSize(nframes));
        return r;
    }

    /** Encodes (for tests): the inverse of {@link #decode}. */
    public void encode(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type).putShort((short) frames.length).putShort((short) tier).putShort((short) cacheId)
                .putInt(tid).putInt(detail).putLong(timeNs).putLong(addr).putLong(size).putLong(weight);
        for (long f : frames) {
            b.putLong(f);
        }
    }
}
