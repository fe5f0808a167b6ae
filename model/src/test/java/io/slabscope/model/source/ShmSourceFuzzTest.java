package io.slabscope.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.slabscope.model.SnapshotFormatException;
import io.slabscope.testing.FuzzSeeds;
import io.slabscope.testing.Mutations;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /dev/shm reader on damaged segments and layout files (mutants of valid ones, written where
 * a process's segment would be): half-written, of another version, truncated, garbage, huge. Every
 * read gives a snapshot or layout, or a {@link SnapshotFormatException} / {@link SourceException}
 * with a message, within the retry budget, and never copies more than a segment can hold.
 */
@Timeout(300)
class ShmSourceFuzzTest {
    private static final int SELF = (int) ProcessHandle.current().pid();
    private static final Duration BUDGET = Duration.ofMillis(5);
    private static final long RANDOM_MILLIS = Long.getLong("slabscope.fuzz.millis", 2000) / 2;
    private static final long RANDOM_SEED = Long.getLong("slabscope.fuzz.seed", System.nanoTime());
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static List<FuzzSeeds.Seed> seeds;

    @TempDir
    Path dir;

    @BeforeAll
    static void seeds() throws Exception {
        seeds = FuzzSeeds.all();
    }

    private Path segment() {
        return new ShmDirectory(dir).segmentPath(SELF);
    }

    private Path layoutFile() {
        return new ShmDirectory(dir).layoutPath(SELF);
    }

    private ShmSource source() throws IOException {
        return ShmSource.open(SELF, new ShmDirectory(dir), Processes.currentUid(), BUDGET);
    }

    /** start_time_ns of a seed made now, so that the reader does not take the segment for a dead process's. */
    private static byte[] current(byte[] snapshot) {
        byte[] b = snapshot.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(24, SELF);
        bb.putLong(32, System.currentTimeMillis() * 1_000_000L);
        return b;
    }

    @Test
    void damagedSegments() throws Exception {
        for (FuzzSeeds.Seed seed : seeds) {
            Mutations m = new Mutations(seed.name() + " segment", current(seed.snapshot()),
                    FuzzSeeds.snapshotFields(seed.snapshot()));
            int[] outcomes = new int[3];
            Consumer<Mutations.Mutant> check = mutant -> read(mutant, outcomes);
            m.truncations(Math.max(1, m.length() / 150), check);
            m.extremeFields(check);
            Random rnd = new Random(RANDOM_SEED);
            long end = System.nanoTime() + RANDOM_MILLIS * 1_000_000L;
            int random = 0;
            while (System.nanoTime() < end) {
                check.accept(m.random(rnd));
                random++;
            }
            System.out.printf("segment fuzz, %s: %d read, %d refused as malformed, %d refused as unreadable "
                    + "(%d random, seed %d)%n", seed.name(), outcomes[0], outcomes[1], outcomes[2], random, RANDOM_SEED);
            assertTrue(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0, Arrays.toString(outcomes));
        }
    }

    private void read(Mutations.Mutant m, int[] outcomes) {
        try {
            Files.write(segment(), m.bytes());
            long before = THREADS.getCurrentThreadAllocatedBytes();
            count(m, outcomes, () -> io.slabscope.model.SlabinfoFormat.text(source().snapshot()));
            long used = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(used < 8L * m.bytes().length + (4 << 20), m.how() + ": allocated " + used);
        } catch (IOException | RuntimeException e) {
            fail(m.how() + ": " + e, e);
        }
    }

    @Test
    void damagedLayoutFiles() throws Exception {
        for (FuzzSeeds.Seed seed : seeds) {
            if (seed.layout() == null) {
                continue;
            }
            Mutations m = seed.layoutMutations();
            byte[] segment = current(seed.snapshot());
            int[] outcomes = new int[3];
            Consumer<Mutations.Mutant> check = mutant -> readLayout(segment, mutant, outcomes);
            m.truncations(Math.max(1, m.length() / 150), check);
            m.extremeFields(check);
            Random rnd = new Random(RANDOM_SEED);
            long end = System.nanoTime() + RANDOM_MILLIS * 1_000_000L;
            while (System.nanoTime() < end) {
                check.accept(m.random(rnd));
            }
            // the segment's page size is what the layout is read with
            for (int pageSize : new int[] {0, 1, 3000, -1, 1 << 31}) {
                byte[] bad = segment.clone();
                ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(28, pageSize);
                readLayout(bad, new Mutations.Mutant(seed.name() + " page_size " + pageSize, seed.layout()),
                        outcomes);
            }
            System.out.printf("layout file fuzz, %s: %d read, %d refused as malformed, %d refused as unreadable%n",
                    seed.name(), outcomes[0], outcomes[1], outcomes[2]);
            assertTrue(outcomes[0] > 0 && outcomes[1] > 0, Arrays.toString(outcomes));
        }
    }

    private void readLayout(byte[] segment, Mutations.Mutant m, int[] outcomes) {
        try {
            Files.write(segment(), segment);
            Files.write(layoutFile(), m.bytes());
            count(m, outcomes, () -> source().layout(Duration.ZERO).countByKind());
        } catch (IOException | RuntimeException e) {
            fail(m.how() + ": " + e, e);
        }
    }

    /** A read of the source and a use of what it gave. */
    private interface SourceRead {
        void run() throws IOException;
    }

    /** outcomes[0]: read, [1]: refused as malformed, [2]: refused as unreadable, each with a message. */
    private static void count(Mutations.Mutant m, int[] outcomes, SourceRead read) throws IOException {
        try {
            read.run();
            outcomes[0]++;
        } catch (SnapshotFormatException e) {
            outcomes[1]++;
            assertTrue(e.getMessage().length() > 10, m.how() + ": " + e);
        } catch (SourceException e) {
            outcomes[2]++;
            assertTrue(e.getMessage().length() > 10, m.how() + ": " + e);
        }
    }

    /** A writer that stopped mid-update, an empty file, a header of zeros: "unreadable", within the budget. */
    @Test
    void halfWrittenSegments() throws Exception {
        byte[] ok = current(seeds.get(0).snapshot());
        byte[] odd = ok.clone();
        ByteBuffer.wrap(odd).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 3);
        for (byte[] b : List.of(odd, new byte[0], new byte[12], new byte[ok.length])) {
            Files.write(segment(), b);
            long t0 = System.nanoTime();
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> source().snapshot());
            assertInstanceOf(UnreadableSegmentException.class, e, e.toString());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000, "gave up within the budget");
            e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> source().layout(Duration.ZERO));
            assertInstanceOf(SourceException.class, e, e.toString());
        }
        // the real budget: two seconds of an odd seqlock, then a clear message
        Files.write(segment(), odd);
        UnreadableSegmentException e = org.junit.jupiter.api.Assertions.assertThrows(UnreadableSegmentException.class,
                () -> ShmSource.open(SELF, new ShmDirectory(dir), Processes.currentUid()).snapshot());
        assertTrue(e.getMessage().contains("seqlock odd"), e.getMessage());
    }

    /** A segment or layout file of gigabytes (sparse) is refused before anything is copied. */
    @Test
    void hugeFilesAreNotCopied() throws Exception {
        byte[] ok = current(seeds.get(0).snapshot());
        for (long size : new long[] {ShmSource.MAX_SNAPSHOT_BYTES + 1, 3L << 30, 1L << 40}) {
            Files.write(segment(), ok);
            try (RandomAccessFile f = new RandomAccessFile(segment().toFile(), "rw")) {
                f.setLength(size);
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            SnapshotFormatException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotFormatException.class,
                    () -> source().snapshot());
            assertTrue(e.getMessage().contains("too large"), e.getMessage());
            assertTrue(THREADS.getCurrentThreadAllocatedBytes() - before < 1 << 20);
        }
        Files.write(segment(), ok);
        Files.write(layoutFile(), seeds.get(0).layout());
        try (RandomAccessFile f = new RandomAccessFile(layoutFile().toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        SnapshotFormatException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotFormatException.class,
                () -> source().layout(Duration.ZERO));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        Files.delete(layoutFile());
        assertEquals(ok.length, Files.size(segment()));
    }
}
