package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcmd PID System.trim_native_heap} against a JVM running under the shim: the JVM
 * calls malloc_trim(3), which the shim must count.
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

    @Test
    void trimNativeHeapReachesTheShim() throws Exception {
        Path java = Programs.jdkTool("java");
        Path javac = Programs.jdkTool("javac");
        Path jcmd = Programs.jdkTool("jcmd");
        ShimRunner runner = new ShimRunner(work);

        Path classes = Files.createDirectories(work.resolve("sleeper"));
        Files.writeString(classes.resolve("Sleeper.java"), SLEEPER);
        Comparison.assertExit(runner.run(Mode.BASELINE,
                Command.of(javac.toString(), "-d", classes.toString(), classes.resolve("Sleeper.java").toString())), 0);

        RunningProcess target = runner.start(Mode.SHIM,
                Command.of(java.toString(), "-cp", classes.toString(), "Sleeper").withOpenStdin());
        RunResult trim;
        try {
            target.awaitOutput("READY", Duration.ofSeconds(60));
            trim = runner.run(Mode.BASELINE,
                    Command.of(jcmd.toString(), Long.toString(target.pid()), "System.trim_native_heap"));
        } finally {
            target.closeStdin();
        }
        RunResult sleeper = target.awaitExit();

        Comparison.assertExit(trim, 0);
        // JDK 17.0.15 prints "<pid>:" then "Trim native heap: RSS+Swap: 37696K->37000K (-696K)"
        assertTrue(trim.stdoutText().startsWith(target.pid() + ":"), trim.describe());
        assertTrue(trim.stdoutText().contains("Trim native heap"), trim.describe());
        assertFalse(trim.stdoutText().contains("Not available"), trim.describe());

        Comparison.assertExit(sleeper, 0);
        assertTrue(sleeper.stdoutText().contains("BYE"), sleeper.describe());
        sleeper.mainReport().assertAtLeast("trim_calls", 1).assertAtLeast("malloc_calls", 1_000);
        sleeper.reports().assertNoInvalidFrees();
    }
}
