package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the preloadable library and the C test programs are, as set by the build
 * (system properties {@code slabscope.library} and {@code slabscope.testBin}).
 *
 * <p>{@code -Dslabscope.library=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 -Dslabscope.foreign=true}
 * runs the output-equality half of the suite against another allocator; checks that need
 * slabscope itself (reports, the C self-tests) are then skipped.
 */
final class ShimLibrary {

    private ShimLibrary() {
    }

    /** Absolute path of the library to preload; fails the test if it was not built. */
    static Path library() {
        Path lib = absolute(System.getProperty("slabscope.library", "target/libslabscope.so"));
        if (!Files.isRegularFile(lib)) {
            fail("shim library not found: " + lib + " (run the build: ./mvnw verify)");
        }
        return lib;
    }

    /** Directory of the C test programs built by the Makefile (may not exist). */
    static Path testBinDir() {
        return absolute(System.getProperty("slabscope.testBin", "target/test-bin"));
    }

    /** A C test program built by the Makefile; fails the test if it is missing. */
    static Path testProgram(String name) {
        Path program = testBinDir().resolve(name);
        if (!Files.isExecutable(program)) {
            fail("C test program not built: " + program + " (from native-shim/tests/c/" + name + ".c)");
        }
        return program;
    }

    /** Whether the preloaded library is slabscope (false with {@code -Dslabscope.foreign=true}). */
    static boolean isSlabscope() {
        return !Boolean.parseBoolean(System.getProperty("slabscope.foreign", "false"));
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }
}
