package io.slabscope.agent;

import com.sun.jna.NativeLibrary;
import io.slabscope.model.SnapshotParser;
import io.slabscope.model.source.NotUnderShimException;
import java.util.List;

/**
 * Finds libslabscope in this process (through JNA) and checks that it is a shim the agent can
 * drive: it says which format it speaks ({@code ss_version}), the format is the one this agent
 * reads, and every function the agent calls is there. The answer is a {@link Shim}, or one line
 * that says why not; and lines worth printing while active (debug mode asked for but missing).
 */
final class ShimBinding {
    /** Functions the agent cannot work without, in the order they are looked for. */
    static final List<String> REQUIRED = List.of("ss_snapshot", "ss_layout", "ss_publish", "ss_set_sampling",
            "ss_set_events", "ss_events_drain", "ss_events_dropped", "ss_write_slabinfo", "ss_write_buddyinfo",
            "mallopt", "malloc_trim");
    /** The environment variable that turns debug mode on (slabscope.h). */
    static final String DEBUG_ENV = "SLABSCOPE_DEBUG";

    /** A bound shim (problem null), or the problem. */
    record Result(Shim shim, String problem, List<String> notes) {
        static Result inactive(String problem) {
            return new Result(null, problem, List.of());
        }
    }

    private ShimBinding() {
    }

    static Result bind() {
        NativeLibrary p = NativeLibrary.getProcess();
        boolean snapshot = has(p, "ss_snapshot");
        if (!has(p, "ss_version")) {
            return Result.inactive(snapshot
                    ? "the preloaded libslabscope has no ss_version, so it is no build this agent knows; agent inactive"
                    : Agent.NOT_PRELOADED);
        }
        String version = p.getFunction("ss_version").invokeString(new Object[0], false);
        int format = Shim.shmFormat(version);
        if (format != SnapshotParser.VERSION) {
            return Result.inactive("libslabscope in this process is '" + version + "': "
                    + (format < 0 ? "it names no shared-memory format" : "shared-memory format " + format)
                    + ", this agent reads format " + SnapshotParser.VERSION + "; agent inactive");
        }
        for (String name : REQUIRED) {
            if (!has(p, name)) {
                return Result.inactive("libslabscope in this process ('" + version + "') lacks " + name
                        + " (an older or incomplete build); agent inactive");
            }
        }
        Shim shim;
        try {
            shim = Shim.open();
        } catch (NotUnderShimException e) {
            return Result.inactive("libslabscope in this process ('" + version + "') " + e.getMessage()
                    + "; agent inactive");
        }
        String debug = System.getenv(DEBUG_ENV);
        if (debug != null && !debug.isEmpty() && !shim.hasDebugMode()) {
            return new Result(shim, null, List.of(DEBUG_ENV + "=" + debug + " is set, but libslabscope in this process ('"
                    + version + "') predates debug mode (no " + Shim.VALIDATE + "): no corruption events, validate() "
                    + "unavailable"));
        }
        return new Result(shim, null, List.of());
    }

    private static boolean has(NativeLibrary p, String name) {
        try {
            p.getFunction(name);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}
