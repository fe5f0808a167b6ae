package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-checking C programs from native-shim/tests/c, built into target/test-bin:
 * every {@code t_*} must exit 0 under the shim; every {@code t_abort_*} must instead be
 * killed by SIGABRT (exit code 134) after printing a {@code slabscope:} line on stderr.
 */
class CSelfTests {

    private static final int SIGABRT_EXIT = 128 + 6;

    @TempDir
    Path work;

    @TestFactory
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    Stream<DynamicTest> selfCheckingProgramsPassUnderTheShim() throws IOException {
        assumeTrue(ShimLibrary.isSlabscope(), "foreign allocator preloaded: slabscope's own tests skipped");
        ShimRunner runner = new ShimRunner(work);
        return programs().stream().map(program -> {
            String name = program.getFileName().toString();
            return DynamicTest.dynamicTest(name, () -> {
                RunResult run = runner.run(Mode.SHIM, Command.of(program.toString()).in(work));
                if (name.startsWith("t_abort_")) {
                    Comparison.assertExit(run, SIGABRT_EXIT);
                    assertTrue(run.stderrText().lines().anyMatch(line -> line.startsWith("slabscope:")),
                            "expected a line starting with `slabscope:` on stderr: " + run.describe());
                } else {
                    Comparison.assertExit(run, 0);
                }
            });
        });
    }

    private static List<Path> programs() throws IOException {
        Path dir = ShimLibrary.testBinDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files
                    .filter(f -> f.getFileName().toString().startsWith("t_"))
                    .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
