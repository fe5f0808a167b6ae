package io.slabscope.ui.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks the chunk headers of a Flight Recorder file, and each chunk's chain of constant pools,
 * before the JDK's parser reads it: that parser waits, or spins, forever on a chunk whose header
 * says it is still being written (file state not 0, no metadata yet), whose size is 0, or whose
 * constant pools point at each other in a circle. The answer is how many leading bytes are whole,
 * sound chunks (a last chunk cut short counts: the parser reads it up to the cut), and what is
 * wrong with the next one.
 *
 * <p>The chunk header (big-endian): magic "FLR\0" (0), major and minor version (4, 6), chunk size
 * (8), constant pool offset (16), metadata offset (24), start, duration, start ticks, ticks per
 * second (32..63), file state (64: 0 when finished), flags (67). Constant pools are events of type
 * 1 whose fields are JFR's compressed integers: size, type, start, duration, delta to the previous
 * pool (0 for the first).
 */
final class JfrChunks {
    static final int HEADER_SIZE = 68;
    private static final int FILE_STATE = 64;
    private static final int MAX_POOLS = 100_000;

    /**
     * @param soundBytes the leading bytes that are whole sound chunks (the file's size if all are)
     * @param problem    what is wrong at {@code soundBytes}, null if nothing
     * @param truncated  whether the last chunk is cut short (the file ends inside it)
     */
    record Result(long soundBytes, String problem, boolean truncated) {
    }

    private JfrChunks() {
    }

    static Result check(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return check(ch, ch.size());
        }
    }

    static Result check(FileChannel ch, long size) throws IOException {
        long pos = 0;
        for (int chunk = 1; pos < size; chunk++) {
            String where = "chunk " + chunk + " at byte " + pos;
            if (size - pos < HEADER_SIZE) {
                return new Result(pos, where + " is cut short in its header", true);
            }
            ByteBuffer h = read(ch, pos, HEADER_SIZE);      // whole: at least HEADER_SIZE bytes are left
            if (h.getInt(0) != 0x464c5200) {
                return new Result(pos, where + " does not start with \"FLR\\0\"", false);
            }
            int major = h.getShort(4);
            if (major != 1 && major != 2) {
                return new Result(pos, where + " has format version " + major + "." + h.getShort(6), false);
            }
            if (h.get(FILE_STATE) != 0) {
                return new Result(pos, where + " says it is still being written", false);
            }
            long chunkSize = h.getLong(8);
            long pools = h.getLong(16);
            long metadata = h.getLong(24);
            if (chunkSize < HEADER_SIZE) {
                return new Result(pos, where + " has size " + chunkSize, false);
            }
            if (pools < HEADER_SIZE || pools >= chunkSize || metadata < HEADER_SIZE || metadata >= chunkSize) {
                return new Result(pos, where + " points outside itself for its constant pools (" + pools
                        + ") or metadata (" + metadata + ")", false);
            }
            long end = Math.min(size, pos + chunkSize);
            String pool = poolChain(ch, pos, pos + pools, end);
            if (pool != null) {
                return new Result(pos, where + ": " + pool, false);
            }
            if (chunkSize > size - pos) {
                return new Result(size, null, true);
            }
            pos += chunkSize;
        }
        return new Result(size, null, false);
    }

    /** Follows the constant pools from the last one back to the first: null if they end, else what is wrong. */
    private static String poolChain(FileChannel ch, long chunkStart, long first, long end) throws IOException {
        Set<Long> seen = new HashSet<>();
        long at = first;
        for (int n = 0; n < MAX_POOLS; n++) {
            if (at >= end) {
                return null;                   // beyond the end of a chunk cut short: the parser stops there
            }
            if (!seen.add(at)) {
                return "its constant pools point at each other in a circle";
            }
            ByteBuffer b = read(ch, at, (int) Math.min(5 * 9, end - at));
            long[] v = new long[5];
            try {
                for (int i = 0; i < 5; i++) {
                    v[i] = varint(b);
                }
            } catch (java.nio.BufferUnderflowException e) {
                return null;                   // the file ends inside it: the parser stops there
            }
            if (v[1] != 1) {
                return "no constant pool at byte " + at;
            }
            long delta = v[4];
            if (delta == 0) {
                return null;
            }
            at += delta;
            if (at < chunkStart + HEADER_SIZE || at >= end) {
                return "a constant pool points outside the chunk";
            }
        }
        return "more than " + MAX_POOLS + " constant pools";
    }

    /** JFR's compressed integer (RecordingInput.readLong): 7 bits a byte, high bit set if more follow, the 9th whole. */
    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            byte x = b.get();
            v += (x & 0x7fL) << (7 * i);
            if (x >= 0) {
                return v;
            }
        }
        return v + ((b.get() & 0xffL) << 56);
    }

    /** Up to {@code n} bytes at {@code pos} (fewer at the end of the file), big-endian. */
    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        b.flip();
        return b;
    }
}
