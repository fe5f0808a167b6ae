package io.slabscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.testing.LiveChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a live subject: help, usage errors, exit codes, run. */
@Timeout(60)
class CliTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path tmp;

    @Test
    void helpForEveryCommand() {
        Captured top = Captured.run("--help");
        assertEquals(0, top.code);
        for (String c : List.of("run", "ps", "slabinfo", "buddyinfo", "top", "layout")) {
            assertTrue(top.out.contains("  " + c + " "), c);
            Captured h = Captured.run(c, "--help");
            assertEquals(0, h.code, h.toString());
            assertTrue(h.out.startsWith("usage: slabscope " + c), h.toString());
            assertEquals(h.out, Captured.run("help", c).out);
        }
        assertEquals(2, Captured.run().code);
        assertTrue(Captured.run("--help").out.contains("  attach "));   // the agent, attached to a running JVM
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        Captured unknown = Captured.run("frobnicate");
        assertEquals(ExitCodes.USAGE, unknown.code);
        assertEquals("slabscope: unknown command 'frobnicate' (see slabscope --help)\n", unknown.err);
        assertEquals("slabscope slabinfo: slabscope slabinfo needs a PID\n", Captured.run("slabinfo").err);
        assertEquals("slabscope slabinfo: not a PID: 'abc'\n", Captured.run("slabinfo", "abc").err);
        assertEquals("slabscope slabinfo: not a PID: '0'\n", Captured.run("slabinfo", "0").err);
        assertEquals(ExitCodes.USAGE, Captured.run("buddyinfo", "1", "2").code);
        assertEquals("slabscope top: unknown option --bogus (see slabscope top --help)\n",
                Captured.run("top", "1", "--bogus").err);
        assertTrue(Captured.run("top", "1", "--sort", "x").err.contains("unknown sort key 'x'"));
        assertTrue(Captured.run("top", "1", "--delay", "-1").err.contains("--delay wants a number of seconds"));
        assertTrue(Captured.run("layout", "1", "--width", "3").err.contains("--width wants a whole number from 8"));
        assertTrue(Captured.run("run").err.contains("no command to run"));
        assertTrue(Captured.run("run", "--mmap-threshold", "lots", "--", "true").err
                .contains("--mmap-threshold wants a size like 131072, 128k, 2M or 1g, not 'lots'"));
        assertEquals(ExitCodes.USAGE, Captured.run("ps", "extra").code);
    }

    @Test
    void aProcessNotUnderTheShim() {
        // this JVM runs without the shim
        for (String c : List.of("slabinfo", "buddyinfo", "top", "layout")) {
            Captured r = c.equals("top") ? Captured.run(c, SELF, "--once") : Captured.run(c, SELF);
            assertEquals(ExitCodes.NOT_UNDER_SHIM, r.code, r.toString());
            assertEquals(1, r.err.lines().count(), r.toString());
            assertTrue(r.err.startsWith("slabscope: process " + SELF + " does not run under slabscope"), r.err);
        }
    }

    @Test
    void aProcessThatIsGone() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Captured r = Captured.run("slabinfo", Long.toString(p.pid()));
        assertEquals(ExitCodes.PROCESS_GONE, r.code, r.toString());
        assertEquals("slabscope: no process " + p.pid() + "\n", r.err);
    }

    @Test
    void runPassesTheEnvironmentAndTheExitCode() throws Exception {
        LiveChild.assumeAvailable();
        Path env = tmp.resolve("env");
        Path report = tmp.resolve("report.%p");
        // bash, not sh: dash leaves with _exit() and the shim's exit report never runs
        Captured r = Captured.run("run", "--mmap-threshold", "64k", "--trim-threshold", "1M", "--report", report.toString(),
                "--", "bash", "-c", "echo \"$LD_PRELOAD|$SLABSCOPE_MMAP_THRESHOLD|$SLABSCOPE_TRIM_THRESHOLD\" > " + env
                        + "; exit 7");
        assertEquals(7, r.code, r.toString());
        String[] f = Files.readString(env).trim().split("\\|");
        assertEquals(LiveChild.LIBRARY.toString(), f[0].split(":")[0]);
        assertEquals("65536", f[1]);
        assertEquals("1048576", f[2]);
        try (var files = Files.list(tmp)) {
            Path written = files.filter(p -> p.getFileName().toString().startsWith("report.")).findFirst().orElseThrow();
            assertTrue(Files.readString(written).contains("malloc_calls "), "the shim wrote its exit report");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        }
    }

    /** run --debug sets SLABSCOPE_DEBUG: FZPU alone, or the flags and caches given; a bad spec is a usage error. */
    @Test
    void runDebugSetsDebugMode() throws Exception {
        LiveChild.assumeAvailable();
        Path env = tmp.resolve("debug-env");
        for (String[] c : new String[][] {{"--debug", "FZPU"}, {"--debug=FZ", "FZ"},
            {"--debug=FZ,kmalloc-64,conn_*", "FZ,kmalloc-64,conn_*"}, {"--debug=FZPUS", "FZPUS"}, {"--debug=FZ,kmalloc-64;P,kmalloc-128",
                "FZ,kmalloc-64;P,kmalloc-128"}, {"--debug=all", "all"}}) {
            Captured r = Captured.run("run", c[0], "--", "bash", "-c", "echo \"[$SLABSCOPE_DEBUG]\" > " + env);
            assertEquals(0, r.code, r.toString());
            assertEquals("[" + c[1] + "]", Files.readString(env).trim(), c[0]);
        }
        Captured none = Captured.run("run", "--", "bash", "-c", "echo \"[$SLABSCOPE_DEBUG]\" > " + env);
        assertEquals(0, none.code, none.toString());
        assertEquals("[]", Files.readString(env).trim(), "no --debug, no debug mode");
        for (String bad : List.of("--debug=XY", "--debug=", "--debug=FZ,", "--debug=FZ;;P")) {
            Captured r = Captured.run("run", bad, "--", "true");
            assertEquals(ExitCodes.USAGE, r.code, bad);
            assertTrue(r.err.startsWith("slabscope run: --debug wants flags from F, Z, P, U, S"), r.err);
        }
        String help = Captured.run("run", "--help").out;
        assertTrue(help.contains("--debug[=SPEC]") && help.contains("SLABSCOPE_DEBUG") && help.contains("SLABSCOPE_ABORT=0"),
                help);
    }

    @Test
    void slabinfoNamesTheDebuggingCaches() throws Exception {
        io.slabscope.testing.SnapshotBytes sb = io.slabscope.testing.SnapshotBytes.sample();
        assertEquals("", SlabinfoCommand.debugLines(parse(sb)));
        sb.caches.get(0).flags = 0xf << 8;
        sb.caches.get(2).flags = 0x3 << 8;
        assertEquals("# debug FZ: inode_cache\n# debug FZPU: kmalloc-64\n", SlabinfoCommand.debugLines(parse(sb)));
        sb.caches.forEach(c -> c.flags = 0xf << 8);
        assertEquals("# debug FZPU: all 3 caches\n", SlabinfoCommand.debugLines(parse(sb)));
    }

    private static io.slabscope.model.Snapshot parse(io.slabscope.testing.SnapshotBytes sb) throws Exception {
        return io.slabscope.model.SnapshotParser.parse(java.nio.ByteBuffer.wrap(sb.build()));
    }

    @Test
    void runPrependsToAnExistingPreload() {
        assertEquals("/l/libslabscope.so", RunCommand.preload("/l/libslabscope.so", null));
        assertEquals("/l/libslabscope.so", RunCommand.preload("/l/libslabscope.so", " "));
        assertEquals("/l/libslabscope.so:/x/a.so:b.so", RunCommand.preload("/l/libslabscope.so", "/x/a.so b.so"));
        assertEquals("/l/libslabscope.so:/x/a.so", RunCommand.preload("/l/libslabscope.so", "/x/a.so:/l/libslabscope.so"));
    }

    @Test
    void runReportsACommandThatCannotStart() {
        Captured r = Captured.run("run", "--", tmp.resolve("no-such-program").toString());
        assertEquals(ExitCodes.CANNOT_EXECUTE, r.code, r.toString());
        assertTrue(r.err.startsWith("slabscope run: cannot run " + tmp.resolve("no-such-program")), r.err);
    }

    @Test
    void theShimInsideTheJarIsExtractedPrivately() throws Exception {
        LiveChild.assumeAvailable();
        Path lib;
        Path dir;
        try (ShimLibrary s = ShimLibrary.extract()) {
            lib = s.path();
            dir = lib.getParent();
            assertTrue(s.extracted());
            assertTrue(Files.isRegularFile(lib));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertTrue(LiveChild.exportsSnapshot(lib), "the packaged library is the shim");
        }
        assertFalse(Files.exists(lib));
        assertFalse(Files.exists(dir));
    }

    @Test
    void sizes() throws Exception {
        assertEquals(131072, Units.size("131072", "x"));
        assertEquals(128 << 10, Units.size("128k", "x"));
        assertEquals(2 << 20, Units.size("2M", "x"));
        assertEquals(1L << 30, Units.size("1g", "x"));
        assertEquals("1023B", Units.bytes(1023));
        assertEquals("1.5K", Units.bytes(1536));
        assertEquals("3.0M", Units.bytes(3 << 20));
        assertEquals("100K", Units.bytes(100 << 10));
    }
}
