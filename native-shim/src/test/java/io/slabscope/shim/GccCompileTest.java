package io.slabscope.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gcc -O2 -c} of a large generated C file: the driver, cc1 and as all run under the
 * shim and the object file comes out byte-identical.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GccCompileTest {

    private static final int FUNCTIONS = 2000;

    @TempDir
    Path work;

    @Test
    void gccProducesTheSameObjectFile() throws Exception {
        Path gcc = Programs.require("gcc");
        Path nm = Programs.require("nm");
        ShimRunner runner = new ShimRunner(work);

        String source = BigCSource.generate(FUNCTIONS);
        Path baselineDir = Files.createDirectories(work.resolve("gcc-baseline"));
        Path shimDir = Files.createDirectories(work.resolve("gcc-shim"));
        Files.writeString(baselineDir.resolve("big.c"), source);
        Files.writeString(shimDir.resolve("big.c"), source);

        Command compile = Command.of(gcc.toString(), "-O2", "-c", "big.c", "-o", "big.o");
        RunResult baseline = runner.run(Mode.BASELINE, compile.in(baselineDir));
        RunResult shim = runner.run(Mode.SHIM, compile.in(shimDir));
        new Comparison(baseline, shim).assertSameStdout().assertSameStderr();

        Comparison.assertSameBytes("big.o", Files.readAllBytes(baselineDir.resolve("big.o")),
                Files.readAllBytes(shimDir.resolve("big.o")));
        new Comparison(symbols(runner, nm, baselineDir), symbols(runner, nm, shimDir)).assertSameStdout();

        // gcc driver + cc1 + as, each with its own report
        Reports reports = shim.reports().assertAtLeast(3).assertNoInvalidFrees();
        shim.mainReport().assertAtLeast("malloc_calls", 100);
        Report cc1 = reports.all().stream()
                .max((a, b) -> Long.compare(a.get("malloc_calls"), b.get("malloc_calls")))
                .orElseThrow();
        cc1.assertAtLeast("malloc_calls", 50_000).assertAtLeast("slab_allocs", 10_000);
    }

    private static RunResult symbols(ShimRunner runner, Path nm, Path dir) throws IOException, InterruptedException {
        RunResult result = runner.run(Mode.BASELINE, Command.of(nm.toString(), "big.o").in(dir));
        Comparison.assertExit(result, 0);
        return result;
    }
}
