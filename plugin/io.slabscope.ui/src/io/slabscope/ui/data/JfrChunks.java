package io.slabscope.ui.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the chunk headers of a Flight Recorder file, and each chunk's chain of constant pools,
 * before the JDK's parser reads it: that parser waits, or spins, forever on a chunk whose header
 * says it is still being written (file state not 0, no metadata yet), whose size is 0, or whose
 * constant pools point at each other in a circle, or one of whose records (events, constant pools,
 * metadata) has a size that is not above 0. The answer is how many leading bytes are whole, sound
 * chunks (a last chunk cut short counts: the parser reads it up to the cut), what is wrong with
 * the next one, and the damaged records to step over ({@link Skip}). Damage it misses is left to
 * the watch over the parser in {@link RecordingReader}.
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
    private static final int WINDOW = 1 << 20;
    /** A size of up to 2^35 in 5 bytes (older JDKs read sizes as ints: at most 5 bytes) and a type of 1. */
    static final int PATCH_SIZE = 6;

    /**
     * @param soundBytes the leading bytes that are whole sound chunks (the file's size if all are)
     * @param problem    what is wrong at {@code soundBytes}, null if nothing
     * @param truncated  whether the last chunk is cut short (the file ends inside it)
     */
    record Result(long soundBytes, String problem, boolean truncated, List<Skip> skips) {
        Result(long soundBytes, String problem, boolean truncated) {
            this(soundBytes, problem, truncated, List.of());
        }
    }

    /**
     * A damaged run of records to step over: the record at {@code at} has a size that would send the
     * JDK's parser round in circles; {@link #patch} makes it one record of {@code length} bytes, up to
     * the next record known to be sound (a constant pool or the metadata), that the parser skips.
     */
    record Skip(long at, long length) {
        /** The bytes to write at {@code at}: the size as a varint padded to 5 bytes, then type 0 (metadata, skipped when reading events). */
        byte[] patch() {
            byte[] b = new byte[PATCH_SIZE];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) ((length >>> (7 * i)) & 0x7f | 0x80);
            }
            b[4] = (byte) ((length >>> 28) & 0x7f);
            b[5] = 0;
            return b;
        }
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
        List<Skip> skips = new ArrayList<>();
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
            TreeSet<Long> sound = new TreeSet<>();         // records known to start there
            String pool = poolChain(ch, pos, pos + pools, end, sound);
            if (pool != null) {
                return new Result(pos, where + ": " + pool, false, skips);
            }
            if (pos + metadata < end) {
                sound.add(pos + metadata);
            }
            String bad = records(ch, pos + HEADER_SIZE, end, sound, skips);
            if (bad != null) {
                return new Result(pos, where + ": " + bad, false, skips);
            }
            if (chunkSize > size - pos) {
                return new Result(size, null, true, skips);
            }
            pos += chunkSize;
        }
        return new Result(size, null, false, skips);
    }

    /** Follows the constant pools from the last one back to the first: null if they end, else what is wrong. */
    private static String poolChain(FileChannel ch, long chunkStart, long first, long end, Set<Long> seen)
            throws IOException {
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

    /**
     * Walks a chunk's records (events, constant pools, metadata), each of which starts with its size.
     * The JDK's parser moves from one record to the next by its size (ChunkParser.readEvent); a size
     * of 0 it refuses, but a negative one sends it back into the records before, round and round
     * without end (RecordingFuzzTest found it: a run of 0xff bytes at the start of an event). Such a
     * record gets a {@link Skip} over the damage up to the next record known to be sound ({@code
     * sound}: the constant pools and the metadata), so that the events before and after it can still
     * be read. Null if the walk ends, else what is wrong (no sound record after the damage).
     */
    private static String records(FileChannel ch, long start, long end, TreeSet<Long> sound, List<Skip> skips)
            throws IOException {
        ByteBuffer window = ByteBuffer.allocate(0);
        long windowAt = start;
        long at = start;
        while (at < end) {
            if (at < windowAt || at - windowAt + 9 > window.limit()) {
                // read through a window of 1 MB: the walk costs one pass over the file (about 0.1 s for
                // 57 MB of agent chunks, a tenth of the JDK's parse of them)
                windowAt = at;
                window = read(ch, at, (int) Math.min(WINDOW, end - at));
            }
            window.position((int) (at - windowAt));
            long size;
            try {
                size = varint(window);
            } catch (java.nio.BufferUnderflowException e) {
                return null;                   // the file ends inside the size: the parser stops there
            }
            if (size > 0 && (int) size > 0) { // (int): older JDKs read the size as an int
                at += size;
                continue;
            }
            Long next = sound.higher(at + PATCH_SIZE - 1);
            if (next == null || next - at > 1L << 35) {
                return "the record at byte " + at + " has size " + size + " and no sound record follows it";
            }
            skips.add(new Skip(at, next - at));
            at = next;
        }
        return null;
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
