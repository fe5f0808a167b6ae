package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The same command run without and with the shim, and the checks that they behaved alike. */
record Comparison(RunResult baseline, RunResult shim) {

    /** Both runs exited with {@code expectedExit} and wrote the same standard output. */
    Comparison assertSameStdout(int expectedExit) {
        assertExit(baseline, expectedExit);
        assertExit(shim, expectedExit);
        TextDiff.assertSame("stdout of `" + shim.command() + "`", baseline.stdoutText(), shim.stdoutText());
        return this;
    }

    Comparison assertSameStdout() {
        return assertSameStdout(0);
    }

    /** Both runs wrote the same standard error (for programs that report there, e.g. java -version). */
    Comparison assertSameStderr() {
        TextDiff.assertSame("stderr of `" + shim.command() + "`", baseline.stderrText(), shim.stderrText());
        return this;
    }

    static void assertExit(RunResult run, int expectedExit) {
        if (run.exitCode() != expectedExit) {
            fail("expected exit code " + expectedExit + ": " + run.describe());
        }
    }

    /** Byte-for-byte equality of two files' contents, e.g. object or class files. */
    static void assertSameBytes(String what, byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, what + ": sizes differ");
        assertArrayEquals(expected, actual, what + ": contents differ");
    }
}
