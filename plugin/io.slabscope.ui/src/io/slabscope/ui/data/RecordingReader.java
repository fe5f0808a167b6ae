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
import java.time.Duration;
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
 *
 * <p>The JDK's parser waits or spins forever on some damaged files. {@link JfrChunks} catches the
 * known cases before it starts; for any other, the parser runs in a daemon thread of its own that
 * is given up on once it reads no event for a few seconds ({@link #STALL_PROPERTY}): the read
 * then ends like one of a file that breaks off, so the view always gets a recording or a message.
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

    /**
     * How long the JDK's parser may read no event before the read is given up on (ms; a system
     * property, for tests and slow disks). Sound events take microseconds each; reading a chunk's
     * metadata and constant pools, well under a second for the agent's chunks of up to 12 MB.
     */
    public static final String STALL_PROPERTY = "slabscope.jfr.stallMillis";
    static final long DEFAULT_STALL_MILLIS = 5_000;
    /** How often the watching thread looks at the parser's progress. */
    private static final long POLL_MILLIS = 100;
    /** How long an abandoned parser has to end after its file is closed, before it is stopped. */
    private static final long STOP_MILLIS = 500;

    /** Progress of a read, for a job's progress monitor; called in the thread that called read. */
    public interface Progress {
        Progress NONE = events -> {
        };

        /** About every 0.1 s while the number of events read goes up (all events, not only Slabscope's). */
        void eventsRead(long events);

        /** True once the user cancelled: the read ends as if the file broke off there. */
        default boolean cancelled() {
            return false;
        }
    }

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

    /** Reads a recording, giving up on the JDK's parser after {@link #STALL_PROPERTY} ms without progress. */
    public static Recording read(Path file) throws RecordingException {
        return read(file, stall(), Progress.NONE);
    }

    /** How long the JDK's parser may read no event: {@link #STALL_PROPERTY}, else 5 s. */
    public static Duration stall() {
        return Duration.ofMillis(Math.max(1, Long.getLong(STALL_PROPERTY, DEFAULT_STALL_MILLIS)));
    }

    /**
     * Reads a recording, giving up on the JDK's parser when it reads no event for {@code stall}: what
     * it read until then is kept as for a file that breaks off there (a warning), or, if that holds no
     * snapshot, the read ends with a {@link RecordingException} that says where it stopped.
     */
    public static Recording read(Path file, Duration stall, Progress progress) throws RecordingException {
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
        boolean damagedAfter = chunks.soundBytes() < size;
        if (damagedAfter || !chunks.skips().isEmpty()) {
            // the parser reads a copy: the sound chunks only, and damaged records made into ones it skips
            Path sound = null;
            try {
                sound = Files.createTempFile("slabscope-sound-chunks", ".jfr");
                try (var in = java.nio.channels.FileChannel.open(file);
                        var out = java.nio.channels.FileChannel.open(sound, java.nio.file.StandardOpenOption.WRITE)) {
                    in.transferTo(0, chunks.soundBytes(), out);
                    for (JfrChunks.Skip skip : chunks.skips()) {
                        out.write(java.nio.ByteBuffer.wrap(skip.patch()), skip.at());
                    }
                }
                Recording r = read(sound, name, chunks.soundBytes(), !damagedAfter && chunks.truncated(), stall,
                        progress);
                StringBuilder w = new StringBuilder();
                if (!chunks.skips().isEmpty()) {
                    JfrChunks.Skip first = chunks.skips().get(0);
                    w.append(name).append(" is damaged at byte ").append(first.at()).append(" (a record with an "
                            + "impossible size): ").append(skipped(chunks.skips())).append(" skipped");
                }
                if (damagedAfter) {
                    w.append(w.length() == 0 ? name + " is damaged" : "; damaged").append(" after byte ")
                            .append(chunks.soundBytes()).append(" (").append(chunks.problem())
                            .append("): showing what comes before");
                }
                if (r.warning() != null) {
                    w.append("; ").append(r.warning());
                }
                return new Recording(name, r.snapshots(), r.samples(), r.frees(), r.events(), w.toString());
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
        return read(file, name, size, chunks.truncated(), stall, progress);
    }

    /**
     * Reads the events of a file whose chunks are sound (the last may be cut short: {@code truncated})
     * with the JDK's parser in a thread of its own, watched from this one. JfrChunks catches the
     * damage known to make that parser wait or spin forever, but not all of it (the fuzz test found
     * more): whenever the parser reads no event for {@code stall}, or the user cancels, the parse is
     * abandoned and the events read so far are used as for a file that breaks off.
     */
    private static Recording read(Path file, String name, long size, boolean truncated, Duration stall,
            Progress progress) throws RecordingException {
        Parse parse = new Parse(file, name, size, truncated);
        Thread parser = new Thread(parse::run, "slabscope-jfr-parser " + name);
        parser.setDaemon(true);                  // an abandoned parser never keeps the JVM alive
        parser.start();
        long seen = -1;
        long seenAt = System.nanoTime();
        String abandoned = null;
        while (abandoned == null) {
            try {
                parser.join(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandoned = "reading was interrupted";
                break;
            }
            if (!parser.isAlive()) {
                return parse.result();
            }
            long n = parse.all;
            if (n != seen) {
                seen = n;
                seenAt = System.nanoTime();
                progress.eventsRead(n);
            } else if (System.nanoTime() - seenAt > stall.toNanos()) {
                abandoned = name + " is damaged: the JDK's JFR parser made no progress for "
                        + seconds(stall) + " after event " + n + " (it waits or loops in the damage)";
            }
            if (abandoned == null && progress.cancelled()) {
                abandoned = "reading " + name + " was cancelled after event " + n;
            }
        }
        return parse.abandon(parser, abandoned);
    }

    /** "bytes 10 to 20", "bytes 10 to 20 and 3 more runs". */
    private static String skipped(List<JfrChunks.Skip> skips) {
        JfrChunks.Skip first = skips.get(0);
        String s = "bytes " + first.at() + " to " + (first.at() + first.length());
        return skips.size() == 1 ? s : s + " and " + (skips.size() - 1) + " more run" + (skips.size() == 2 ? "" : "s");
    }

    /**
     * For tests: reads the events without {@link JfrChunks}' check first, as if it missed the damage,
     * so that the watch over the JDK's parser can be tried on files that parser waits on forever.
     */
    static Recording readUnchecked(Path file, Duration stall) throws RecordingException {
        String name = file.getFileName().toString();
        try {
            return read(file, name, Files.size(file), false, stall, Progress.NONE);
        } catch (RecordingException e) {
            throw e;
        } catch (IOException e) {
            throw new RecordingException("Cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /**
     * One read of a file's events: {@link #run()} in the parser thread, {@link #result} or
     * {@link #abandon} in the watching one. Everything the events are put into is touched under this
     * object's lock only, outside the JDK's parser: once abandoned, a parser that wakes up again drops
     * what it reads and ends.
     */
    private static final class Parse {
        final Path file;
        final String name;
        final long size;
        final boolean truncated;
        final Map<Long, Builder> byTime = new TreeMap<>();
        final List<Recording.Sample> samples = new ArrayList<>();
        final List<Recording.Free> frees = new ArrayList<>();
        long events;
        /** All events read, Slabscope's or not: the progress the watching thread sees. */
        volatile long all;
        long damaged;
        String warning;
        boolean abandoned;
        /** Closed by {@link #abandon}: a parser waiting for the file to grow then fails on its next read. */
        volatile RecordingFile open;

        Parse(Path file, String name, long size, boolean truncated) {
            this.file = file;
            this.name = name;
            this.size = size;
            this.truncated = truncated;
        }

        void run() {
            try (RecordingFile rf = new RecordingFile(file)) {
                open = rf;
                while (rf.hasMoreEvents()) {
                    RecordedEvent e = rf.readEvent();
                    synchronized (this) {
                        if (abandoned) {
                            return;
                        }
                        if (all >= size) {
                            // every event takes bytes of its own: a parser that reads more goes round in circles
                            throw new IOException("more events than the file has bytes (" + size + ")");
                        }
                        all++;
                        event(e);
                    }
                }
            } catch (IOException | RuntimeException e) {
                String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                fail(e instanceof EOFException || truncated ? truncated(name, size, all)
                        : "Cannot read " + name + ": " + m);
            } catch (OutOfMemoryError | StackOverflowError e) {
                // the JDK's parser believed a size or a nesting the damage made up
                fail(truncated ? truncated(name, size, all)
                        : name + " is damaged (" + all + " events could be read; reading on "
                                + (e instanceof OutOfMemoryError ? "asked for more memory than there is"
                                        : "nested too deep")
                                + ")");
            }
        }

        private synchronized void fail(String w) {
            if (!abandoned) {
                warning = w;
            }
        }

        /**
         * Gives up on a parser that is stuck: keeps what it read and makes the parser thread end. The
         * JDK's loops on damaged chunks read the file on every round, so once the RecordingFile is open,
         * closing it makes the next read fail. A parser stuck inside {@code new RecordingFile} (the first
         * chunk's header, metadata and constant pools are read there) gives no handle to close: that one
         * is stopped with Thread.stop, as it would otherwise spin on a core until the IDE exits.
         */
        Recording abandon(Thread parser, String why) throws RecordingException {
            synchronized (this) {
                abandoned = true;
                warning = why;
            }
            RecordingFile rf = open;
            if (rf != null) {
                try {
                    rf.close();
                } catch (IOException | RuntimeException e) {
                    // the parser is given up on anyway
                }
            }
            parser.interrupt();
            try {
                parser.join(STOP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (parser.isAlive()) {
                stop(parser);
            }
            return result();
        }

        /**
         * Thread.stop (called reflectively: deprecated for removal, it throws from Java 20 on). Safe
         * enough here: the parser thread holds nothing but its own RecordingFile, and after seconds of
         * no progress it is long past initialising the JDK's parser classes. Where stop is gone, the
         * daemon thread is left at the lowest priority.
         */
        private static void stop(Thread parser) {
            try {
                Thread.class.getMethod("stop").invoke(parser);
            } catch (ReflectiveOperationException | RuntimeException e) {
                parser.setPriority(Thread.MIN_PRIORITY);
            }
        }

        private void event(RecordedEvent e) {
            String type = e.getEventType().getName();
            if (!type.startsWith(PREFIX)) {
                return;
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
                        return;
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

        /** The recording of what was read, or the message why there is none. */
        synchronized Recording result() throws RecordingException {
            String w = warning;
            if (w == null && truncated) {
                w = truncated(name, size, all);
            }
            if (damaged > 0) {
                String skipped = damaged + " Slabscope event" + (damaged == 1 ? "" : "s") + " with impossible values "
                        + "skipped";
                w = w == null ? name + " is damaged: " + skipped : w + "; " + skipped;
            }
            List<Snapshot> snapshots = new ArrayList<>();
            byTime.forEach((t, b) -> {
                if (b.global != null) {
                    snapshots.add(snapshot(t, b));
                }
            });
            List<Recording.Sample> s = new ArrayList<>(samples);
            List<Recording.Free> f = new ArrayList<>(frees);
            s.sort((a, b) -> Long.compare(a.timeNs(), b.timeNs()));
            f.sort((a, b) -> Long.compare(a.timeNs(), b.timeNs()));
            if (snapshots.isEmpty()) {
                if (w != null) {
                    throw new RecordingException(w, null);
                }
                throw new RecordingException(name + " holds no Slabscope events (" + all + " other events): record a "
                        + "JVM running under libslabscope.so with -javaagent:slabscope-agent.jar and "
                        + "settings=slabscope.jfc", null);
            }
            return new Recording(name, snapshots, s, f, events, w);
        }
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

    /**
     * The HeapSummary event's field for a GlobalStats field (C name, FIELD_NAMES): its name in
     * camelCase, but for the two the event names for what they mean to a reader.
     */
    public static String summaryField(String cName) {
        switch (cName) {
            case "live_allocs":
                return "liveAllocations";
            case "decay_ms":
                return "decay";
            default:
                StringBuilder sb = new StringBuilder(cName.length());
                boolean up = false;
                for (char c : cName.toCharArray()) {
                    if (c == '_') {
                        up = true;
                    } else {
                        sb.append(up ? Character.toUpperCase(c) : c);
                        up = false;
                    }
                }
                return sb.toString();
        }
    }

    private static final String[] SUMMARY_FIELDS =
            GlobalStats.FIELD_NAMES.stream().map(RecordingReader::summaryField).toArray(String[]::new);

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
                lng(e, "reaps"), SlabCache.policyFlags(str(e, "policy")), in(e, "cacheId"), lng(e, "cacheSize"));
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
