package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A started process whose standard output and error go to files, so that it can
 * neither block on a full pipe nor lose output. Killed with all its descendants if
 * it outlives its command's timeout.
 */
final class RunningProcess {

    private final Command command;
    private final Mode mode;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final Path reportDir;
    private final long startNanos;

    RunningProcess(Command command, Mode mode, Process process, Path stdoutFile, Path stderrFile,
                   Path reportDir, long startNanos) {
        this.command = command;
        this.mode = mode;
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
        this.reportDir = reportDir;
        this.startNanos = startNanos;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Standard output written so far. */
    String stdoutSoFar() {
        return read(stdoutFile);
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until standard output contains {@code text}; fails if the process exits or time runs out. */
    void awaitOutput(String text, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!stdoutSoFar().contains(text)) {
            if (!process.isAlive()) {
                fail("process exited before printing \"" + text + "\": " + awaitExit().describe());
            }
            if (System.nanoTime() > deadline) {
                kill();
                fail("no \"" + text + "\" on stdout within " + limit + ": " + command);
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the process within the command's timeout; kills it and fails the test otherwise. */
    RunResult awaitExit() throws InterruptedException {
        long remaining = command.timeout().toNanos() - (System.nanoTime() - startNanos);
        if (!process.waitFor(Math.max(0, remaining), TimeUnit.NANOSECONDS)) {
            kill();
            fail("timed out after " + command.timeout() + ": " + result(-1).describe());
        }
        return result(process.exitValue());
    }

    /** Kills the process and every descendant. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private RunResult result(int exitCode) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return new RunResult(command, mode, process.pid(), exitCode, bytes(stdoutFile), bytes(stderrFile),
                elapsed, reportDir);
    }

    private static String read(Path file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
