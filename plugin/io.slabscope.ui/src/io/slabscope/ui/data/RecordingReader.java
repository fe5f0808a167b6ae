package io.slabscope.ui.data;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotParser;
import io.slabscope.model.Zone;
import io.slabscope.model.ZoneKind;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a .jfr file of the Slabscope agent with the JDK's parser ({@code jdk.jfr.consumer}). The
 * periodic events written from one allocator snapshot share {@code snapshotNanos}; they are put
 * together again into {@link Snapshot}s. Any problem (missing, foreign, truncated file) becomes a
 * {@link RecordingException} with a message for the user; a file that breaks off after some events
 * keeps what was read and says so in {@link Recording#warning()}. Events whose values cannot be
 * (a buddy order outside 0..15, a negative free block count, a block size that is no page size) are
 * skipped and counted in the warning: a damaged file never makes the views fail or allocate for a
 * count it made up.
 */
public final class RecordingReader {
    public static final String PREFIX = "io.slabscope.";
    public static final String HEAP_SUMMARY = PREFIX + "HeapSummary";
    public static final String SLAB_CACHE = PREFIX + "SlabCache";
    public static final String BUDDY_ZONE = PREFIX + "BuddyZone";
    public static final String BUDDY_FREE_LIST = PREFIX + "BuddyFreeList";
    public static final String ALLOCATION_SAMPLE = PREFIX + "NativeAllocationSample";
    public static final String FREE_SAMPLE = PREFIX + "NativeFreeSample";

    /** Magic bytes of a Flight Recorder chunk. */
    private static final byte[] MAGIC = {'F', 'L', 'R', 0};
    /** Buddy orders a free list event can have (nr_free[] slots of the snapshot format). */
    static final int MAX_ORDERS = SnapshotParser.ORDER_SLOTS;
    /** More free blocks of one order than this is garbage (as the snapshot parser says). */
    static final long MAX_FREE_BLOCKS = 1L << 40;

    /** A recording that cannot be shown, with a message for the user. */
    public static final class RecordingException extends IOException {
        private static final long serialVersionUID = 1L;

        public RecordingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private RecordingReader() {
    }

    /** One snapshot being put together from the events that share its snapshotNanos. */
    private static final class Builder {
        long[] global;
        final List<SlabCache> caches = new ArrayList<>();
        final Map<Integer, Object[]> zones = new TreeMap<>(); // id -> {kind, base, top, free, dirty}
        final Map<Integer, TreeMap<Integer, Long>> freeLists = new TreeMap<>();
        /** From the order-0 free list events: always a plausible page size. */
        int pageSize = 4096;
    }

    public static Recording read(Path file) throws RecordingException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        long size;
        try {
            size = Files.size(file);
            byte[] head = new byte[4];
            try (var in = Files.newInputStream(file)) {
                int n = in.readNBytes(head, 0, 4);
                if (n < 4 || !java.util.Arrays.equals(head, MAGIC)) {
                    throw new RecordingException(name + " is not a Flight Recorder file (it does not start with "
                            + "\"FLR\\0\"): open a .jfr recording of a JVM running the Slabscope agent", null);
                }
            }
        } catch (NoSuchFileException e) {
            throw new RecordingException(name + " does not exist", e);
        } catch (RecordingException e) {
            throw e;
        } catch (IOException e) {
            throw new RecordingException("Cannot read " + name + ": " + e.getMessage(), e);
        }

        // the JDK's parser waits or spins forever on some damaged chunks: read the sound ones only
        JfrChunks.Result chunks;
        try {
            chunks = JfrChunks.check(file);
        } catch (IOException e) {
            throw new RecordingException("Cannot read " + name + ": " + e.getMessage(), e);
        }
        if (chunks.soundBytes() == 0) {
            throw new RecordingException(chunks.truncated() ? truncated(name, size, 0)
                    : name + " is damaged (" + chunks.problem() + "): no event could be read", null);
        }
        if (chunks.soundBytes() < size) {
            Path sound = null;
            try {
                sound = Files.createTempFile("slabscope-sound-chunks", ".jfr");
                try (var in = java.nio.channels.FileChannel.open(file);
                        var out = java.nio.channels.FileChannel.open(sound, java.nio.file.StandardOpenOption.WRITE)) {
                    in.transferTo(0, chunks.soundBytes(), out);
                }
                Recording r = read(sound, name, chunks.soundBytes(), false);
                String w = name + " is damaged after byte " + chunks.soundBytes() + " (" + chunks.problem()
                        + "): showing what comes before" + (r.warning() == null ? "" : "; " + r.warning());
                return new Recording(name, r.snapshots(), r.samples(), r.frees(), r.events(), w);
            } catch (RecordingException e) {
                throw e;
            } catch (IOException e) {
                throw new RecordingException("Cannot read " + name + ": " + e.getMessage(), e);
            } finally {
                if (sound != null) {
                    try {
                        Files.deleteIfExists(sound);
                    } catch (IOException e) {
                        // a temporary file left behind
                    }
                }
            }
        }
        return read(file, name, size, chunks.truncated());
    }

    /** Reads the events of a file whose chunks are sound (the last may be cut short: {@code truncated}). */
    private static Recording read(Path file, String name, long size, boolean truncated) throws RecordingException {
        Map<Long, Builder> byTime = new TreeMap<>();
        List<Recording.Sample> samples = new ArrayList<>();
        List<Recording.Free> frees = new ArrayList<>();
        long events = 0;
        long all = 0;
        long damaged = 0;
        String warning = null;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                all++;
                String type = e.getEventType().getName();
                if (!type.startsWith(PREFIX)) {
                    continue;
                }
                events++;
                switch (type) {
                    case HEAP_SUMMARY -> heapSummary(builder(byTime, e), e);
                    case SLAB_CACHE -> builder(byTime, e).caches.add(slabCache(e));
                    case BUDDY_ZONE -> {
                        Builder b = builder(byTime, e);
                        b.zones.put(e.getInt("zoneId"), new Object[] {e.getString("kind"), e.getLong("base"),
                            e.getLong("top"), e.getLong("free"), e.getLong("dirty")});
                    }
                    case BUDDY_FREE_LIST -> {
                        int order = e.getInt("order");
                        long blocks = e.getLong("freeBlocks");
                        long blockSize = e.getLong("blockSize");
                        if (order < 0 || order >= MAX_ORDERS || blocks < 0 || blocks > MAX_FREE_BLOCKS
                                || order == 0 && !SnapshotParser.plausiblePageSize(blockSize)) {
                            damaged++;
                            continue;
                        }
                        Builder b = builder(byTime, e);
                        if (order == 0) {
                            b.pageSize = (int) blockSize;
                        }
                        b.freeLists.computeIfAbsent(e.getInt("zoneId"), k -> new TreeMap<>()).put(order, blocks);
                    }
                    case ALLOCATION_SAMPLE -> samples.add(new Recording.Sample(time(e), e.getLong("address"),
                            e.getLong("size"), e.getLong("weight"), str(e, "tier"), str(e, "cache"),
                            str(e, "nativeStack"), e.getInt("nativeThreadId")));
                    case FREE_SAMPLE -> frees.add(new Recording.Free(time(e), e.getLong("address")));
                    default -> {
                        // tier events (mmap, brk, failures) are not shown yet
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            warning = e instanceof EOFException || truncated ? truncated(name, size, all)
                    : "Cannot read " + name + ": " + m;
        } catch (OutOfMemoryError | StackOverflowError e) {
            // the JDK's parser believed a size or a nesting the damage made up
            warning = truncated ? truncated(name, size, all)
                    : name + " is damaged (" + all + " events could be read; reading on "
                            + (e instanceof OutOfMemoryError ? "asked for more memory than there is" : "nested too deep")
                            + ")";
        }

        if (warning == null && truncated) {
            warning = truncated(name, size, all);
        }
        if (damaged > 0) {
            String skipped = damaged + " Slabscope event" + (damaged == 1 ? "" : "s") + " with impossible values "
                    + "skipped";
            warning = warning == null ? name + " is damaged: " + skipped : warning + "; " + skipped;
        }
        List<Snapshot> snapshots = new ArrayList<>();
        byTime.forEach((t, b) -> {
            if (b.global != null) {
                snapshots.add(snapshot(t, b));
            }
        });
        samples.sort((a, b) -> Long.compare(a.timeNs(), b.timeNs()));
        frees.sort((a, b) -> Long.compare(a.timeNs(), b.timeNs()));
        if (snapshots.isEmpty()) {
            if (warning != null) {
                throw new RecordingException(warning, null);
            }
            throw new RecordingException(name + " holds no Slabscope events (" + all + " other events): record a JVM "
                    + "running under libslabscope.so with -javaagent:slabscope-agent.jar and settings=slabscope.jfc",
                    null);
        }
        return new Recording(name, snapshots, samples, frees, events, warning);
    }

    private static String truncated(String name, long size, long events) {
        return name + " is truncated or damaged (" + size + " bytes; " + events
                + " events could be read): was the recording still being written?";
    }

    private static Builder builder(Map<Long, Builder> byTime, RecordedEvent e) {
        long t = e.hasField("snapshotNanos") ? e.getLong("snapshotNanos") : 0;
        if (t == 0) {
            t = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
        }
        return byTime.computeIfAbsent(t, k -> new Builder());
    }

    private static long time(RecordedEvent e) {
        if (e.hasField("nativeTimeNanos")) {
            long t = e.getLong("nativeTimeNanos");
            if (t != 0) {
                return t;
            }
        }
        return e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
    }

    private static String str(RecordedEvent e, String field) {
        if (!e.hasField(field)) {
            return "";
        }
        String s = e.getString(field);
        return s == null ? "" : s;
    }

    private static long lng(RecordedEvent e, String field) {
        return e.hasField(field) ? e.getLong(field) : 0;
    }

    private static int in(RecordedEvent e, String field) {
        return e.hasField(field) ? e.getInt(field) : 0;
    }

    /** HeapSummary fields in GlobalStats order (FIELD_NAMES), by their event field names. */
    private static final String[] SUMMARY_FIELDS = {"mallocCalls", "freeCalls", "callocCalls", "reallocCalls",
        "memalignCalls", "trimCalls", "bytesRequested", "bytesAllocated", "slabAllocs", "slabFrees", "mediumAllocs",
        "mediumFrees", "mediumBytes", "mmapAllocs", "mmapFrees", "mmapBlocks", "mmapBytes", "mmapPeakBytes",
        "brkGrows", "brkTrims", "brkFailures", "bytesTrimmed", "heapBytes", "brkBytes", "brkBase", "brkTop",
        "heapPeakBytes", "heapFreeBytes", "heapDirtyBytes", "topFreeBytes", "pagesReleased", "mmapZones",
        "liveAllocations", "allocFailures", "invalidFrees", "mmapThreshold", "trimThreshold", "topPad", "dirtyMax",
        "decay", "slabBytes", "slabActiveBytes", "heapResidentBytes", "mmapResidentBytes", "threads", "corruptions",
        "faultsInjected"};

    private static void heapSummary(Builder b, RecordedEvent e) {
        long[] g = new long[GlobalStats.FIELD_COUNT];
        for (int i = 0; i < g.length; i++) {
            String f = SUMMARY_FIELDS[i];
            if (f.equals("decay") && e.hasField(f)) {
                Object v = e.getValue(f);
                g[i] = v instanceof java.time.Duration d ? d.toMillis() : v instanceof Number n ? n.longValue() : 0;
            } else {
                g[i] = lng(e, f);
            }
        }
        b.global = g;
    }

    private static SlabCache slabCache(RecordedEvent e) {
        return new SlabCache(str(e, "name"), in(e, "objectSize"), in(e, "objSize"), in(e, "align"), in(e, "objPerSlab"),
                in(e, "pagesPerSlab"), 0, 0, e.hasField("kmalloc") && e.getBoolean("kmalloc") ? 0 : -1,
                lng(e, "activeObjs"), lng(e, "numObjs"), lng(e, "activeSlabs"), lng(e, "numSlabs"), lng(e, "fullSlabs"),
                lng(e, "partialSlabs"), lng(e, "freeSlabs"), lng(e, "allocs"), lng(e, "frees"), lng(e, "grows"),
                lng(e, "reaps"), 0, in(e, "cacheId"), lng(e, "cacheSize"));
    }

    private static Snapshot snapshot(long t, Builder b) {
        int orders = 0;
        for (TreeMap<Integer, Long> fl : b.freeLists.values()) {
            if (!fl.isEmpty()) {
                orders = Math.max(orders, fl.lastKey() + 1);
            }
        }
        List<Zone> zones = new ArrayList<>();
        java.util.Set<Integer> ids = new java.util.TreeSet<>(b.zones.keySet());
        ids.addAll(b.freeLists.keySet());
        for (int id : ids) {
            long[] nr = new long[orders];
            TreeMap<Integer, Long> fl = b.freeLists.getOrDefault(id, new TreeMap<>());
            fl.forEach((o, n) -> nr[o] = n);
            Object[] z = b.zones.get(id);
            ZoneKind kind = z != null && "mmap".equals(z[0]) ? ZoneKind.MMAP : ZoneKind.BRK;
            long base = z == null ? 0 : (Long) z[1];
            long top = z == null ? 0 : (Long) z[2];
            long free = z == null ? 0 : (Long) z[3] / b.pageSize;
            long dirty = z == null ? 0 : (Long) z[4] / b.pageSize;
            zones.add(new Zone(id, kind, base, top, free, dirty, nr));
        }
        List<SlabCache> caches = new ArrayList<>(b.caches);
        caches.sort((x, y) -> Integer.compare(x.id(), y.id()));
        return new Snapshot(1, 0, 0, b.pageSize, 0, t, 0, 0, orders, 0, 0, "", GlobalStats.of(b.global), caches,
                zones);
    }
}
