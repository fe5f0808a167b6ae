package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * javac compiles a small multi-class project under the shim into the same class files,
 * and the program then runs under the shim with the same output.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JavacCompileAndRunTest {

    private static final List<String> SOURCES = List.of(
            "Main.java", "Item.java", "Inventory.java", "TextSource.java", "WordStats.java", "Matrix.java");

    @TempDir
    Path work;

    @Test
    void javacAndJavaBehaveTheSameUnderTheShim() throws Exception {
        Path javac = Programs.jdkTool("javac");
        Path java = Programs.jdkTool("java");
        Path sources = copyProject(work.resolve("project"));
        ShimRunner runner = new ShimRunner(work);

        Path baselineClasses = Files.createDirectories(work.resolve("classes-baseline"));
        Path shimClasses = Files.createDirectories(work.resolve("classes-shim"));
        RunResult baselineCompile = runner.run(Mode.BASELINE, javacCommand(javac, sources, baselineClasses));
        RunResult shimCompile = runner.run(Mode.SHIM, javacCommand(javac, sources, shimClasses));
        new Comparison(baselineCompile, shimCompile).assertSameStdout().assertSameStderr();
        assertSameClassFiles(baselineClasses, shimClasses);
        shimCompile.mainReport().assertAtLeast("malloc_calls", 1_000);
        shimCompile.reports().assertNoInvalidFrees();

        Comparison program = runner.compare(Command.of(java.toString(), "-cp", shimClasses.toString(), "demo.Main"));
        program.assertSameStdout().assertSameStderr();
        program.shim().mainReport().assertAtLeast("malloc_calls", 1_000);
        program.shim().reports().assertNoInvalidFrees();
    }

    private static Command javacCommand(Path javac, Path sources, Path out) {
        List<String> argv = new ArrayList<>(List.of(javac.toString(), "-d", out.toString()));
        SOURCES.forEach(name -> argv.add(sources.resolve("demo").resolve(name).toString()));
        return Command.of(argv);
    }

    private static Path copyProject(Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("demo"));
        for (String name : SOURCES) {
            try (InputStream in = JavacCompileAndRunTest.class.getResourceAsStream("javaproject/demo/" + name)) {
                if (in == null) {
                    throw new IOException("missing test resource javaproject/demo/" + name);
                }
                Files.copy(in, pkg.resolve(name));
            }
        }
        return dir;
    }

    private static void assertSameClassFiles(Path expectedDir, Path actualDir) throws IOException {
        List<Path> expected = classFiles(expectedDir);
        List<Path> actual = classFiles(actualDir);
        assertEquals(expected, actual, "javac produced different class files");
        assertEquals(SOURCES.size(), expected.size(), "one class file per source expected");
        for (Path relative : expected) {
            Comparison.assertSameBytes(relative.toString(),
                    Files.readAllBytes(expectedDir.resolve(relative)), Files.readAllBytes(actualDir.resolve(relative)));
        }
    }

    private static List<Path> classFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(dir::relativize).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
