package io.slabscope.model.source;

import io.slabscope.model.Layout;
import io.slabscope.model.LayoutParser;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotFormatException;
import io.slabscope.model.SnapshotParser;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads a process under the shim from outside, through {@code /dev/shm/slabscope.<pid>}.
 *
 * <p>Snapshots are copied with the header's seqlock: read {@code seq}, copy the file, read
 * {@code seq} again, and retry while it was odd (being written) or changed. Layouts are asked
 * for by bumping {@code layout_request} in the mapped header and waiting for
 * {@code layout_seq} to reach it; the layout file is copied with its own seqlock.
 *
 * <p>Every call first checks the process: {@link ProcessGoneException} if it is not running
 * (its stale segment is removed if it is ours), {@link NotUnderShimException} if it has no
 * segment, {@link NotOwnerException} if the segment belongs to another user and we are not root.
 */
public final class ShmSource implements SnapshotSource {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** How long to retry while the writer keeps the seqlock odd or the segment is still empty. */
    static final Duration CONSISTENCY_BUDGET = Duration.ofSeconds(2);
    /**
     * The largest files copied: a snapshot is some hundred KiB (SS_SHM_MAX_CACHES, SS_SHM_MAX_ZONES),
     * a layout 4 bytes per heap page (1 GiB for a 256 GiB heap). A larger file is not a segment the
     * shim wrote; copying it would only exhaust the reader's heap.
     */
    static final long MAX_SNAPSHOT_BYTES = 64L << 20;
    static final long MAX_LAYOUT_BYTES = 1L << 30;
    /** Parse failures on a consistent copy before the error is believed. */
    private static final int PARSE_ATTEMPTS = 3;

    private final ShmDirectory dir;
    private final int pid;
    private final int uid;
    private final Duration budget;

    private ShmSource(ShmDirectory dir, int pid, int uid, Duration budget) {
        this.dir = dir;
        this.pid = pid;
        this.uid = uid;
        this.budget = budget;
    }

    /** Opens the segment of {@code pid} in /dev/shm as the current user. */
    public static ShmSource open(int pid) throws IOException {
        return open(pid, new ShmDirectory(), Processes.currentUid());
    }

    /**
     * Opens the segment of {@code pid} in {@code dir}, reading as {@code uid} (0 may read every
     * user's segments).
     */
    public static ShmSource open(int pid, ShmDirectory dir, int uid) throws IOException {
        return open(pid, dir, uid, CONSISTENCY_BUDGET);
    }

