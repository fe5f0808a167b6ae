package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent never stops the JVM: bad options and a missing shim give one line, and the program runs. */
@Timeout(150)
class AgentStartupTest {
    @TempDir
    Path dir;

    private Child run(Child.Builder b) throws Exception {
        Child c = b.main("io.slabscope.agent.Workload", "mixed", "100").run(dir);
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(c.stdout().startsWith("workload done rounds="), c.stdout());
        return c;
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void oneLineAndTheJvmRunsOn(String jdk) throws Exception {
        Child unknown = run(Child.jvm(jdk).agent("period=1s,foo=1"));
        assertEquals(List.of("slabscope-agent: unknown option 'foo', using defaults"), unknown.agentLines());

        Child bad = run(Child.jvm(jdk).agent("sampling=lots"));
        assertEquals(List.of("slabscope-agent: option 'sampling' wants a size like 65536, 512k, 1m or 0, not 'lots',"
                + " using defaults"), bad.agentLines());

        // without the shim the agent does not even load JNA: one line, and no JDK warning about native access
        Child noShim = Child.jvm(jdk).noShim().noNativeAccess().agent(null)
                .main("io.slabscope.agent.Workload", "sleep", "50").run(dir);
        assertEquals(0, noShim.exitCode(), noShim.stderr());
        assertEquals("slept\n", noShim.stdout());
        assertEquals("slabscope-agent: libslabscope is not preloaded (start the JVM with LD_PRELOAD=... or "
                + "'slabscope run'); agent inactive\n", noShim.stderr());

        Child quiet = run(Child.jvm(jdk).agent("events=none,jmx=false,publish=false"));
        assertEquals("", quiet.stderr());
    }

    /** With JMX on, the agent opens no TCP port (remote JMX is the JDK's, on request). */
    @Test
    void opensNoPort() throws Exception {
        try (Child c = Child.jvm("17").agent("period=100ms").main("io.slabscope.agent.Workload", "serve")
                .start(dir)) {
            c.expect("ready");
            c.command("mixed 300");
            Set<String> sockets = socketInodes(c.pid());
            List<String> listening = new ArrayList<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6")) {
                for (String l : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                    String[] w = l.trim().split("\\s+");
                    if (w.length > 9 && sockets.contains(w[9])) {
                        listening.add(table + ": " + l.trim());
                    }
                }
            }
            assertEquals(List.of(), listening, "the child's TCP/UDP sockets");

            // publish=true (the default): /dev/shm/slabscope.PID is rewritten every period, idle or not
            var shm = io.slabscope.model.source.ShmSource.open((int) c.pid());
            long before = shm.snapshot().publishCount();
            Thread.sleep(700);
            long after = shm.snapshot().publishCount();
            assertTrue(after - before >= 3, "period=100ms: publications " + before + " -> " + after);
            c.command("exit");
            assertEquals(0, c.waitFor());
        }
    }

    /**
     * The agent writes no file: its lines go to stderr, native addresses only into the recordings
     * a user asks for. Even with a corruption reported (addresses and stacks), the only file the JVM
     * leaves is JNA's native library.
     */
    @Test
    void writesNoFiles() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path home = Files.createDirectories(dir.resolve("home"));
        try (Child c = Child.jvm("17").agent("period=100ms").jvm("-Djava.io.tmpdir=" + tmp, "-XX:-UsePerfData")
                .env("HOME", home.toString()).env("XDG_CACHE_HOME", home.resolve(".cache").toString())
                .env("SLABSCOPE_DEBUG", "FZPU").env("SLABSCOPE_ABORT", "0")
                .main("io.slabscope.agent.Workload", "serve").start(work)) {
            c.expect("ready");
            c.command("mixed 300");
            c.command("overflow 40");
            Thread.sleep(300);
            c.command("exit");
            assertEquals(0, c.waitFor(), c.stderr());
            assertTrue(c.stderr().contains("right red zone overwritten"), c.stderr());
        }
        List<String> written;
        try (Stream<Path> files = Files.walk(dir)) {
            written = files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.matches("work/(stdout|stderr)-\\d+\\.txt"))       // the test's capture of stderr
                    .filter(p -> !p.matches("home/\\.cache/JNA/temp/jna\\d+\\.tmp"))  // JNA's native library
                    .toList();
        }
        assertEquals(List.of(), written, "files the JVM with the agent wrote");
    }

    static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** java -jar slabscope-agent.jar (the CLI): the launcher agent stays out of the way. */
    @Test
    void launcherAgentIsSilent() throws Exception {
        List<String> cmd = List.of(Child.java("17").toString(), "-jar", Child.agentJar().toString(), "--version");
        AttachTest.Proc p = AttachTest.Proc.run(dir, cmd);
        assertEquals(0, p.code(), p.err());
        assertEquals("", p.err());
        assertTrue(p.out().startsWith("slabscope "), p.out());
    }
}
