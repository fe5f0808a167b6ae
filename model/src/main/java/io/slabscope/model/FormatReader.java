package io.slabscope.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads at absolute offsets of a byte range, with the bounds checks the parsers
 * share. Offsets are relative to the start of the range.
 */
final class FormatReader {
    private final ByteBuffer buf;
    private final int start;
    private final long length;
    private final String what;

    FormatReader(ByteBuffer source, String what) {
        this.buf = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.start = source.position();
        this.length = source.remaining();
        this.what = what;
    }

    long length() {
        return length;
    }

    /** Throws unless [offset, offset + size) lies within the first {@code limit} bytes. */
    void require(long offset, long size, long limit, String field) throws SnapshotFormatException {
        if (offset < 0 || size < 0 || offset > limit || size > limit - offset) {
            throw new SnapshotFormatException(what + ": " + field + " [" + offset + ", " + unsignedPlus(offset, size)
                    + ") lies outside the " + limit + " bytes of the " + what);
        }
    }

    /**
     * Throws unless {@code count} records of {@code recordSize} bytes at {@code offset} lie
     * within the first {@code limit} bytes. All three are unsigned values from the format.
     */
    void requireArray(long offset, long count, long recordSize, long limit, String field)
            throws SnapshotFormatException {
        if (offset < 0 || offset > limit) {
            throw new SnapshotFormatException(what + ": " + field + " offset " + Long.toUnsignedString(offset)
                    + " lies outside the " + limit + " bytes of the " + what);
        }
        long room = limit - offset;
        if (count < 0 || recordSize < 0 || (recordSize != 0 && count > room / recordSize)) {
            throw new SnapshotFormatException(what + ": " + Long.toUnsignedString(count) + " " + field + " of "
                    + recordSize + " bytes at offset " + offset + " run past the " + limit + " bytes of the " + what);
        }
    }

    long u64(long off) {
        return buf.getLong(start + (int) off);
    }

    /** uint32 as a non-negative long. */
    long u32(long off) {
        return Integer.toUnsignedLong(buf.getInt(start + (int) off));
    }

    int i32(long off) {
        return buf.getInt(start + (int) off);
    }

    /** A NUL-terminated string in a fixed field of {@code size} bytes (all of it if no NUL). */
    String string(long off, int size) {
        byte[] b = new byte[size];
        buf.get(start + (int) off, b);
        int n = 0;
        while (n < size && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Copies {@code count} uint32 entries at {@code off}. */
    int[] ints(long off, int count) {
        int[] r = new int[count];
        ByteBuffer slice = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        slice.position(start + (int) off);
        slice.asIntBuffer().get(r);
        return r;
    }

    private static String unsignedPlus(long a, long b) {
        return new java.math.BigInteger(Long.toUnsignedString(a)).add(new java.math.BigInteger(Long.toUnsignedString(b)))
                .toString();
    }
}
