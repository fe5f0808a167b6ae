package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A workload JVM under the shim with the Slabscope agent: a small Java program, written to a
 * temporary directory and run as a single-file source ({@code java NativeWorkload.java}), that
 * takes native memory the way Java programs do — direct ByteBuffers and Unsafe.allocateMemory
 * of several sizes, kept — then keeps running (churning {@code churn} bytes of short-lived
 * blocks every 20 ms) until stdin says {@code exit} or closes, or it is killed.
 * The paths come from the tests' pom: {@code slabscope.library}, {@code slabscope.agentJar}.
 */
final class AgentJvm implements AutoCloseable {
    /** What the workload keeps: counts of Unsafe blocks and direct buffers by size (see the source). */
    static final int KEPT_704 = 1000;
    static final int KEPT_2560 = 400;
    static final int KEPT_5120 = 200;

    static final String SOURCE = """
            import java.lang.reflect.Method;
            import java.nio.ByteBuffer;
            import java.util.ArrayList;
            import java.util.List;

            public class NativeWorkload {
                static Object unsafe;
                static Method allocate, putByte, free;

                static long malloc(long size) throws Exception {
                    long p = (long) allocate.invoke(unsafe, size);
                    putByte.invoke(unsafe, p, (byte) 1);
                    return p;
                }

                public static void main(String[] args) throws Exception {
                    long churn = args.length > 0 ? Long.parseLong(args[0]) : 0;
                    Class<?> uc = Class.forName("sun.misc.Unsafe");
                    var f = uc.getDeclaredField("theUnsafe");
                    f.setAccessible(true);
                    unsafe = f.get(null);
                    allocate = uc.getMethod("allocateMemory", long.class);
                    putByte = uc.getMethod("putByte", long.class, byte.class);
                    free = uc.getMethod("freeMemory", long.class);
                    List<Object> kept = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) kept.add(malloc(700));                   // kmalloc-704
                    for (int i = 0; i < 400; i++) kept.add(malloc(2500));                   // kmalloc-2560
                    for (int i = 0; i < 200; i++) kept.add(ByteBuffer.allocateDirect(5000)); // kmalloc-5120
                    for (int i = 0; i < 60; i++) kept.add(ByteBuffer.allocateDirect(13000)); // kmalloc-13312
                    for (int i = 0; i < 4; i++) kept.add(malloc(200_000));                  // medium blocks
                    for (int i = 0; i < 3; i++) kept.add(ByteBuffer.allocateDirect(1 << 20)); // mmap path
                    System.out.println("ready " + ProcessHandle.current().pid() + " " + kept.size());
                    System.out.flush();
                    Thread in = new Thread(() -> {
                        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
                            String line;
                            while ((line = r.readLine()) != null && !line.equals("exit")) {
                            }
                        } catch (java.io.IOException e) {
                        }
                        System.exit(0);
                    });
                    in.setDaemon(true);
                    in.start();
                    int[] sizes = {40, 200, 1500, 9000, 70_000};
                    long tick = 0;
                    List<Long> tmp = new ArrayList<>();
                    List<ByteBuffer> bufs = new ArrayList<>();
                    while (true) {
                        for (long done = 0; done < churn; tick++) {
                            int size = sizes[(int) (tick % sizes.length)];
                            if (tick % 2 == 0) tmp.add(malloc(size)); else bufs.add(ByteBuffer.allocateDirect(size));
                            done += size;
                        }
                        for (long p : tmp) free.invoke(unsafe, p);
                        tmp.clear();
                        bufs.clear();
                        Thread.sleep(20);
                    }
                }
            }
            """;

    final Process process;
    final int pid;
    final Path dir;
    private final BufferedReader out;
    private final List<String> command;

    private AgentJvm(Process process, Path dir, BufferedReader out, List<String> command, int pid) {
        this.process = process;
        this.dir = dir;
        this.out = out;
        this.command = command;
        this.pid = pid;
    }

    static Path library() {
        Path lib = Path.of(System.getProperty("slabscope.library", "native-shim/target/libslabscope.so"));
        assertTrue(Files.isRegularFile(lib), "build native-shim first: " + lib);
        return lib.toAbsolutePath().normalize();
    }

    static Path agentJar() {
        Path jar = Path.of(System.getProperty("slabscope.agentJar", "agent/target/slabscope-agent.jar"));
        assertTrue(Files.isRegularFile(jar), "build the agent first (./mvnw -pl agent -am package): " + jar);
        return jar.toAbsolutePath().normalize();
    }

    static Path jfc() {
        Path jfc = Path.of(System.getProperty("slabscope.jfc", "agent/src/main/resources/slabscope.jfc"));
        assertTrue(Files.isRegularFile(jfc), "the agent's slabscope.jfc: " + jfc);
        return jfc.toAbsolutePath().normalize();
    }

    /**
     * Starts the workload with these agent options and extra JVM options, and waits for "ready".
     *
     * @param churn bytes of short-lived blocks every 20 ms (0: idle after the set-up)
     */
    static AgentJvm start(String agentOptions, long churn, String... jvmOptions) throws IOException,
            InterruptedException {
        Path dir = Files.createTempDirectory("slabscope-ui-jvm");
        Path src = dir.resolve("NativeWorkload.java");
        Files.writeString(src, SOURCE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-javaagent:" + agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        cmd.add("-Xmx128m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(List.of(jvmOptions));
        cmd.add(src.toString());
        cmd.add(Long.toString(churn));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("LD_PRELOAD", library().toString());
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // the first lines may be the JVM's own (-XX:StartFlightRecording says it started)
        String ready = out.readLine();
        StringBuilder said = new StringBuilder();
        while (ready != null && !ready.startsWith("ready ") && said.length() < 10_000) {
            said.append(ready).append('\n');
            ready = out.readLine();
        }
        if (ready == null || !ready.startsWith("ready ")) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the workload JVM said " + said + ready + "; " + cmd + "\n" + stderr(dir));
        }
        BufferedReader rest = out;
        Thread drain = new Thread(() -> {
            try {
                while (rest.readLine() != null) {
                    // keep the pipe from filling up
                }
            } catch (IOException e) {
                // gone
            }
        }, "workload stdout");
        drain.setDaemon(true);
        drain.start();
        return new AgentJvm(p, dir, out, cmd, Integer.parseInt(ready.split(" ")[1]));
    }

    private static String stderr(Path dir) {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "";
        }
    }

    String stderr() {
        return stderr(dir);
    }

    /** Asks the workload to exit (System.exit: shutdown hooks run, a recording is written) and waits. */
    int exit() throws IOException, InterruptedException {
        process.getOutputStream().write("exit\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the workload JVM did not exit: " + command);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
