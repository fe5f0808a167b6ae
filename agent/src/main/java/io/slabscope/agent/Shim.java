package io.slabscope.agent;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import io.slabscope.model.SlabinfoFormat;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.NativeSource;
import io.slabscope.model.source.NotUnderShimException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The functions of libslabscope.so the agent calls, looked up in the process's global scope
 * ({@link NativeLibrary#getProcess()}): the library is LD_PRELOADed, so the copy that serves
 * malloc is the one that answers, and nothing is loaded twice. {@code mallopt} and
 * {@code malloc_trim} are the standard glibc symbols the shim exports (they resolve to the
 * shim because it comes first in the lookup order).
 */
public final class Shim {
    /** glibc's mallopt parameters. */
    public static final int M_TRIM_THRESHOLD = -1;
    public static final int M_MMAP_THRESHOLD = -3;
    /** The shim accepts mmap thresholds up to 32 MiB. */
    public static final long MAX_MMAP_THRESHOLD = 32L << 20;

    private static final int MFD_CLOEXEC = 1;

    private final NativeSource source;
    private final Function setSampling;
    private final Function setEvents;
    private final Function drain;
    private final Function dropped;
    private final Function mallopt;
    private final Function mallocTrim;
    private final Function writeSlabinfo;
    private final Function writeBuddyinfo;
    private final Function version;
    private final Function memfdCreate;
    private final Function close;
    /** Debug mode (later shims): null in a shim that predates it. */
    private final Function validate;
    /** Exact count of the pages shrinking releases (later shims): null in one that predates it. */
    private final Function shrinkCaches;
    private volatile long samplingInterval;

    private Shim(NativeLibrary p, NativeSource source) {
        this.source = source;
        this.setSampling = p.getFunction("ss_set_sampling");
        this.setEvents = p.getFunction("ss_set_events");
        this.drain = p.getFunction("ss_events_drain");
        this.dropped = p.getFunction("ss_events_dropped");
        this.mallopt = p.getFunction("mallopt");
        this.mallocTrim = p.getFunction("malloc_trim");
        this.writeSlabinfo = p.getFunction("ss_write_slabinfo");
        this.writeBuddyinfo = p.getFunction("ss_write_buddyinfo");
        this.version = p.getFunction("ss_version");
        this.memfdCreate = optional(p, "memfd_create");
        this.close = p.getFunction("close");
        this.validate = optional(p, VALIDATE);
        this.shrinkCaches = optional(p, "ss_shrink_caches");
    }

    /** The debug-mode function the agent calls (validate()); a shim that predates debug mode lacks it. */
    public static final String VALIDATE = "ss_validate";

    private static Function optional(NativeLibrary p, String name) {
        try {
            return p.getFunction(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /**
     * Binds to the shim preloaded in this process.
     *
     * @throws NotUnderShimException if libslabscope.so is not in the process
     */
    public static Shim open() throws NotUnderShimException {
        NativeSource source = NativeSource.open();
        try {
            return new Shim(NativeLibrary.getProcess(), source);
        } catch (UnsatisfiedLinkError e) {
            throw new NotUnderShimException("lacks " + missingSymbol(e));
        }
    }

    /** The symbol name in JNA's "Error looking up function 'x': ..." message, else the message. */
    static String missingSymbol(UnsatisfiedLinkError e) {
        String m = String.valueOf(e.getMessage());
        int a = m.indexOf('\'');
        int b = a < 0 ? -1 : m.indexOf('\'', a + 1);
        return b > a ? m.substring(a + 1, b) : m;
    }

    /**
     * The shared-memory format version in an {@code ss_version()} string ("slabscope 0.1.0 shm 1"),
     * or -1 if the string does not say.
     */
    public static int shmFormat(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bshm (\\d{1,6})\\b")
                .matcher(version == null ? "" : version);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public NativeSource source() {
        return source;
    }

    public Snapshot snapshot() throws IOException {
        return source.snapshot();
    }

    public String version() {
        return version.invokeString(new Object[0], false);
    }

    /** ss_publish(): rewrite /dev/shm/slabscope.PID now. */
    public void publish() {
        source.publish();
    }

    /** ss_set_sampling(bytes): 0 turns sampling off; anything else turns events on too. */
    public synchronized void setSampling(long meanBytes) {
        setSampling.invokeVoid(new Object[] {meanBytes});
        samplingInterval = meanBytes;
    }

    public long samplingInterval() {
        return samplingInterval;
    }

    /** ss_set_events(on): tier events (and samples, if sampling is on). */
    public void setEvents(boolean on) {
        setEvents.invokeVoid(new Object[] {on ? 1 : 0});
    }

    /** ss_events_drain(buf, len): bytes of whole records written. */
    public long drain(Memory buf) {
        return drain.invokeLong(new Object[] {buf, buf.size()});
    }

    /** Whether the shim has debug mode (ss_validate). */
    public boolean hasDebugMode() {
        return validate != null;
    }

    /**
     * ss_validate(): checks every object of every debugging cache now; returns the corruptions found.
     *
     * @throws UnsupportedOperationException if the shim predates debug mode
     */
    public long validate() {
        if (validate == null) {
            throw new UnsupportedOperationException("libslabscope in this process (" + version() + ") has no "
                    + VALIDATE + ": it predates debug mode, there is nothing to validate");
        }
        return validate.invokeLong(new Object[0]);
    }

    /** ss_events_dropped(). */
    public long dropped() {
        return dropped.invokeLong(new Object[0]);
    }

    /** mallopt(param, value): true if the allocator accepted it. */
    public boolean mallopt(int param, int value) {
        return mallopt.invokeInt(new Object[] {param, value}) == 1;
    }

    /**
     * ss_shrink_caches(): every cache's empty slabs given back, and how many pages that was,
     * counted by the allocator itself; -1 in a shim that predates it.
     */
    public long shrinkCaches() {
        return shrinkCaches == null ? -1 : shrinkCaches.invokeLong(new Object[0]);
    }

    /** malloc_trim(pad): true if memory was given back. */
    public boolean mallocTrim(long pad) {
        return mallocTrim.invokeInt(new Object[] {pad}) == 1;
    }

    /** The /proc/slabinfo text the shim writes (ss_write_slabinfo), or the model's rendering of a snapshot. */
    public String slabinfo() throws IOException {
        String text = writeToMemfd(writeSlabinfo, "slabscope-slabinfo");
        return text != null ? text : SlabinfoFormat.text(snapshot());
    }

    /** The /proc/buddyinfo text the shim writes (ss_write_buddyinfo). */
    public String buddyinfo() throws IOException {
        String text = writeToMemfd(writeBuddyinfo, "slabscope-buddyinfo");
        return text != null ? text : io.slabscope.model.BuddyinfoFormat.text(snapshot());
    }

    /** Calls {@code void fn(int fd)} on an anonymous memory file and reads it back; null if not possible. */
    private synchronized String writeToMemfd(Function fn, String name) throws IOException {
        if (memfdCreate == null) {
            return null;
        }
        int fd = memfdCreate.invokeInt(new Object[] {name, MFD_CLOEXEC});
        if (fd < 0) {
            return null;
        }
        try {
            fn.invokeVoid(new Object[] {fd});
            return new String(Files.readAllBytes(Path.of("/proc/self/fd/" + fd)), StandardCharsets.UTF_8);
        } finally {
            close.invokeInt(new Object[] {fd});
        }
    }
}
