package io.slabscope.ui.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real recording of the Slabscope agent: a small JVM program (direct buffers, zlib streams) run
 * under libslabscope.so with the agent jar and slabscope.jfc of the build tree, for a second and a
 * half. Made only when the reactor has built the shim and the agent (they sit beside the plugin).
 */
final class AgentRecording {
    private static final Path LIBRARY = Path.of(System.getProperty("slabscope.library",
            "../../native-shim/target/libslabscope.so")).toAbsolutePath().normalize();
    private static final Path ROOT = LIBRARY.getParent().getParent().getParent();
    private static final Path JAR = ROOT.resolve("agent/target/slabscope-agent.jar");
    private static final Path JFC = ROOT.resolve("agent/src/main/resources/slabscope.jfc");

    private static final String PROGRAM = """
            import java.nio.ByteBuffer;
            import java.util.ArrayDeque;
            import java.util.zip.Deflater;

            public class Allocate {
                public static void main(String[] args) {
                    ArrayDeque<ByteBuffer> keep = new ArrayDeque<>();
                    long end = System.nanoTime() + 1_500_000_000L;
                    for (int i = 0; System.nanoTime() < end; i++) {
                        keep.add(ByteBuffer.allocateDirect(1000 + (i % 300) * 1000));
                        if (keep.size() > 100) {
                            keep.poll();
                        }
                        Deflater d = new Deflater(i % 9);
                        d.end();
                    }
                    System.out.println("allocated");
                }
            }
            """;

    private AgentRecording() {
    }

    /** Why there is no agent recording, or null if there can be one. */
    static String why() {
        for (Path p : List.of(LIBRARY, JAR, JFC)) {
            if (!Files.isRegularFile(p)) {
                return "no " + p;
            }
        }
        return null;
    }

    /** Records the program into {@code dir}/agent.jfr; null if the shim or the agent is not built. */
    static Path make(Path dir) throws Exception {
        if (why() != null) {
            return null;
        }
        Path source = dir.resolve("Allocate.java");
        Files.writeString(source, PROGRAM);
        Path jfr = dir.resolve("agent.jfr");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m",
                "-javaagent:" + JAR + "=period=200ms,sampling=64k,max-sample-rate=100",
                "-XX:StartFlightRecording:settings=" + JFC + ",filename=" + jfr, source.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        pb.environment().put("LD_PRELOAD", LIBRARY.toString());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the recorded JVM did not end: " + Files.readString(dir.resolve("agent.log")));
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(jfr)) {
            throw new AssertionError("the recorded JVM failed (" + p.exitValue() + "): "
                    + Files.readString(dir.resolve("agent.log")));
        }
        return jfr;
    }
}
