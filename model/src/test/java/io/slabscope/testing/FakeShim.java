package io.slabscope.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;

/**
 * Plays the shim's part of the /dev/shm protocol in a directory of the test's choosing:
 * publishes snapshots under the seqlock (keeping readers' layout_request), and answers layout
 * requests from a background thread.
 */
public final class FakeShim implements AutoCloseable {
    private final Path segment;
    private final Path layoutFile;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread server;
    private long seq;

    public FakeShim(Path dir, long pid) {
        this.segment = dir.resolve("slabscope." + pid);
        this.layoutFile = dir.resolve("slabscope." + pid + ".layout");
    }

    public Path segment() {
        return segment;
    }

    public Path layoutFile() {
        return layoutFile;
    }

    /** Writes a snapshot: seq odd, the bytes, seq even; layout_request of the file is kept. */
    public synchronized void publish(SnapshotBytes snap) throws IOException {
        publish(snap, 0);
    }

    /** Like {@link #publish(SnapshotBytes)}, leaving seq odd for {@code oddMillis} in the middle. */
    public synchronized void publish(SnapshotBytes snap, long oddMillis) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long request = ch.size() >= 128 ? readLong(ch, 112) : 0;
            snap.layoutRequest = request;
            writeLong(ch, 16, ++seq | 1);
            seq |= 1;
            if (oddMillis > 0) {
                sleep(oddMillis);
            }
            byte[] bytes = snap.build();
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(16, seq);                    // still odd while the body is written
            write(ch, 0, b);
            if (ch.size() > bytes.length) {
                ch.truncate(bytes.length);
            }
            writeLong(ch, 16, ++seq);             // even: consistent
        }
    }

    /** Writes a layout file (with its own seqlock). */
    public synchronized void writeLayout(LayoutBytes layout) throws IOException {
        try (FileChannel ch = FileChannel.open(layoutFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long s = ch.size() >= 24 ? readLong(ch, 16) : 0;
            writeLong(ch, 16, s + 1);
            layout.seq = s + 1;
            byte[] bytes = layout.build();
            write(ch, 0, ByteBuffer.wrap(bytes));
            if (ch.size() > bytes.length) {
                ch.truncate(bytes.length);
            }
            writeLong(ch, 16, s + 2);
        }
    }

    /**
     * Serves layout requests: when layout_request passes layout_seq, writes the layout the
     * function makes for that request and publishes the snapshot with layout_seq set.
     */
    public void serveLayouts(SnapshotBytes snap, LongFunction<LayoutBytes> layouts) {
        running.set(true);
        server = new Thread(() -> {
            while (running.get()) {
                try {
                    long request = 0;
                    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
                        request = readLong(ch, 112);
                    }
                    if (request > snap.layoutSeq) {
                        LayoutBytes l = layouts.apply(request);
                        l.request = request;
                        writeLayout(l);
                        snap.layoutSeq = request;
                        publish(snap);
                    }
                    Thread.sleep(2);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "fake-shim");
        server.setDaemon(true);
        server.start();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        if (server != null) {
            server.join(2000);
        }
        Files.deleteIfExists(segment);
        Files.deleteIfExists(layoutFile);
    }

    private static long readLong(FileChannel ch, long off) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, off + b.position()) >= 0) {
            // keep reading
        }
        return b.getLong(0);
    }

    private static void writeLong(FileChannel ch, long off, long v) throws IOException {
        write(ch, off, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v));
    }

    private static void write(FileChannel ch, long off, ByteBuffer b) throws IOException {
        b.position(0);
        while (b.hasRemaining()) {
            ch.write(b, off + b.position());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
