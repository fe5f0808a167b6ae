package io.slabscope.shim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * python3 runs an allocation-heavy script (dicts, lists, strings, bytes; hundreds of
 * thousands of objects) with {@code PYTHONMALLOC=malloc}, so every object goes through the shim.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PythonAllocationTest {

    @TempDir
    Path work;

    @Test
    void pythonScriptPrintsTheSameChecksum() throws Exception {
        // the distribution's interpreter, not a version-manager wrapper script
        Path python = Programs.require("python3", "/usr/bin/python3");
        Path script = work.resolve("alloc_heavy.py");
        try (InputStream in = getClass().getResourceAsStream("alloc_heavy.py")) {
            if (in == null) {
                throw new IOException("missing test resource alloc_heavy.py");
            }
            Files.copy(in, script);
        }

        Command command = Command.of(python.toString(), script.toString())
                .withEnv(Map.of("PYTHONHASHSEED", "0", "PYTHONMALLOC", "malloc", "PYTHONDONTWRITEBYTECODE", "1"));
        Comparison run = new ShimRunner(work).compare(command);

        run.assertSameStdout().assertSameStderr();
        run.shim().mainReport()
                .assertAtLeast("malloc_calls", 500_000)
                .assertAtLeast("free_calls", 400_000)
                .assertAtLeast("realloc_calls", 1_000)
                .assertAtLeast("slab_allocs", 100_000)
                .assertAtLeast("brk_grows", 1);
        run.shim().reports().assertNoInvalidFrees();
    }
}
