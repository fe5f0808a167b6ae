package io.slabscope.shim;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -version}: the JVM starts and prints the same banner (on stderr) under the shim. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JavaVersionTest {

    @TempDir
    Path work;

    @Test
    void javaVersionIsUnchangedUnderTheShim() throws Exception {
        Path java = Programs.jdkTool("java");

        Comparison run = new ShimRunner(work).compare(Command.of(java.toString(), "-version"));

        run.assertSameStdout().assertSameStderr();
        run.shim().mainReport().assertAtLeast("malloc_calls", 1_000);
        run.shim().reports().assertNoInvalidFrees();
    }
}
