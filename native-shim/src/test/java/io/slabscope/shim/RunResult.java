package io.slabscope.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The outcome of one finished process.
 *
 * @param command    what was run
 * @param mode       with or without the shim
 * @param pid        the process id of the started program
 * @param exitCode   its exit code; 128 + n when killed by signal n
 * @param stdout     everything it wrote to standard output
 * @param stderr     everything it wrote to standard error
 * @param elapsed    wall-clock time
 * @param reportDir  where the shim wrote its per-process reports (SHIM mode only, else null)
 */
record RunResult(Command command, Mode mode, long pid, int exitCode, byte[] stdout, byte[] stderr,
                 Duration elapsed, Path reportDir) {

    String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** The reports of this run and all processes it started (SHIM mode only). */
    Reports reports() {
        if (reportDir == null) {
            throw new IllegalStateException("a " + mode + " run has no shim reports: " + command);
        }
        return Reports.load(reportDir);
    }

    /** The report of the started process itself. */
    Report mainReport() {
        return reports().forPid(pid);
    }

    /** A few lines for assertion messages: command, mode, exit code, end of stderr. */
    String describe() {
        return mode + " run of `" + command + "` (pid " + pid + ") exited with " + exitCode
                + " after " + elapsed.toMillis() + " ms" + tail("stderr", stderrText()) + tail("stdout", stdoutText());
    }

    private static String tail(String label, String text) {
        if (text.isEmpty()) {
            return "";
        }
        List<String> lines = Arrays.asList(text.split("\n", -1));
        int from = Math.max(0, lines.size() - 15);
        return "\n--- " + label + " (last " + (lines.size() - from) + " lines) ---\n"
                + String.join("\n", lines.subList(from, lines.size()));
    }
}
