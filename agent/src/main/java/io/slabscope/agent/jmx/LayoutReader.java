package io.slabscope.agent.jmx;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * The page layout of this process as the preloaded shim writes it: {@code ss_layout(buf, len)}
 * (JNA, the process's global symbol scope, as {@code Shim} binds the other functions), the raw
 * bytes of {@code struct ss_layout_header} and what follows (slabscope_shm.h). A layout walks
 * every heap page under the allocator's page lock, so it is taken at most once per
 * {@link #MIN_INTERVAL_MS}; callers in between get the last one.
 */
final class LayoutReader {
    /** Layouts are not taken closer than this; a JMX client polling every second still gets a fresh one. */
    static final long MIN_INTERVAL_MS = 500;
    /** Room added to the size asked for: the heap may grow between the two calls. */
    private static final long SLACK = 16 * 1024;
    private static final int ATTEMPTS = 8;

    private static LayoutReader shared;

    private final Function fn;
    private byte[] last;
    private long takenNanos;

    private LayoutReader(Function fn) {
        this.fn = fn;
    }

    /** The reader of this process's shim. */
    static synchronized LayoutReader shared() throws IOException {
        if (shared == null) {
            try {
                shared = new LayoutReader(NativeLibrary.getProcess().getFunction("ss_layout"));
            } catch (UnsatisfiedLinkError e) {
                throw new IOException("libslabscope.so (ss_layout) is not in this process", e);
            }
        }
        return shared;
    }

    /** The layout, at most {@link #MIN_INTERVAL_MS} old. */
    synchronized byte[] get() throws IOException {
        long now = System.nanoTime();
        if (last == null || now - takenNanos >= MIN_INTERVAL_MS * 1_000_000L) {
            last = call();
            takenNanos = System.nanoTime();
        }
        return last;
    }

    /** Calls {@code size_t ss_layout(void *buf, size_t len)} until the buffer is big enough. */
    private byte[] call() throws IOException {
        long need = fn.invokeLong(new Object[] {Pointer.NULL, 0L});
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (need <= 0 || need > Integer.MAX_VALUE - 2 * SLACK) {
                throw new IOException("ss_layout returned an implausible size " + need);
            }
            long len = need + need / 8 + SLACK;
            Memory buf = new Memory(len);
            try {
                long got = fn.invokeLong(new Object[] {buf, len});
                if (got <= len) {
                    return buf.getByteArray(0, (int) got);
                }
                need = got;
            } finally {
                buf.close();
            }
        }
        throw new IOException("ss_layout kept needing a larger buffer (last " + need + " bytes)");
    }
}
