package io.slabscope.ui.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Event;
import jdk.jfr.Name;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch over the JDK's JFR parser in {@link RecordingReader}: a file on which that parser
 * waits forever (a chunk whose header says it is still being written and has no metadata yet), read as if
 * {@link JfrChunks} had missed the damage, must end within the stall bound with a message that
 * names the file, and must not leave the parser thread behind. In package io.slabscope.ui.data
 * (this fragment shares the host's class loader) to reach the package-private
 * {@link RecordingReader#readUnchecked}.
 */
public class RecordingReaderStallTest {
    static Path dir;
    static Path unfinished;

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
            for (int i = 1; i <= 3; i++) {
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
        // the parser is stopped (where the JDK still has Thread.stop: up to Java 19): no thread is left spinning
        if (Runtime.version().feature() >= 20) {
            return;
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (parserAlive("unfinished.jfr") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(parserAlive("unfinished.jfr"), "the abandoned parser thread ended");
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
        assertTrue(r.snapshots().size() == 3, "3 snapshots: " + r.snapshots().size());
    }

    static boolean parserAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("slabscope-jfr-parser " + name));
    }
}
