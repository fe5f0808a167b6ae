package io.slabscope.model.source;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutParser;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Reads this very process, when libslabscope.so is loaded in it (LD_PRELOAD), through its
 * exported functions {@code ss_snapshot}, {@code ss_layout}, {@code ss_publish} and
 * {@code ss_version}, looked up in the process's global symbol scope (JNA
 * {@link NativeLibrary#getProcess()}), so the preloaded copy is used and nothing is loaded
 * a second time.
 */
public final class NativeSource implements SnapshotSource {
    /** Room added to the size asked for: the heap may grow between the two calls. */
    private static final long SLACK = 16 * 1024;
    private static final int ATTEMPTS = 8;

    private final Function snapshotFn;
    private final Function layoutFn;
    private final Function publishFn;
    private final Function versionFn;
    private volatile int pageSize;

    private NativeSource(NativeLibrary process) {
        this.snapshotFn = process.getFunction("ss_snapshot");
        this.layoutFn = process.getFunction("ss_layout");
        this.publishFn = process.getFunction("ss_publish");
        this.versionFn = process.getFunction("ss_version");
    }

    /**
     * Binds to the shim loaded in this process.
     *
     * @throws NotUnderShimException if libslabscope.so (with its snapshot functions) is not loaded
     */
    public static NativeSource open() throws NotUnderShimException {
        try {
            return new NativeSource(NativeLibrary.getProcess());
        } catch (UnsatisfiedLinkError e) {
            throw new NotUnderShimException("this process does not run under libslabscope.so (no ss_snapshot "
                    + "symbol): start the JVM with LD_PRELOAD=/path/to/libslabscope.so");
        }
    }

    /** Whether the shim's snapshot functions are present in this process. */
    public static boolean available() {
        try {
            NativeLibrary.getProcess().getFunction("ss_snapshot");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** {@code ss_version()}: "slabscope &lt;version&gt; shm &lt;format version&gt;". */
    public String version() {
        return versionFn.invokeString(new Object[0], false);
    }

    /** {@code ss_publish()}: rewrite /dev/shm/slabscope.&lt;pid&gt; now. */
    public void publish() {
        publishFn.invokeVoid(new Object[0]);
    }

    @Override
    public Snapshot snapshot() throws IOException {
        Snapshot s = SnapshotParser.parse(call(snapshotFn, "ss_snapshot"));
        pageSize = s.pageSize();
        return s;
    }

    /** The layout, written by the call itself: {@code wait} is not needed in process. */
    @Override
    public Layout layout(Duration wait) throws IOException {
        int ps = pageSize;
        if (ps == 0) {
            ps = snapshot().pageSize();
        }
        return LayoutParser.parse(call(layoutFn, "ss_layout"), ps);
    }

    /** Calls {@code size_t fn(void *buf, size_t len)} until the buffer is big enough; copies the result. */
    private static ByteBuffer call(Function fn, String name) throws IOException {
        long need = fn.invokeLong(new Object[] {Pointer.NULL, 0L});
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (need <= 0 || need > Integer.MAX_VALUE - SLACK) {
                throw new IOException(name + " returned an implausible size " + need);
            }
            long len = need + need / 8 + SLACK;
            Memory buf = new Memory(len);
            try {
                long got = fn.invokeLong(new Object[] {buf, len});
                if (got <= len) {
                    byte[] copy = buf.getByteArray(0, (int) got);
                    return ByteBuffer.wrap(copy);
                }
                need = got;
            } finally {
                buf.close();
            }
        }
        throw new IOException(name + " kept needing a larger buffer (last " + need + " bytes)");
    }
}
