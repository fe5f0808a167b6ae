package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.slabscope.model.BuddyinfoFormat;
import io.slabscope.model.SlabinfoFormat;
import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Recording;
import io.slabscope.ui.data.RecordingReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.Name;
import jdk.jfr.Timespan;
import jdk.jfr.ValueDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of {@link RecordingReader}, which the Recording editor uses on any .jfr a user
 * opens: recordings of the agent (a real one made by {@link AgentJvm}, and the one
 * {@link RecordingTest} writes) truncated, bit-flipped, their chunk header
 * fields and random places overwritten with extreme values; and recordings whose Slabscope events
 * carry extreme values in every field the reader uses. Each read is bounded by a timeout, and
 * must give a {@link Recording} the views can use (a warning if damaged) or a
 * {@link RecordingReader.RecordingException} whose message names the file, as the editor shows it.
 *
 * <p>{@code -Dslabscope.fuzz.millis=N} turns on a random phase of N ms per seed (default 0: off in
 * the build, which must be reproducible), {@code -Dslabscope.fuzz.seed=S} its seed (printed). It is
 * safe: should the JDK's parser get stuck on damage JfrChunks misses, RecordingReader gives it up
 * after 5 s and the case counts as read with a warning or refused; the case is saved under
 * target/fuzz-hangs (hang-N.jfr, and hang-N.txt with what was done to the seed and stack samples
 * of the stuck parser), with the seed recordings of the run, which are made fresh each time.
 * A random run (seed 23426872688268) found the JDK's parser looping on an event whose size a run of
 * 0xff made -1: JfrChunks now walks the record sizes, and {@link #foundHangs} reads that recording
 * in every build. The earlier hang of seed 18019131201640 (its recording is lost) wrote runs of 0xff
 * too, a varint and a long of -1: likely the same damage, not proven.
 */
public class RecordingFuzzTest {
    static final long RANDOM_MILLIS = Long.getLong("slabscope.fuzz.millis", 0);
    static final long RANDOM_SEED = Long.getLong("slabscope.fuzz.seed", System.nanoTime());
    /** A read of a few hundred KB takes well under a second; a damaged one must not take much longer. */
    static final long TIMEOUT_SECONDS = 30;

    static Path dir;
    static final Map<String, byte[]> seeds = new LinkedHashMap<>();
    static ExecutorService reader;

    @BeforeAll
    static void seeds() throws Exception {
        dir = Files.createTempDirectory("slabscope-fuzz");
        reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "recording-fuzz-reader");
            t.setDaemon(true);
            return t;
        });
        RecordingTest.record();
        try {
            seeds.put("RecordingTest's recording", Files.readAllBytes(RecordingTest.file));
        } finally {
            RecordingTest.cleanup();
        }
        // a real recording: the workload JVM under the shim with the agent for a second and a half
        Path real = dir.resolve("agent.jfr");
        try (AgentJvm jvm = AgentJvm.start("period=200ms,sampling=64k", 500_000,
                "-XX:StartFlightRecording:settings=" + AgentJvm.jfc() + ",filename=" + real)) {
            Thread.sleep(1500);
            assertEquals(0, jvm.exit(), jvm.stderr());
        }
        seeds.put("agent recording", Files.readAllBytes(real));
        if (RANDOM_MILLIS > 0) {
            // the seed recordings are made fresh each run: kept, a printed seed reproduces a random run
            Files.createDirectories(HANGS);
            Files.copy(real, HANGS.resolve("seed-agent.jfr"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.write(HANGS.resolve("seed-recordingtest.jfr"), seeds.get("RecordingTest's recording"));
        }
    }

    @AfterAll
    static void cleanup() throws Exception {
        reader.shutdownNow();
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Outcomes of one seed's cases. */
    static final class Tally {
        int cases;
        int clean;
        int warned;
        int refused;
        /** Cases on which the JDK's parser got stuck and RecordingReader gave it up (a warning or a refusal). */
        int stalled;

        @Override
        public String toString() {
            return cases + " cases: " + clean + " read, " + warned + " read with a warning, " + refused + " refused"
                    + (stalled == 0 ? "" : " (" + stalled + " of them after the JDK's parser got stuck, saved under "
                            + HANGS + ")");
        }
    }

    @Test
    void damagedFiles() throws Exception {
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            byte[] b = seed.getValue();
            Tally t = new Tally();
            long t0 = System.nanoTime();
            check(seed.getKey() + " as it is", b, t);
            assertEquals(1, t.clean, "the seed itself reads without a warning");
            // truncated: every length in the header, then 150 lengths spread over the file, and the end
            for (int len = 0; len < 80; len += 3) {
                check(seed.getKey() + " cut to " + len, Arrays.copyOf(b, len), t);
            }
            for (int i = 1; i <= 150; i++) {
                int len = (int) ((long) b.length * i / 151);
                check(seed.getKey() + " cut to " + len, Arrays.copyOf(b, len), t);
            }
            check(seed.getKey() + " cut by one", Arrays.copyOf(b, b.length - 1), t);
            // every bit of the chunk header's magic, version, sizes and offsets, and features
            for (int i : bytes(0, 32, 64, 68)) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] m = b.clone();
                    m[i] ^= (byte) (1 << bit);
                    check(seed.getKey() + " bit " + bit + " of byte " + i, m, t);
                }
            }
            // the header's longs (chunk size, constant pool and metadata offsets, times) at extreme values
            for (int off = 8; off < 64; off += 8) {
                for (long v : extremes(b.length)) {
                    byte[] m = b.clone();
                    ByteBuffer.wrap(m).putLong(off, v);
                    check(seed.getKey() + " header long at " + off + " = " + v, m, t);
                }
            }
            int deterministic = t.cases;
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Random fixed = new Random(42);
            for (int i = 0; i < 300; i++) {
                mutant(seed.getKey() + " (seed 42)", b, fixed, t);
            }
            Random rnd = new Random(RANDOM_SEED);
            long end = System.nanoTime() + RANDOM_MILLIS * 1_000_000L;
            int random = 0;
            while (System.nanoTime() < end) {
                mutant(seed.getKey() + " (seed " + RANDOM_SEED + ")", b, rnd, t);
                random++;
            }
            System.out.printf("recording fuzz, %s (%d bytes): %s (%d deterministic in %d ms, 300 with seed 42, "
                    + "%d random in %d ms with seed %d)%n", seed.getKey(), b.length, t, deterministic, ms, random,
                    RANDOM_MILLIS, RANDOM_SEED);
            assertTrue(t.refused > 0 && t.warned > 0, t.toString());
        }
    }

    /**
     * Damaged recordings the random phase found the JDK's parser stuck on, kept (gzipped) in jfr/ next
     * to this class: each must now be read at once (no stall), with a warning that names the file.
     * negative-record-size: an agent recording, "12 bytes at 237128 = -1" (an event's size made -1,
     * the parser went back and forth between the records before it, in ChunkParser.readEvent).
     */
    @Test
    void foundHangs() throws Exception {
        for (String found : List.of("negative-record-size")) {
            byte[] b;
            try (var in = new java.util.zip.GZIPInputStream(
                    RecordingFuzzTest.class.getResourceAsStream("jfr/" + found + ".jfr.gz"))) {
                b = in.readAllBytes();
            }
            Tally t = new Tally();
            long t0 = System.nanoTime();
            check(found, b, t);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("recording fuzz, found hang " + found + ": " + t + " in " + ms + " ms");
            assertEquals(0, t.stalled, found + " is caught before the JDK's parser gets stuck on it");
            assertEquals(1, t.warned, found + " is read with a warning: " + t);
        }
    }

    private static int[] bytes(int from1, int to1, int from2, int to2) {
        int[] r = new int[to1 - from1 + to2 - from2];
        int n = 0;
        for (int i = from1; i < to1; i++) {
            r[n++] = i;
        }
        for (int i = from2; i < to2; i++) {
            r[n++] = i;
        }
        return r;
    }

    private static long[] extremes(long length) {
        return new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, length - 1, length + 1,
            length / 2, 2 * length};
    }

    /**
     * One to three random mutations: a bit flipped, a run of bytes set to 0xff or 0, a varint
     * (JFR's compressed integers: sizes, counts, ids) made huge, a big-endian long overwritten, the
     * file cut.
     */
    private static void mutant(String seed, byte[] b, Random rnd, Tally t) throws Exception {
        byte[] m = b.clone();
        StringBuilder how = new StringBuilder(seed);
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int p = rnd.nextInt(m.length - 16);
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    m[p] ^= (byte) (1 << rnd.nextInt(8));
                    how.append(", bit flipped at ").append(p);
                }
                case 1 -> {
                    int len = 1 + rnd.nextInt(12);
                    Arrays.fill(m, p, p + len, (byte) (rnd.nextBoolean() ? 0xff : 0));
                    how.append(", ").append(len).append(" bytes at ").append(p).append(" = ").append(m[p]);
                }
                case 2 -> {
                    byte[][] varints = {{-1, -1, -1, -1, 0x07}, {-1, -1, -1, -1, -1, -1, -1, -1, 0x7f},
                        {-128, -128, -128, -128, 0x08}, {0}, {-1, -1, -1, -1, -1, -1, -1, -1, -1}};
                    byte[] v = varints[rnd.nextInt(varints.length)];
                    System.arraycopy(v, 0, m, p, v.length);
                    how.append(", varint of ").append(v.length).append(" bytes at ").append(p);
                }
                case 3 -> {
                    long v = extremes(m.length)[rnd.nextInt(11)];
                    ByteBuffer.wrap(m).putLong(p, v);
                    how.append(", long at ").append(p).append(" = ").append(v);
                }
                default -> {
                    int len = 68 + rnd.nextInt(m.length - 68);
                    m = Arrays.copyOf(m, len);
                    how.append(", cut to ").append(len);
                    k = 0;
                }
            }
        }
        check(how.toString(), m, t);
    }

    /** Reads the bytes as a file, within the timeout; a recording the views can use, or a message naming the file. */
    static void check(String how, byte[] bytes, Tally t) throws Exception {
        Path file = dir.resolve("damaged.jfr");
        Files.write(file, bytes);
        t.cases++;
        Future<Object> f = reader.submit(() -> {
            try {
                Recording r = RecordingReader.read(file);
                use(r);
                return r;
            } catch (Throwable e) {
                return e;
            }
        });
        Object r;
        try {
            r = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            reader = Executors.newSingleThreadExecutor();
            saveHang(how + ": reading did not end within " + TIMEOUT_SECONDS + " s", bytes);
            fail(how + ": reading did not end within " + TIMEOUT_SECONDS + " s (saved under " + HANGS + ")");
            return;
        }
        String message = r instanceof Recording rec ? rec.warning() : r instanceof Throwable e ? e.getMessage() : null;
        if (message != null && message.contains(STALLED)) {
            t.stalled++;
            saveHang(how + ": " + message, bytes);
        }
        if (r instanceof Recording rec) {
            if (rec.warning() == null) {
                t.clean++;
            } else {
                t.warned++;
                assertTrue(rec.warning().contains("damaged.jfr"), how + ": warning " + rec.warning());
            }
        } else if (r instanceof RecordingReader.RecordingException e) {
            t.refused++;
            assertTrue(e.getMessage() != null && e.getMessage().contains("damaged.jfr"), how + ": " + e.getMessage());
        } else {
            Throwable e = (Throwable) r;
            throw new AssertionError(how + ": " + e, e);
        }
    }

    /** What RecordingReader says when it gave up on the JDK's parser. */
    static final String STALLED = "made no progress";
    /** Where cases that made the JDK's parser hang are saved (the build's target directory). */
    static final Path HANGS = Path.of(System.getProperty("slabscope.fuzzOut", "target/fuzz-hangs"));
    static int hangs;

    /**
     * Saves a case on which the JDK's parser got stuck: its bytes (hang-N.jfr) and what was done to
     * the seed, with where the parser is stuck (hang-N.txt: three stack samples of a parser run
     * on it directly, half a second apart; the same frames each time mean a loop, a sleep means a wait).
     */
    static void saveHang(String how, byte[] bytes) {
        try {
            Files.createDirectories(HANGS);
            int n = ++hangs;
            Path jfr = HANGS.resolve("hang-" + n + ".jfr");
            Files.write(jfr, bytes);
            StringBuilder txt = new StringBuilder(how).append('\n');
            jdk.jfr.consumer.RecordingFile[] open = new jdk.jfr.consumer.RecordingFile[1];
            Thread parser = new Thread(() -> {
                try (var rf = new jdk.jfr.consumer.RecordingFile(jfr)) {
                    open[0] = rf;
                    while (rf.hasMoreEvents()) {
                        rf.readEvent();
                    }
                } catch (Throwable e) {
                    // it ends when closed below, or on its own
                }
            }, "fuzz-hang-parser");
            parser.setDaemon(true);
            parser.start();
            for (int i = 0; i < 3 && parser.isAlive(); i++) {
                Thread.sleep(500);
                txt.append("\nstack of the JDK's parser after ").append((i + 1) * 500).append(" ms:\n");
                for (StackTraceElement e : parser.getStackTrace()) {
                    txt.append("  at ").append(e).append('\n');
                }
            }
            if (open[0] != null) {
                open[0].close();
            }
            parser.interrupt();
            Files.writeString(HANGS.resolve("hang-" + n + ".txt"), txt);
            System.out.println("recording fuzz: the JDK's parser got stuck, saved as " + jfr + ": " + how);
        } catch (Exception e) {
            System.out.println("recording fuzz: cannot save a hanging case: " + e);
        }
    }

    /** What the Recording editor and the views do with a recording. */
    static void use(Recording r) {
        r.sites(Long.MAX_VALUE);
        r.sites(r.endNanos());
        r.indexAt(r.startNanos());
        for (Snapshot s : r.snapshots()) {
            s.buddyInfo();
            SlabinfoFormat.text(s);
            BuddyinfoFormat.textWithFragmentation(s);
            s.activeObjects();
            s.slabCacheBytes();
        }
    }

    // ---- the Slabscope events with extreme values ------------------------------------------

    /** The events and fields RecordingReader reads, with the agent's types. */
    static final Map<String, List<ValueDescriptor>> EVENTS = new LinkedHashMap<>();

    static {
        List<ValueDescriptor> summary = new ArrayList<>();
        summary.add(new ValueDescriptor(long.class, "snapshotNanos"));
        for (String f : List.of("mallocCalls", "bytesRequested", "bytesAllocated", "heapBytes", "brkBase", "brkTop",
                "heapFreeBytes", "mmapBytes", "liveAllocations", "corruptions", "threads")) {
            summary.add(new ValueDescriptor(long.class, f));
        }
        summary.add(new ValueDescriptor(long.class, "decay",
                List.of(new AnnotationElement(Timespan.class, Timespan.MILLISECONDS))));
        EVENTS.put(RecordingReader.HEAP_SUMMARY, summary);
        EVENTS.put(RecordingReader.SLAB_CACHE, fields("snapshotNanos:long", "name:String", "objectSize:int",
                "objSize:int", "align:int", "objPerSlab:int", "pagesPerSlab:int", "kmalloc:boolean",
                "activeObjs:long", "numObjs:long", "activeSlabs:long", "numSlabs:long", "cacheId:int",
                "cacheSize:long"));
        EVENTS.put(RecordingReader.BUDDY_ZONE, fields("snapshotNanos:long", "zoneId:int", "kind:String", "base:long",
                "top:long", "free:long", "dirty:long"));
        EVENTS.put(RecordingReader.BUDDY_FREE_LIST, fields("snapshotNanos:long", "zoneId:int", "order:int",
                "blockSize:long", "freeBlocks:long"));
        EVENTS.put(RecordingReader.ALLOCATION_SAMPLE, fields("address:long", "size:long", "weight:long",
                "tier:String", "cache:String", "nativeStack:String", "nativeThreadId:int", "nativeTimeNanos:long"));
        EVENTS.put(RecordingReader.FREE_SAMPLE, fields("address:long", "nativeTimeNanos:long"));
    }

    private static List<ValueDescriptor> fields(String... specs) {
        List<ValueDescriptor> out = new ArrayList<>();
        for (String s : specs) {
            String[] nt = s.split(":");
            Class<?> type = switch (nt[1]) {
                case "long" -> long.class;
                case "int" -> int.class;
                case "boolean" -> boolean.class;
                default -> String.class;
            };
            out.add(new ValueDescriptor(type, nt[0]));
        }
        return out;
    }

    /** Values that break naive readers, per type. */
    static List<Object> extremeValues(Class<?> type) {
        if (type == long.class) {
            return List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 31, 1L << 32, 1L << 40, 3000L);
        }
        if (type == int.class) {
            return List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 24, 16, 63, 64);
        }
        if (type == boolean.class) {
            return List.of(true, false);
        }
        return Arrays.asList("", null, "\n\n\n", "x".repeat(100_000), "kmalloc-64\0hidden");
    }

    /**
     * For every field of every event the reader uses, a recording of a valid snapshot followed by
     * one snapshot per extreme value of that field (and a sample and a free).
     */
    @Test
    void extremeValuesInEveryField() throws Exception {
        Map<String, EventFactory> factories = new LinkedHashMap<>();
        for (var e : EVENTS.entrySet()) {
            factories.put(e.getKey(), EventFactory.create(List.of(new AnnotationElement(Name.class, e.getKey())),
                    e.getValue()));
        }
        Tally t = new Tally();
        for (var e : EVENTS.entrySet()) {
            for (int field = 0; field < e.getValue().size(); field++) {
                Path file = dir.resolve("extreme.jfr");
                List<Object> values = extremeValues(e.getValue().get(field).getTypeName().equals("long") ? long.class
                        : e.getValue().get(field).getTypeName().equals("int") ? int.class
                        : e.getValue().get(field).getTypeName().equals("boolean") ? boolean.class : String.class);
                try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
                    factories.keySet().forEach(r::enable);
                    r.start();
                    snapshot(factories, 1_000, null, -1, null);
                    long time = 2_000;
                    for (Object v : values) {
                        snapshot(factories, time++, e.getKey(), field, v);
                    }
                    r.stop();
                    r.dump(file);
                }
                check(e.getKey() + "." + e.getValue().get(field).getName() + " at " + values, Files.readAllBytes(file),
                        t);
            }
        }
        System.out.println("recording fuzz, extreme values: " + t);
        assertTrue(t.warned > 0, "order, free block counts and block sizes out of range are reported: " + t);
    }

    /** One snapshot's events (and a sample and its free), valid, but for {@code field} of the first {@code event}. */
    private static void snapshot(Map<String, EventFactory> factories, long time, String event, int field, Object value) {
        for (var f : factories.entrySet()) {
            List<ValueDescriptor> fields = EVENTS.get(f.getKey());
            int n = f.getKey().equals(RecordingReader.BUDDY_FREE_LIST) ? 14 : 1;
            for (int k = 0; k < n; k++) {
                Event e = f.getValue().newEvent();
                for (int i = 0; i < fields.size(); i++) {
                    e.set(i, valid(fields.get(i).getName(), fields.get(i).getTypeName(), time, k));
                }
                if (f.getKey().equals(event) && k == 0) {
                    e.set(field, value);
                }
                e.commit();
            }
        }
    }

    private static Object valid(String name, String type, long time, int k) {
        return switch (name) {
            case "snapshotNanos", "nativeTimeNanos" -> time;
            case "order" -> k;
            case "blockSize" -> 4096L << k;
            case "zoneId" -> 1;
            case "kind" -> "brk";
            case "name", "cache" -> "kmalloc-64";
            case "tier" -> "slab";
            case "nativeStack" -> "malloc+0x10 (libslabscope.so)\nmain+0x20 (/usr/bin/app)";
            default -> switch (type) {
                case "long" -> 4096L;
                case "int" -> 64;
                case "boolean" -> true;
                default -> "x";
            };
        };
    }
}
