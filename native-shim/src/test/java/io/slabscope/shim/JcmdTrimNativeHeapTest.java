package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jcmd's native heap commands against a JVM running under the shim: {@code System.trim_native_heap}
 * calls malloc_trim(3), which the shim must count; {@code System.native_heap_info} prints
 * malloc_info(3), which must describe the shim's heap.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JcmdTrimNativeHeapTest {

    private static final String SLEEPER = """
            import java.util.ArrayList;
            import java.util.List;

            public class Sleeper {
                public static void main(String[] args) throws Exception {
                    List<String> garbage = new ArrayList<>();
                    for (int i = 0; i < 100_000; i++) {
                        garbage.add("entry-" + i);
                    }
                    System.out.println("READY " + garbage.size());
                    System.out.flush();
                    while (System.in.read() != -1) {
                        // wait until the test closes stdin
                    }
                    System.out.println("BYE");
                }
            }
            """;

    @TempDir
    Path work;

    /** What jcmd printed, and how the JVM under the shim ended. */
    private record Outcome(RunResult jcmd, RunResult target) {
    }

    /** Runs Sleeper under the shim on the JDK at {@code jdk} and {@code jcmd PID command} against it. */
    private Outcome jcmdAgainstShim(Path jdk, String command) throws Exception {
        Path java = jdk.resolve("bin/java");
        Path javac = jdk.resolve("bin/javac");
        Path jcmd = jdk.resolve("bin/jcmd");
        assumeTrue(Files.isExecutable(jcmd), jcmd + " is not present");
        ShimRunner runner = new ShimRunner(work);

        Path classes = Files.createDirectories(work.resolve("sleeper"));
        Files.writeString(classes.resolve("Sleeper.java"), SLEEPER);
        Comparison.assertExit(runner.run(Mode.BASELINE,
                Command.of(javac.toString(), "-d", classes.toString(), classes.resolve("Sleeper.java").toString())), 0);

        RunningProcess target = runner.start(Mode.SHIM,
                Command.of(java.toString(), "-cp", classes.toString(), "Sleeper").withOpenStdin());
        RunResult out;
        try {
            target.awaitOutput("READY", Duration.ofSeconds(60));
            out = runner.run(Mode.BASELINE, Command.of(jcmd.toString(), Long.toString(target.pid()), command));
        } finally {
            target.closeStdin();
        }
        RunResult sleeper = target.awaitExit();
        Comparison.assertExit(out, 0);
        assertTrue(out.stdoutText().startsWith(target.pid() + ":"), out.describe());
        Comparison.assertExit(sleeper, 0);
        assertTrue(sleeper.stdoutText().contains("BYE"), sleeper.describe());
        sleeper.reports().assertNoInvalidFrees();
        return new Outcome(out, sleeper);
    }

    @Test
    void trimNativeHeapReachesTheShim() throws Exception {
        Outcome o = jcmdAgainstShim(Path.of(System.getProperty("java.home")), "System.trim_native_heap");
        // JDK 17.0.15 prints "<pid>:" then "Trim native heap: RSS+Swap: 37696K->37000K (-696K)"
        assertTrue(o.jcmd().stdoutText().contains("Trim native heap"), o.jcmd().describe());
        assertFalse(o.jcmd().stdoutText().contains("Not available"), o.jcmd().describe());
        o.target().mainReport().assertAtLeast("trim_calls", 1).assertAtLeast("malloc_calls", 1_000);
    }

    /**
     * {@code System.native_heap_info} (JDK 21 and later) prints what malloc_info(3) writes: the
     * shim's heap in glibc's XML, not glibc's empty arena: a heap of some size, the kmalloc caches
     * and their objects.
     */
    @Test
    void nativeHeapInfoShowsTheShimsHeap() throws Exception {
        Path jdk25 = Path.of(System.getProperty("slabscope.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        String xml = jcmdAgainstShim(jdk25, "System.native_heap_info").jcmd().stdoutText();
        assertTrue(xml.contains("<malloc version=\"1\">\n<heap nr=\"0\">"), xml);
        assertTrue(xml.strip().endsWith("</malloc>"), xml);
        Matcher heap = Pattern.compile("<system type=\"current\" size=\"(\\d+)\"/>").matcher(xml);
        assertTrue(heap.find() && Long.parseLong(heap.group(1)) >= 1 << 20, "the JVM's heap is megabytes:\n" + xml);
        Matcher cache = Pattern.compile("<cache name=\"kmalloc-32\" objsize=\"\\d+\" active=\"(\\d+)\"").matcher(xml);
        // objsize is the slot, as in /proc/slabinfo: 32 bytes, more under SLABSCOPE_DEBUG
        assertTrue(cache.find() && Long.parseLong(cache.group(1)) >= 1_000, "kmalloc-32 in use:\n" + xml);
        assertTrue(xml.contains("<total type=\"mmap\" count=\""), xml);
    }
}