    /** As {@link #open(int, ShmDirectory, int)}, retrying a busy or empty segment for {@code budget} only (tests). */
    static ShmSource open(int pid, ShmDirectory dir, int uid, Duration budget) throws IOException {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid " + pid);
        }
        ShmSource s = new ShmSource(dir, pid, uid, budget);
        s.check();
        return s;
    }

    public int pid() {
        return pid;
    }

    public Path segmentPath() {
        return dir.segmentPath(pid);
    }

    /** Checks that the process runs, has a segment, and that we may read it. */
    public void check() throws IOException {
        Path seg = dir.segmentPath(pid);
        boolean exists = Files.exists(seg, LinkOption.NOFOLLOW_LINKS);
        if (!Processes.isAlive(pid)) {
            if (exists) {
                boolean removed = dir.removeStale(pid, uid);
                throw new ProcessGoneException("process " + pid + " is not running"
                        + (removed ? " (removed its stale segment " + seg + ")" : " (stale segment " + seg + " left)"));
            }
            throw new ProcessGoneException("no process " + pid);
        }
        if (!exists) {
            throw new NotUnderShimException("process " + pid + " does not run under slabscope (no " + seg
                    + "); start it with: slabscope run -- COMMAND");
        }
        if (!Files.isRegularFile(seg, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotUnderShimException(seg + " is not a regular file");
        }
        int owner = Processes.ownerUid(seg);
        if (owner != uid && uid != 0) {
            throw new NotOwnerException("process " + pid + " belongs to user " + Processes.ownerName(seg) + " (uid "
                    + owner + "), not to uid " + uid + ": only its owner or root may read it");
        }
        Optional<Instant> started = Processes.startTime(pid);
        long startNs = readStartTime(seg);
        // pid reused: the segment is older than the process now holding the pid
        if (started.isPresent() && startNs > 0
                && started.get().isAfter(Instant.ofEpochSecond(0, startNs).plusSeconds(2))) {
            removeIfOurs(seg);
            removeIfOurs(dir.layoutPath(pid));
            throw new ProcessGoneException("process " + pid + " is gone (its pid now belongs to another program; "
                    + "removed its stale segment)");
        }
    }

    /** start_time_ns of the segment (it never changes), 0 if unreadable. */
    private static long readStartTime(Path seg) {
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (readLong(ch, 0) != SnapshotParser.MAGIC) {
                return 0;
            }
            long t = readLong(ch, SnapshotParser.START_TIME_OFFSET);
            return t == Long.MIN_VALUE ? 0 : t;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public Snapshot snapshot() throws IOException {
        check();
        try {
            return readConsistent(dir.segmentPath(pid), SnapshotParser.SEQ_OFFSET, "snapshot", MAX_SNAPSHOT_BYTES,
                    budget, SnapshotParser::parse);
        } catch (NoSuchFileException e) {
            check();
            throw new ProcessGoneException("process " + pid + " exited");
        }
    }

    @Override
    public Layout layout(Duration wait) throws IOException {
        check();
        Path seg = dir.segmentPath(pid);
        int pageSize;
        long target;
        long served;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() < SnapshotParser.HEADER_SIZE) {
                throw new UnreadableSegmentException("segment " + seg + " holds no snapshot yet (" + ch.size()
                        + " bytes)");
            }
            MappedByteBuffer hdr = ch.map(FileChannel.MapMode.READ_WRITE, 0, SnapshotParser.HEADER_SIZE);
            hdr.order(ByteOrder.LITTLE_ENDIAN);
            if (hdr.getLong(0) == 0) {
                throw new UnreadableSegmentException("segment " + seg + " is not initialised yet");
            }
            if (hdr.getLong(0) != SnapshotParser.MAGIC) {
                throw new SnapshotFormatException("segment " + seg + " is not a slabscope snapshot (bad magic 0x"
                        + Long.toHexString(hdr.getLong(0)) + ")");
            }
            pageSize = hdr.getInt(SnapshotParser.PAGE_SIZE_OFFSET);
            if (!SnapshotParser.plausiblePageSize(Integer.toUnsignedLong(pageSize))) {
                throw new SnapshotFormatException("segment " + seg + ": page_size " + Integer.toUnsignedString(pageSize)
                        + " is not a plausible page size");
            }
            target = (long) LONG.getAndAdd(hdr, SnapshotParser.LAYOUT_REQUEST_OFFSET, 1L) + 1;
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                served = (long) LONG.getVolatile(hdr, SnapshotParser.LAYOUT_SEQ_OFFSET);
                if (served >= target || System.nanoTime() - deadline >= 0) {
                    break;
                }
                // a writer that rewrote the header from a stale copy may have lost our request
                long asked = (long) LONG.getVolatile(hdr, SnapshotParser.LAYOUT_REQUEST_OFFSET);
                if (asked < target) {
                    LONG.compareAndSet(hdr, SnapshotParser.LAYOUT_REQUEST_OFFSET, asked, target);
                }
                if (!Processes.isAlive(pid)) {
                    check();
                }
                sleep(5);
            }
        } catch (NoSuchFileException e) {
            check();
            throw new ProcessGoneException("process " + pid + " exited");
        }
        Path layoutPath = dir.layoutPath(pid);
        if (!Files.exists(layoutPath, LinkOption.NOFOLLOW_LINKS)) {
            check();
            throw new UnreadableSegmentException("process " + pid + " wrote no layout within " + wait.toMillis()
                    + " ms (it publishes from its allocation paths: an idle process answers when it next allocates)");
        }
        int owner = Processes.ownerUid(layoutPath);
        if (owner != uid && uid != 0) {
            throw new NotOwnerException(layoutPath + " belongs to uid " + owner + ", not to uid " + uid);
        }
        int ps = pageSize;
        try {
            return readConsistent(layoutPath, LayoutParser.SEQ_OFFSET, "layout", MAX_LAYOUT_BYTES, budget,
                    b -> LayoutParser.parse(b, ps));
        } catch (NoSuchFileException e) {
            check();
            throw new ProcessGoneException("process " + pid + " exited");
        }
    }

    /** Removes a file if {@link #uid} owns it. */
    private void removeIfOurs(Path p) {
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Processes.ownerUid(p) == uid) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // not ours, or gone already
        }
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(ByteBuffer b) throws SnapshotFormatException;
    }

    /**
     * Copies a seqlocked file: seq (even), whole file, seq again; retries while the writer is
     * busy, the file is still empty, or (a few times) the copy does not parse. Files larger than
     * {@code maxBytes}, or than a quarter of this JVM's heap, are refused before anything is copied.
     */
    private static <T> T readConsistent(Path file, int seqOffset, String what, long maxBytes, Duration budget,
            Parser<T> parser) throws IOException {
        long deadline = System.nanoTime() + budget.toNanos();
        SnapshotFormatException lastFormat = null;
        int parseFailures = 0;
        String waitingFor = "";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            for (int attempt = 0;; attempt++) {
                if (attempt > 0) {
                    if (System.nanoTime() - deadline >= 0) {
                        break;
                    }
                    if (attempt > 20) {
                        sleep(1);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                long s1 = readLong(ch, seqOffset);
                if (s1 == Long.MIN_VALUE) {
                    waitingFor = "the " + what + " is still empty";
                    continue;
                }
                if ((s1 & 1) != 0) {
                    waitingFor = "the writer keeps the " + what + " seqlock odd (stopped mid-update?)";
                    continue;
                }
                long size = ch.size();
                long limit = Math.min(Math.min(maxBytes, Integer.MAX_VALUE - 16), Runtime.getRuntime().maxMemory() / 4);
                if (size > limit) {
                    throw new SnapshotFormatException(what + " file " + file + " is too large: " + size + " bytes (a "
                            + what + " of the shim is at most " + limit + " bytes here)");
                }
                ByteBuffer copy = ByteBuffer.allocate((int) size);
                while (copy.hasRemaining()) {
                    if (ch.read(copy, copy.position()) < 0) {
                        break;
                    }
                }
                copy.flip();
                long s2 = readLong(ch, seqOffset);
                if (s2 != s1 || copy.limit() < seqOffset + 8
                        || copy.order(ByteOrder.LITTLE_ENDIAN).getLong(seqOffset) != s1) {
                    waitingFor = "the " + what + " kept changing while being copied";
                    continue;
                }
                if (copy.limit() >= 8 && copy.getLong(0) == 0) {
                    waitingFor = "the " + what + " is not initialised yet";
                    continue;
                }
                try {
                    return parser.parse(copy);
                } catch (SnapshotFormatException e) {
                    lastFormat = e;
                    if (++parseFailures >= PARSE_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }
        if (lastFormat != null) {
            throw lastFormat;
        }
        throw new UnreadableSegmentException("cannot read a consistent " + what + " from " + file + " in "
                + budget.toMillis() + " ms: " + waitingFor);
    }

    /** The long at {@code off}, or Long.MIN_VALUE if the file is shorter. */
    private static long readLong(FileChannel ch, int off) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) {
                return Long.MIN_VALUE;
            }
        }
        return b.getLong(0);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }
}
