package io.slabscope.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code slabscope run [options] -- CMD ARGS...}: runs a command under the shim. */
final class RunCommand implements Command {

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a command under libslabscope.so (LD_PRELOAD)";
    }

    @Override
    public String help() {
        return """
                usage: slabscope run [--mmap-threshold N] [--trim-threshold N] [--report FILE]
                                     [--debug[=FLAGS[,CACHE...][;FLAGS,CACHE...]]] -- CMD [ARGS...]

                Runs CMD with libslabscope.so prepended to LD_PRELOAD, with this terminal's input and
                output, and exits with CMD's exit code (128+N if a signal N killed it, 127 if it could
                not be started). While it runs, `slabscope ps` lists it and the other commands read it.

                  --mmap-threshold N  allocations from N bytes up get their own mapping
                                      (SLABSCOPE_MMAP_THRESHOLD; N like 131072, 128k, 2M; at most 32M)
                  --trim-threshold N  give the top of the heap back once N bytes are free there
                                      (SLABSCOPE_TRIM_THRESHOLD)
                  --report FILE       at exit, the process writes its figures to FILE
                                      (SLABSCOPE_REPORT; %p in FILE becomes the pid)
                  --debug[=SPEC]      slab debug mode, as the kernel's slub_debug (SLABSCOPE_DEBUG):
                                      F sanity checks of free maps and slab metadata, Z red zones
                                      around every object, P poisoning of free objects, U the
                                      last owner (thread, call site) of every object, S with U
                                      whole call stacks (slow). Plain --debug is FZPU on every
                                      cache; --debug=FZ only F and Z; --debug=FZ,kmalloc-64,conn_*
                                      only on those caches; --debug='FZ,kmalloc-64;P,kmalloc-128'
                                      per cache. A damaged object is reported on stderr (and to
                                      the Java agent: a Slab Corruption event, a JMX
                                      notification), then the process aborts, unless
                                      SLABSCOPE_ABORT=0 is set: then the bytes are repaired and it
                                      goes on. Debug mode makes allocation slower and objects
                                      larger; `slabscope slabinfo PID` names the debugging caches.

                The library is native-shim/target/libslabscope.so of the build tree if present, else
                the copy inside the slabscope jar (extracted to a private temporary directory), or
                the file named by SLABSCOPE_LIBRARY.
                """;
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of(), Set.of("--mmap-threshold", "--trim-threshold", "--report"),
                Set.of("--debug"), true);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        List<String> cmd = a.positional();
        if (cmd.isEmpty()) {
            throw new UsageException("no command to run (slabscope run -- CMD ARGS...)");
        }
        Long mmap = a.value("--mmap-threshold").isPresent() ? Units.size(a.value("--mmap-threshold").get(),
                "--mmap-threshold") : null;
        if (mmap != null && mmap > (32L << 20)) {
            throw new UsageException("--mmap-threshold is at most 32M");
        }
        Long trim = a.value("--trim-threshold").isPresent() ? Units.size(a.value("--trim-threshold").get(),
                "--trim-threshold") : null;
        String debug = a.flag("--debug") ? DebugSpec.ALL : null;
        if (a.value("--debug").isPresent()) {
            debug = DebugSpec.check(a.value("--debug").get());
        }

        try (ShimLibrary lib = ShimLibrary.locate()) {
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            Map<String, String> env = pb.environment();
            env.put("LD_PRELOAD", preload(lib.path().toString(), env.get("LD_PRELOAD")));
            if (mmap != null) {
                env.put("SLABSCOPE_MMAP_THRESHOLD", Long.toString(mmap));
            }
            if (trim != null) {
                env.put("SLABSCOPE_TRIM_THRESHOLD", Long.toString(trim));
            }
            if (debug != null) {
                env.put(DebugSpec.ENV, debug);
            }
            a.value("--report").ifPresent(f -> env.put("SLABSCOPE_REPORT", Path.of(f).toAbsolutePath().toString()));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                io.err().println("slabscope run: cannot run " + cmd.get(0) + ": " + reason(e));
                return ExitCodes.CANNOT_EXECUTE;
            }
            Signals.forwardTo(p);
            return p.waitFor();
        }
    }

    /** LD_PRELOAD with the shim first (and only once); the existing entries follow. */
    static String preload(String lib, String existing) {
        StringBuilder b = new StringBuilder(lib);
        if (existing != null) {
            for (String e : existing.split("[: ]+")) {
                if (!e.isEmpty() && !e.equals(lib)) {
                    b.append(':').append(e);
                }
            }
        }
        return b.toString();
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("error=");
        if (i >= 0) {
            int comma = m.indexOf(',', i);
            return comma > 0 ? m.substring(comma + 1).trim() : m;
        }
        return m;
    }
}
