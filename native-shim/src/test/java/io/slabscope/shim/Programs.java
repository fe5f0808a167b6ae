package io.slabscope.shim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the real programs the suite runs; a test is skipped only when its program is not installed. */
final class Programs {

    private Programs() {
    }

    /** {@code name} on PATH (first hit), or the test is skipped. */
    static Path require(String name) {
        Optional<Path> found = onPath(name);
        assumeTrue(found.isPresent(), name + " is not installed (scripts/setup.sh installs it)");
        return found.get();
    }

    /** The first of {@code candidates} (absolute paths) that exists, else {@code name} on PATH, else skip. */
    static Path require(String name, String... candidates) {
        for (String candidate : candidates) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return require(name);
    }

    /** A tool of the JDK running the tests ({@code java}, {@code javac}, {@code jcmd}). */
    static Path jdkTool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        assumeTrue(Files.isExecutable(tool), tool + " is not present in this JDK");
        return tool;
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
