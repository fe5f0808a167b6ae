package io.slabscope.shim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tests/c/stress.c: producer/consumer threads with cross-thread frees, realloc chains,
 * calloc, posix_memalign, and fork() while other threads allocate.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StressProgramTest {

    /** stress.c forks this many children, each of which exits normally. */
    private static final int FORKS = 3;

    @TempDir
    Path work;

    @Test
    void stressProgramSurvivesTheShim() throws Exception {
        Path stress = ShimLibrary.testProgram("stress");

        Comparison run = new ShimRunner(work)
                .compare(Command.of(stress.toString()).withTimeout(Duration.ofMinutes(3)));

        run.assertSameStdout().assertSameStderr();
        Reports reports = run.shim().reports().assertNoInvalidFrees();
        // the parent and each fork child write their own report
        reports.assertAtLeast(1 + FORKS);
        run.shim().mainReport()
                .assertAtLeast("malloc_calls", 50_000)
                .assertAtLeast("free_calls", 50_000)
                .assertAtLeast("calloc_calls", 1_000)
                .assertAtLeast("realloc_calls", 10_000)
                .assertAtLeast("memalign_calls", 1_000)
                .assertAtLeast("slab_allocs", 10_000)
                .assertAtLeast("medium_allocs", 1_000)
                .assertAtLeast("mmap_allocs", 1);
        for (Report child : reports.all()) {
            child.assertAtLeast("malloc_calls", 1_000);
        }
    }
}
