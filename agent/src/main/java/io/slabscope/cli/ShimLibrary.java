package io.slabscope.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds libslabscope.so for {@code slabscope run}: the {@code slabscope.library} system
 * property or {@code SLABSCOPE_LIBRARY}, then {@code native-shim/target/libslabscope.so} of
 * the source tree the jar was built in, then the copy inside the jar
 * ({@code /linux-x86-64/libslabscope.so}), extracted to a private temporary directory.
 */
final class ShimLibrary implements AutoCloseable {
    static final String RESOURCE = "/linux-x86-64/libslabscope.so";

    private final Path path;
    private final Path tempDir;

    private ShimLibrary(Path path, Path tempDir) {
        this.path = path;
        this.tempDir = tempDir;
    }

    Path path() {
        return path;
    }

    /** Whether the library was extracted from the jar (and is removed by close). */
    boolean extracted() {
        return tempDir != null;
    }

    static ShimLibrary locate() throws IOException {
        for (Path p : candidates()) {
            if (Files.isRegularFile(p)) {
                return new ShimLibrary(p.toAbsolutePath().normalize(), null);
            }
        }
        return extract();
    }

    /** The copy inside the jar, extracted to a new private (0700) temporary directory. */
    static ShimLibrary extract() throws IOException {
        try (InputStream in = ShimLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("libslabscope.so not found: build it (make -C native-shim) or set "
                        + "SLABSCOPE_LIBRARY=/path/to/libslabscope.so");
            }
            Path dir = Files.createTempDirectory("slabscope-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path lib = dir.resolve("libslabscope.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("r-x------"));
            return new ShimLibrary(lib, dir);
        }
    }

    static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String prop = System.getProperty("slabscope.library");
        if (prop != null && !prop.isBlank()) {
            out.add(Path.of(prop));
        }
        String env = System.getenv("SLABSCOPE_LIBRARY");
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        Path here = codeLocation();
        if (here != null) {
            // agent/target/slabscope-agent.jar or agent/target/classes -> agent/target
            Path dir = here.getParent();
            if (dir != null) {
                out.add(dir.resolve("libslabscope.so"));
                if (dir.getParent() != null && dir.getParent().getParent() != null) {
                    out.add(dir.getParent().getParent().resolve("native-shim/target/libslabscope.so"));
                }
            }
        }
        return out;
    }

    private static Path codeLocation() {
        try {
            var src = ShimLibrary.class.getProtectionDomain().getCodeSource();
            return src == null ? null : Path.of(src.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Removes an extracted copy. */
    @Override
    public void close() {
        if (tempDir == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(tempDir);
        } catch (IOException e) {
            // left in the temporary directory
        }
    }
}
