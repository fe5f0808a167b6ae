package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code slabscope attach PID}: the agent loaded into a running JVM (agentmain), then a recording
 * started with {@code jcmd PID JFR.start settings=slabscope.jfc} and a RecordingStream in the
 * JVM itself, as the README shows them.
 */
@Timeout(150)
class AttachTest {
    @TempDir
    Path dir;

    /** Runs the attach command (io.slabscope.agent.Attach from the agent jar) with the test's JDK. */
    static Proc attach(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Child.java("17").toString(), "-cp", Child.agentJar().toString(),
                "io.slabscope.agent.Attach"));
        cmd.addAll(List.of(args));
        return Proc.run(dir, cmd);
    }

    /** A finished command. */
    record Proc(int code, String out, String err) {
        static Proc run(Path dir, List<String> cmd) throws Exception {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("LD_PRELOAD");
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void attachesToARunningJvm(String jdk) throws Exception {
        Path jfc = dir.resolve("slabscope.jfc");
        try (var in = AttachTest.class.getResourceAsStream("/slabscope.jfc")) {
            Files.copy(in, jfc);                   // as `unzip -p slabscope-agent.jar slabscope.jfc` gives it
        }
        try (Child c = Child.jvm(jdk).main("io.slabscope.agent.Workload", "serve").start(dir)) {
            c.expect("ready");
            String pid = Long.toString(c.pid());

            Proc bad = attach(dir, pid, "sampling=lots");
            assertEquals(2, bad.code(), bad.err());
            assertTrue(bad.err().startsWith("slabscope attach: option 'sampling' wants a size"), bad.err());

            Proc ok = attach(dir, pid, "period=300ms,sampling=128k,max-sample-rate=200");
            assertEquals(0, ok.code(), ok.out() + ok.err());
            assertTrue(ok.out().startsWith("slabscope: agent active period=300ms,sampling=128k,max-sample-rate=200,"),
                    ok.out());

            // the agent does not start JDK Flight Recorder on its own: it registers its events when
            // something else does (below: jcmd JFR.start)
            c.command("mixed 300");
            assertEquals("ok false", c.command("jfr-initialized"));

            // a recording started afterwards, as the README says
            Path jcmd = Child.javaHome(jdk).resolve("bin/jcmd");
            Path rec = dir.resolve("attached.jfr");
            Proc start = Proc.run(dir, List.of(jcmd.toString(), pid, "JFR.start", "name=ss", "settings=" + jfc));
            assertEquals(0, start.code(), start.out() + start.err());
            c.command("mixed 1200");
            Thread.sleep(700);
            Proc stop = Proc.run(dir, List.of(jcmd.toString(), pid, "JFR.stop", "name=ss", "filename=" + rec));
            assertEquals(0, stop.code(), stop.out() + stop.err());
            Map<String, Integer> counts = new TreeMap<>();
            long interval = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(rec)) {
                counts.merge(e.getEventType().getName(), 1, Integer::sum);
                if (e.getEventType().getName().equals("io.slabscope.LiveSampledMemory")) {
                    interval = Math.max(interval, e.getLong("samplingInterval"));
                }
            }
            // the mix allocates far more than 128k * 200 bytes a second: the cap raised the interval
            assertTrue(interval > 128 * 1024, "sampling interval under max-sample-rate=200: " + interval);
            assertTrue(counts.keySet().stream().allMatch(n -> n.startsWith("io.slabscope.")),
                    "slabscope.jfc has only the agent's events: " + counts.keySet());
            assertTrue(counts.getOrDefault("io.slabscope.HeapSummary", 0) >= 3, "period=300ms: " + counts);
            assertTrue(counts.getOrDefault("io.slabscope.NativeAllocationSample", 0) > 10, counts.toString());
            assertTrue(counts.containsKey("io.slabscope.SlabCache"), counts.toString());

            // a RecordingStream inside the JVM, with the same settings
            String stream = c.command("stream 800 " + jfc);
            assertTrue(stream.matches("ok .*HeapSummary=[1-9].*"), stream);
            assertTrue(stream.contains("NativeAllocationSample="), stream);

            // a second attach does not start a second agent
            Proc again = attach(dir, pid);
            assertEquals(0, again.code(), again.err());
            c.command("exit");
            assertEquals(0, c.waitFor());
            List<String> lines = c.agentLines();
            assertEquals(1, lines.size(), c.stderr());
            assertTrue(lines.get(0).startsWith("slabscope-agent: already active with period=300ms"), lines.get(0));
        }
    }

    @Test
    void refusesAJvmWithoutTheShim() throws Exception {
        try (Child c = Child.jvm("17").noShim().main("io.slabscope.agent.Workload", "serve").start(dir)) {
            c.expect("ready");
            Proc p = attach(dir, Long.toString(c.pid()));
            assertEquals(3, p.code(), p.err());
            assertTrue(p.err().startsWith("slabscope: process " + c.pid() + " does not run under libslabscope.so"),
                    p.err());
            c.command("exit");
            assertEquals(0, c.waitFor());
            assertEquals("", c.stderr());
        }
        Proc gone = attach(dir, "999999999");
        assertEquals(5, gone.code(), gone.err());
        Proc usage = attach(dir);
        assertEquals(2, usage.code());
        assertTrue(usage.err().startsWith("usage: slabscope attach PID [OPTIONS]"), usage.err());
    }
}
