package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Child JVMs for the agent tests: which JDKs, the agent jar, the shim, and a running child with
 * its output.
 */
final class Child implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The JDKs the tests run on: "17" (the build JDK or the Debian one) and "25" (Temurin). */
    static Path javaHome(String jdk) {
        Path home = switch (jdk) {
            case "17" -> {
                String own = System.getProperty("java.home");
                if (Runtime.version().feature() == 17) {
                    yield Path.of(own);
                }
                yield Path.of(System.getProperty("slabscope.jdk17", "/usr/lib/jvm/java-17-openjdk-amd64"));
            }
            case "25" -> Path.of(System.getProperty("slabscope.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
            default -> throw new IllegalArgumentException(jdk);
        };
        Assumptions.assumeTrue(Files.isExecutable(home.resolve("bin/java")), "JDK " + jdk + " not installed at " + home);
        return home;
    }

    static Path java(String jdk) {
        return javaHome(jdk).resolve("bin/java");
    }

    static Path library() {
        Path lib = Path.of(System.getProperty("slabscope.library", "../native-shim/target/libslabscope.so"));
        assertTrue(Files.isRegularFile(lib), "build the shim first (make -C native-shim): " + lib);
        return lib.toAbsolutePath().normalize();
    }

    static Path classesDir() {
        return Path.of(System.getProperty("slabscope.classes", "target/classes")).toAbsolutePath().normalize();
    }

    static Path testClassesDir() {
        return Path.of(System.getProperty("slabscope.testClasses", "target/test-classes")).toAbsolutePath()
                .normalize();
    }

    private static Path agentJar;

    /**
     * target/slabscope-agent.jar when it is newer than the compiled classes (after `install`);
     * otherwise (the test phase of a clean `verify` runs before `package`) an equivalent jar made
     * from target/classes and JNA, with the same agent manifest entries.
     */
    static synchronized Path agentJar() {
        if (agentJar != null) {
            return agentJar;
        }
        Path classes = classesDir();
        Path real = classes.getParent().resolve("slabscope-agent.jar");
        try {
            if (Files.isRegularFile(real) && Files.getLastModifiedTime(real).toMillis() >= newest(classes)
                    && hasAgentManifest(real)) {
                return agentJar = real;
            }
            Path dir = classes.getParent().resolve("agent-test");
            Files.createDirectories(dir);
            Path jar = dir.resolve("slabscope-agent-test.jar");
            List<Path> libs = List.of(codeSource(com.sun.jna.Native.class),
                    codeSource(io.slabscope.model.Snapshot.class));
            Manifest m = new Manifest();
            Attributes a = m.getMainAttributes();
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            a.put(Attributes.Name.MAIN_CLASS, "io.slabscope.cli.Main");
            a.putValue("Premain-Class", "io.slabscope.agent.Agent");
            a.putValue("Agent-Class", "io.slabscope.agent.Agent");
            a.putValue("Launcher-Agent-Class", "io.slabscope.agent.LauncherAgent");
            a.putValue("Can-Redefine-Classes", "false");
            Path tmp = Files.createTempFile(dir, "agent", ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), m)) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
                for (Path lib : libs) {
                    if (Files.isDirectory(lib)) {                // model/target/classes in the reactor
                        try (Stream<Path> files = Files.walk(lib)) {
                            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                                String n = lib.relativize(f).toString();
                                if (!n.startsWith("META-INF/")) {
                                    out.putNextEntry(new JarEntry(n));
                                    Files.copy(f, out);
                                    out.closeEntry();
                                }
                            }
                        }
                        continue;
                    }
                    try (JarFile j = new JarFile(lib.toFile())) {
                        for (JarEntry e : (Iterable<JarEntry>) j.stream()::iterator) {
                            if (e.isDirectory() || e.getName().startsWith("META-INF/")) {
                                continue;
                            }
                            out.putNextEntry(new JarEntry(e.getName()));
                            try (InputStream in = j.getInputStream(e)) {
                                in.transferTo(out);
                            }
                            out.closeEntry();
                        }
                    }
                }
            }
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return agentJar = jar;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the agent jar: " + e, e);
        }
    }

    private static Path codeSource(Class<?> c) throws java.net.URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static boolean hasAgentManifest(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            return m != null && "io.slabscope.agent.Agent".equals(m.getMainAttributes().getValue("Premain-Class"));
        }
    }

    private static long newest(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.getLastModifiedTime(f).toMillis();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).max().orElse(0);
        }
    }

    /** A command line being put together. */
    static final class Builder {
        private final String jdk;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private final List<String> mainAndArgs = new ArrayList<>();
        private boolean shim = true;

        Builder(String jdk) {
            this.jdk = jdk;
            jvmArgs.add("-Xmx256m");
            jvmArgs.add("-XX:TieredStopAtLevel=1");           // light on 2 shared cores
            jvmArgs.add("-XX:+UseSerialGC");
            if (Integer.parseInt(jdk) >= 23) {
                jvmArgs.add("--sun-misc-unsafe-memory-access=allow");
            }
            if (Integer.parseInt(jdk) >= 21) {
                jvmArgs.add("-XX:+EnableDynamicAgentLoading");
            }
            if (Integer.parseInt(jdk) >= 24) {
                jvmArgs.add("--enable-native-access=ALL-UNNAMED");  // JNA, as the README says
            }
        }

        Builder agent(String options) {
            jvmArgs.add("-javaagent:" + agentJar() + (options == null ? "" : "=" + options));
            return this;
        }

        Builder jvm(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        Builder env(String k, String v) {
            env.put(k, v);
            return this;
        }

        Builder noShim() {
            shim = false;
            return this;
        }

        /** Without --enable-native-access=ALL-UNNAMED on JDK 24 and later (JNA then makes the JDK warn). */
        Builder noNativeAccess() {
            jvmArgs.remove("--enable-native-access=ALL-UNNAMED");
            return this;
        }

        Builder main(String mainClass, String... args) {
            mainAndArgs.add(mainClass);
            mainAndArgs.addAll(List.of(args));
            return this;
        }

        List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(java(jdk).toString());
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(testClassesDir() + ":" + agentJar());
            cmd.addAll(mainAndArgs);
            return cmd;
        }

        Child start(Path workDir) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command()).directory(workDir.toFile());
            Map<String, String> e = pb.environment();
            e.remove("LD_PRELOAD");
            e.remove("JAVA_TOOL_OPTIONS");
            e.remove("_JAVA_OPTIONS");
            e.remove("JDK_JAVA_OPTIONS");
            if (shim) {
                e.put("LD_PRELOAD", library().toString());
            }
            e.putAll(env);
            Path out = workDir.resolve("stdout-" + System.nanoTime() + ".txt");
            Path err = workDir.resolve("stderr-" + System.nanoTime() + ".txt");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            return new Child(p, out, err);
        }

        /** Runs to the end; fails the test on timeout. */
        Child run(Path workDir) throws Exception {
            Child c = start(workDir);
            c.waitFor();
            return c;
        }
    }

    static Builder jvm(String jdk) {
        return new Builder(jdk);
    }

    private final Process process;
    private final Path errFile;
    private final StringBuilder out = new StringBuilder();
    private final BufferedReader reader;
    private final PrintWriter writer;
    private final Thread pump;
    private final List<String> lines = new ArrayList<>();

    private Child(Process process, Path outFile, Path errFile) {
        this.process = process;
        this.errFile = errFile;
        this.reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream os = process.getOutputStream();
        this.writer = new PrintWriter(os, true, StandardCharsets.UTF_8);
        this.pump = new Thread(() -> {
            try {
                String l;
                while ((l = reader.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(l);
                        out.append(l).append('\n');
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // closed
            }
            synchronized (lines) {
                lines.add(null);
                lines.notifyAll();
            }
        }, "child-stdout");
        pump.setDaemon(true);
        pump.start();
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Waits for the next stdout line starting with {@code prefix}; earlier lines are skipped. */
    String expect(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (lines) {
            while (true) {
                while (!lines.isEmpty()) {
                    String l = lines.remove(0);
                    if (l == null) {
                        lines.add(0, null);
                        fail("child exited before printing '" + prefix + "'; stdout:\n" + stdout() + "\nstderr:\n"
                                + stderr());
                    }
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("no '" + prefix + "' from the child in " + TIMEOUT + "; stdout:\n" + stdout() + "\nstderr:\n"
                            + stderr());
                }
                lines.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }

    /** Sends a command line to the child's stdin and waits for its "ok" answer. */
    String command(String line) throws InterruptedException {
        writer.println(line);
        String answer = expect("");
        if (!answer.startsWith("ok")) {
            fail("child answered '" + answer + "' to '" + line + "'; stderr:\n" + stderr());
        }
        return answer;
    }

    int waitFor() throws Exception {
        writer.close();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("child did not end in " + TIMEOUT + "; stdout:\n" + stdout() + "\nstderr:\n" + stderr());
        }
        pump.join(5000);
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() {
        synchronized (lines) {
            return out.toString();
        }
    }

    String stderr() {
        try {
            return Files.readString(errFile);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** stderr lines that come from the agent. */
    List<String> agentLines() {
        return stderr().lines().filter(l -> l.startsWith(Agent.PREFIX)).toList();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The SLABSCOPE_REPORT file as key → value. */
    static Map<String, Long> report(Path file) throws IOException {
        Map<String, Long> m = new HashMap<>();
        for (String l : Files.readAllLines(file)) {
            String[] kv = l.trim().split("\\s+");
            if (kv.length == 2 && kv[1].matches("-?[0-9]+")) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }
}
