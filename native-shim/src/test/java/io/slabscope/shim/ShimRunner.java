package io.slabscope.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs commands with or without {@code LD_PRELOAD=libslabscope.so}.
 *
 * <p>Both modes get the same environment (the test JVM's, with {@code LC_ALL=C},
 * {@code TZ=UTC}, without any inherited {@code LD_PRELOAD}/{@code SLABSCOPE_*}),
 * plus the command's own variables. SHIM mode adds {@code LD_PRELOAD} and
 * {@code SLABSCOPE_REPORT=<fresh dir>/report.%p}, one directory per run, and
 * {@code SLABSCOPE_DEBUG} when the system property {@code slabscope.debug} is set.
 */
final class ShimRunner {

    private final Path workRoot;
    private final AtomicInteger runs = new AtomicInteger();

    /** @param workRoot a scratch directory (e.g. a JUnit {@code @TempDir}) for outputs and reports */
    ShimRunner(Path workRoot) {
        this.workRoot = workRoot;
    }

    /** Runs the command without the shim, then with it. */
    Comparison compare(Command command) throws IOException, InterruptedException {
        RunResult baseline = run(Mode.BASELINE, command);
        RunResult shim = run(Mode.SHIM, command);
        return new Comparison(baseline, shim);
    }

    RunResult run(Mode mode, Command command) throws IOException, InterruptedException {
        return start(mode, command).awaitExit();
    }

    RunningProcess start(Mode mode, Command command) throws IOException {
        Path runDir = Files.createDirectories(
                workRoot.resolve("run-" + runs.incrementAndGet() + "-" + mode.name().toLowerCase()));
        Path stdout = runDir.resolve("stdout");
        Path stderr = runDir.resolve("stderr");
        Path reportDir = mode == Mode.SHIM ? Files.createDirectories(runDir.resolve("reports")) : null;

        ProcessBuilder builder = new ProcessBuilder(command.argv())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (command.directory() != null) {
            builder.directory(command.directory().toFile());
        }
        if (command.stdin() != null && command.stdin().length == 0) {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        configureEnvironment(builder.environment(), mode, reportDir, command);

        long startNanos = System.nanoTime();
        Process process = builder.start();
        if (command.stdin() != null && command.stdin().length > 0) {
            try (var in = process.getOutputStream()) {
                in.write(command.stdin());
            } catch (IOException e) {
                // the program exited without reading all input; its exit code will tell
            }
        }
        return new RunningProcess(command, mode, process, stdout, stderr, reportDir, startNanos);
    }

    private static void configureEnvironment(Map<String, String> env, Mode mode, Path reportDir, Command command) {
        env.remove("LD_PRELOAD");
        env.keySet().removeIf(name -> name.startsWith("SLABSCOPE_"));
        env.put("LC_ALL", "C");
        env.put("TZ", "UTC");
        env.putAll(command.env());
        if (mode == Mode.SHIM) {
            env.put("LD_PRELOAD", ShimLibrary.library().toString());
            env.put("SLABSCOPE_REPORT", reportDir.resolve("report.%p").toString());
            String debug = System.getProperty("slabscope.debug", "");
            if (!debug.isEmpty()) {
                env.putIfAbsent("SLABSCOPE_DEBUG", debug);   // the suite's second run (pom.xml)
            }
        }
    }
}
