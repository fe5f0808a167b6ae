package io.slabscope.ui.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.Name;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch over the JDK's JFR parser in {@link RecordingReader}: files on which that parser
 * spins forever (a chunk whose header says it is still being written and has no metadata yet; an
 * event whose size is -1), read as if {@link JfrChunks} had missed the damage, must end within the
 * stall bound with a message that names the file, and must not leave the parser thread behind.
 * Read as the editor does, JfrChunks catches both at once. In package io.slabscope.ui.data
 * (this fragment shares the host's class loader) to reach the package-private
 * {@link RecordingReader#readUnchecked}.
 */
public class RecordingReaderStallTest {
    static Path dir;
    static Path unfinished;
    static Path negative;

    @Name("io.slabscope.HeapSummary")
    static class HeapSummary extends Event {
        long snapshotNanos;
        long heapBytes;
    }

    @BeforeAll
    static void record() throws Exception {
        dir = Files.createTempDirectory("slabscope-stall");
        Path file = dir.resolve("sound.jfr");
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable(HeapSummary.class);
            r.start();
            for (int i = 1; i <= 20; i++) {
                HeapSummary e = new HeapSummary();
                e.snapshotNanos = i * 1_000_000_000L;
                e.heapBytes = i << 20;
                e.commit();
            }
            r.stop();
            r.dump(file);
        }
        // a chunk header as the JVM writes it first: file state (byte 64) 1, "being written", and no metadata
        // yet (offset 0 at byte 24). JDK 17's parser reads that header again and again (ChunkHeader.refresh)
        // until the metadata comes, which it never does.
        byte[] b = Files.readAllBytes(file);
        b[64] = 1;
        java.nio.ByteBuffer.wrap(b).putLong(24, 0);
        unfinished = dir.resolve("unfinished.jfr");
        Files.write(unfinished, b);

        // the damage the random fuzz phase found (RecordingFuzzTest, jfr/negative-record-size.jfr.gz): a run
        // of 0xff at the start of an event makes its size -1, and the JDK's parser (ChunkParser.readEvent)
        // goes on at the byte before. Here that byte, the last of the event before, is made 1: a record of
        // size 1 and type -1 (the 0xff), which the parser skips... back to the damaged event, forever.
        b = Files.readAllBytes(file);
        List<Integer> events = eventRecords(b);
        int at = events.get(events.size() / 2);
        java.util.Arrays.fill(b, at, at + 12, (byte) 0xff);
        b[at - 1] = 1;
        negative = dir.resolve("negative.jfr");
        Files.write(negative, b);
    }

    /** Where the event records of a one-chunk recording start (type above 1: not metadata, not a constant pool). */
    static List<Integer> eventRecords(byte[] b) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(b);
        int at = JfrChunks.HEADER_SIZE;
        while (at < b.length) {
            buf.position(at);
            long size = varint(buf);
            if (varint(buf) > 1) {
                out.add(at);
            }
            at += (int) size;
        }
        return out;
    }

    /** JFR's compressed integer: 7 bits a byte, high bit set if more follow, the 9th byte whole. */
    static long varint(ByteBuffer b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            byte x = b.get();
            v |= (x & 0x7fL) << (7 * i);
            if (x >= 0) {
                return v;
            }
        }
        return v | (b.get() & 0xffL) << 56;
    }

    @AfterAll
    static void cleanup() throws Exception {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The message of a read: its warning, or its exception's. */
    static String message(Path file, Duration stall) {
        try {
            return RecordingReader.readUnchecked(file, stall).warning();
        } catch (RecordingReader.RecordingException e) {
            return e.getMessage();
        }
    }

    @Test
    void aParserThatWaitsForeverIsGivenUp() throws Exception {
        long t0 = System.nanoTime();
        String msg = message(unfinished, Duration.ofMillis(500));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNotNull(msg, "a damaged file is reported");
        assertTrue(msg.contains("unfinished.jfr") && msg.contains("made no progress for 0.5 s"), msg);
        assertTrue(ms < 5_000, "the read ends soon after the 0.5 s stall bound: " + ms + " ms");
        System.out.println("stalled read of unfinished.jfr ended after " + ms + " ms: " + msg);
        assertParserEnds("unfinished.jfr");
    }

    /** The abandoned parser is stopped (where the JDK still has Thread.stop: up to Java 19): no thread is left spinning. */
    static void assertParserEnds(String name) throws InterruptedException {
        if (Runtime.version().feature() >= 20) {
            return;
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (parserAlive(name) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(parserAlive(name), "the abandoned parser thread of " + name + " ended");
    }

    @Test
    void theCheckedReadRefusesItAtOnce() throws Exception {
        long t0 = System.nanoTime();
        try {
            RecordingReader.read(unfinished);
            throw new AssertionError("read a chunk that is still being written");
        } catch (RecordingReader.RecordingException e) {
            assertTrue(e.getMessage().contains("still being written"), e.getMessage());
        }
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "JfrChunks catches it without waiting");
    }

    @Test
    void aSoundFileIsNotCutShortByTheWatch() throws Exception {
        Recording r = RecordingReader.readUnchecked(dir.resolve("sound.jfr"), Duration.ofMillis(500));
        assertTrue(r.warning() == null, r.warning());
        assertTrue(r.snapshots().size() == 20, "20 snapshots: " + r.snapshots().size());
    }

    @Test
    void aNegativeRecordSizeIsGivenUpOnWithoutTheCheck() throws Exception {
        long t0 = System.nanoTime();
        String msg = message(negative, Duration.ofMillis(500));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("stalled read of negative.jfr ended after " + ms + " ms: " + msg);
        assertTrue(msg != null && msg.contains("negative.jfr") && msg.contains("made no progress"), msg);
        assertTrue(ms < 5_000, "the read ends soon after the 0.5 s stall bound: " + ms + " ms");
        // it spins without reading the file: closing the file does not end it, Thread.stop does
        assertParserEnds("negative.jfr");
    }

    @Test
    void aNegativeRecordSizeIsSkippedWithTheCheck() throws Exception {
        long t0 = System.nanoTime();
        Recording r = RecordingReader.read(negative, Duration.ofSeconds(30), RecordingReader.Progress.NONE);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("checked read of negative.jfr took " + ms + " ms: " + r.snapshots().size()
                + " snapshots, " + r.warning());
        assertTrue(r.warning() != null && r.warning().contains("negative.jfr is damaged at byte")
                && r.warning().contains("skipped"), r.warning());
        assertTrue(r.snapshots().size() >= 5 && r.snapshots().size() < 20,
                "the snapshots before the damage are kept: " + r.snapshots().size());
        assertTrue(ms < 5_000, "no wait for a stuck parser: " + ms + " ms");
    }

    static boolean parserAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("slabscope-jfr-parser " + name));
    }
}
