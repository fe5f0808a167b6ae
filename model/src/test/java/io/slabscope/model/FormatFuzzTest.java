package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.slabscope.testing.FuzzSeeds;
import io.slabscope.testing.Mutations;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutation fuzzing of the snapshot and layout parsers: starting from valid snapshots and layouts
 * (the samples and, with the shim built, a real process's), every truncation, every bit of the
 * headers and first records flipped, every count, size and offset overwritten with extreme values,
 * then random combinations for a few seconds. Each mutant must give a {@link Snapshot} / {@link Layout}
 * that the formatters can print, or a {@link SnapshotFormatException} with a message; nothing else,
 * and a parse allocates memory in proportion to its input, whatever the counts say.
 *
 * <p>{@code -Dslabscope.fuzz.millis=N} sets the random phase per seed and format (default 2000),
 * {@code -Dslabscope.fuzz.seed=S} its seed (printed).
 */
@Timeout(300)
class FormatFuzzTest {
    static final long RANDOM_MILLIS = Long.getLong("slabscope.fuzz.millis", 2000);
    static final long RANDOM_SEED = Long.getLong("slabscope.fuzz.seed", System.nanoTime());
    /**
     * A parse may allocate this much beyond a few times its input (the first pass through a message's
     * string concatenation links it, which allocates some hundred KiB once). A parse that believed a
     * count would allocate gigabytes.
     */
    static final long ALLOCATION_SLACK = 4L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static List<FuzzSeeds.Seed> seeds;

    @BeforeAll
    static void seeds() throws Exception {
        seeds = FuzzSeeds.all();
    }

    /** Outcomes of one run. */
    static final class Tally {
        long cases;
        long parsed;
        long refused;

        @Override
        public String toString() {
            return cases + " cases: " + parsed + " parsed, " + refused + " refused";
        }
    }

    @Test
    void snapshotParser() {
        for (FuzzSeeds.Seed seed : seeds) {
            Mutations m = seed.snapshotMutations();
            Tally t = new Tally();
            Consumer<Mutations.Mutant> check = mutant -> snapshot(mutant, t);
            long t0 = System.nanoTime();
            m.truncations(Math.max(7, m.length() / 2000), check);
            m.bitFlips(0, SnapshotParser.HEADER_SIZE + 64, check);
            int cachesOffset = (int) ByteBuffer.wrap(seed.snapshot()).order(ByteOrder.LITTLE_ENDIAN).getLong(72);
            m.bitFlips(cachesOffset, cachesOffset + SnapshotParser.CACHE_RECORD_SIZE, check);
            m.extremeFields(check);
            randomPhaseAndReport("snapshot", seed, m, check, t, t0);
        }
    }

    @Test
    void layoutParser() {
        for (FuzzSeeds.Seed seed : seeds) {
            if (seed.layout() == null) {
                continue;
            }
            Mutations m = seed.layoutMutations();
            Tally t = new Tally();
            Consumer<Mutations.Mutant> check = mutant -> layout(mutant, seed.pageSize(), t);
            long t0 = System.nanoTime();
            m.truncations(Math.max(1, m.length() / 4000), check);
            m.bitFlips(0, LayoutParser.HEADER_SIZE + 2 * LayoutParser.ZONE_RECORD_SIZE, check);
            m.extremeFields(check);
            randomPhaseAndReport("layout", seed, m, check, t, t0);
        }
    }

    /**
     * After a seed's deterministic cases (begun at {@code t0}): the random phase, one line of
     * figures, and the check that the mutants were both parsed and refused.
     */
    private static void randomPhaseAndReport(String what, FuzzSeeds.Seed seed, Mutations m,
            Consumer<Mutations.Mutant> check, Tally t, long t0) {
        long deterministic = t.cases;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long random = randomPhase(m, new Random(RANDOM_SEED), check, t);
        System.out.printf("%s fuzz, %s (%d bytes): %s (%d deterministic in %d ms, %d random in %d ms, seed %d)%n",
                what, seed.name(), m.length(), t, deterministic, ms, random, RANDOM_MILLIS, RANDOM_SEED);
        assertTrue(t.parsed > 0 && t.refused > 1000, t.toString());
    }

    /** Counts that promise 2^31 records (and more) are refused without allocating for them. */
    @Test
    void hugeCountsAllocateNothing() {
        for (FuzzSeeds.Seed seed : seeds) {
            for (int off : new int[] {64, 80}) {                        // nr_caches, nr_zones
                for (long n : new long[] {1L << 31, 0xffffffffL, 1L << 20}) {
                    byte[] b = seed.snapshot().clone();
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(off, (int) n);
                    Tally t = new Tally();
                    snapshot(new Mutations.Mutant(seed.name() + " count at " + off + " = " + n, b), t);
                    assertEquals(1, t.refused, "count " + n + " at " + off);
                }
            }
            if (seed.layout() == null) {
                continue;
            }
            byte[] l = seed.layout().clone();
            ByteBuffer lb = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN);
            long zonesOffset = lb.getLong(56);
            lb.putLong((int) zonesOffset + 16, 1L << 31);                // npages of zone 0
            Tally t = new Tally();
            layout(new Mutations.Mutant(seed.name() + " npages 2^31", l), seed.pageSize(), t);
            assertEquals(1, t.refused);
        }
    }

    private static long randomPhase(Mutations m, Random rnd, Consumer<Mutations.Mutant> check, Tally t) {
        long n = 0;
        long end = System.nanoTime() + RANDOM_MILLIS * 1_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++, n++) {
                check.accept(m.random(rnd));
            }
        }
        return n;
    }

    private static void snapshot(Mutations.Mutant m, Tally t) {
        parseAndUse(m, t, () -> SnapshotParser.parse(ByteBuffer.wrap(m.bytes())), FormatFuzzTest::use);
    }

    private static void layout(Mutations.Mutant m, int pageSize, Tally t) {
        parseAndUse(m, t, () -> LayoutParser.parse(ByteBuffer.wrap(m.bytes()), pageSize), l -> use(l, pageSize));
    }

    /** A parser of one of the formats: a value, or SnapshotFormatException. */
    private interface Parse<T> {
        T parse() throws SnapshotFormatException;
    }

    /**
     * One case: the parse may refuse with a message or give a value the model can use; anything else,
     * or allocation out of proportion to the input, fails the test.
     */
    private static <T> void parseAndUse(Mutations.Mutant m, Tally t, Parse<T> parser, Consumer<T> use) {
        t.cases++;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value;
        try {
            value = parser.parse();
        } catch (SnapshotFormatException e) {
            clean(m, e);
            t.refused++;
            return;
        } catch (Throwable e) {
            throw failure(m, e);
        } finally {
            bounded(m, before);
        }
        t.parsed++;
        try {
            use.accept(value);
        } catch (Throwable e) {
            throw failure(m, e);
        }
    }

    private static void clean(Mutations.Mutant m, SnapshotFormatException e) {
        if (e.getMessage() == null || e.getMessage().length() < 10) {
            fail(m.how() + ": refused without a message: " + e);
        }
    }

    private static void bounded(Mutations.Mutant m, long before) {
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        long limit = 8L * m.bytes().length + ALLOCATION_SLACK;
        if (used > limit) {
            fail(m.how() + ": parsing " + m.bytes().length + " bytes allocated " + used + " bytes");
        }
    }

    private static AssertionError failure(Mutations.Mutant m, Throwable e) {
        return new AssertionError(m.how() + ": " + e, e);
    }

    /** What the command line and the views do with a snapshot. */
    static void use(Snapshot s) {
        SlabinfoFormat.text(s);
        SlabinfoFormat.json(s);
        BuddyinfoFormat.textWithFragmentation(s);
        BuddyinfoFormat.json(s);
        s.activeObjects();
        s.totalObjects();
        s.slabCacheBytes();
        s.age(Instant.now());
        s.startTime();
        for (SlabCache c : s.caches()) {
            c.usagePercent();
            c.activeBytes();
            SlabDebug.letters(c.debugFlags());
            s.cacheById(c.id());
        }
        for (Zone z : s.zones()) {
            z.name();
            z.bytes();
            Fragmentation.of(z);
        }
        s.global().asMap();
    }

    /** What the layout views do with a layout. */
    static void use(Layout l, int pageSize) {
        l.countByKind();
        l.slabPagesByCache();
        l.largeMappedBytes();
        l.totalPages();
        l.time();
        for (LayoutZone z : l.zones()) {
            z.top(pageSize);
            for (int i = 0; i < z.npages(); i++) {
                z.page(i);
                z.address(i, pageSize);
            }
        }
    }
}
