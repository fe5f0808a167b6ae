package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tests/fuzz/run.sh: the libFuzzer harness of the allocator API (fuzz_malloc.c), built with
 * clang, runs for a bounded time on the committed corpus and must find nothing. Skipped only
 * when clang is not installed (scripts/setup.sh installs it).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FuzzerTest {

    /** Seconds of fuzzing in the build; longer runs: {@code tests/fuzz/run.sh 900}. */
    private static final int SECONDS = 60;

    private static final Pattern SUMMARY =
            Pattern.compile("fuzz_malloc: (\\d+) executions in \\d+ s, (\\d+) exec/s, corpus \\d+ files, exit 0");

    @TempDir
    Path work;

    @Test
    void fuzzerFindsNothingInBoundedRun() throws Exception {
        Programs.require("clang");
        Path script = Path.of(System.getProperty("slabscope.fuzzScript", "tests/fuzz/run.sh")).toAbsolutePath();
        // the fuzz binary carries its own copy of the allocator: run it without the shim
        RunResult run = new ShimRunner(work).run(Mode.BASELINE,
                Command.of("bash", script.toString(), Integer.toString(SECONDS))
                        .withTimeout(Duration.ofSeconds(SECONDS + 240)));

        Comparison.assertExit(run, 0);
        Matcher summary = SUMMARY.matcher(run.stdoutText());
        assertTrue(summary.find(), "no executions summary line: " + run.describe());
        assertTrue(Long.parseLong(summary.group(1)) >= 1000,
                "the fuzzer ran fewer than 1000 inputs in " + SECONDS + " s: " + run.describe());
        System.out.println(summary.group());
    }
}
