package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM the agent cannot fully serve still runs its program to the end (exit 0), and the agent
 * says what is missing in one line: a library that is not the shim it knows (another format, an
 * incomplete or unversioned build, one without debug mode while SLABSCOPE_DEBUG asks for it), JDK
 * Flight Recorder disabled or its module left out, no platform MBean server, JNA unable to load.
 * (A missing shim and bad options: {@link AgentStartupTest}.)
 */
@Timeout(300)
class AgentFaultsTest {
    static final String PREFIX = Agent.PREFIX;

    @TempDir
    Path dir;

    /** Runs the workload (mixed, or sleep without JNA) to its end; returns the child. */
    private Child run(Child.Builder b, boolean jna) throws Exception {
        Child c = (jna ? b.main("io.slabscope.agent.Workload", "mixed", "300")
                : b.main("io.slabscope.agent.Workload", "sleep", "300")).run(dir);
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(c.stdout().startsWith(jna ? "workload done rounds=" : "slept"), c.stdout());
        return c;
    }

    private static String state(Child c) {
        return c.stdout().lines().filter(l -> l.startsWith("agent ")).findFirst().orElse("");
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void librariesThatAreNotTheShimItKnows(String jdk) throws Exception {
        Child other = run(Child.jvm(jdk).noShim().env("LD_PRELOAD", FakeShims.otherFormat().toString())
                .agent(null), true);
        assertEquals(List.of(PREFIX + "libslabscope in this process is 'slabscope 0.0 shm 99': shared-memory format "
                + "99, this agent reads format 1; agent inactive"), other.agentLines());
        assertTrue(state(other).startsWith("agent inactive: "), state(other));

        Child incomplete = run(Child.jvm(jdk).noShim().env("LD_PRELOAD", FakeShims.incomplete().toString())
                .agent(null), true);
        assertEquals(List.of(PREFIX + "libslabscope in this process ('slabscope 0.1.0 shm 1') lacks ss_layout "
                + "(an older or incomplete build); agent inactive"), incomplete.agentLines());

        Child unversioned = run(Child.jvm(jdk).noShim().env("LD_PRELOAD", FakeShims.unversioned().toString())
                .agent(null), true);
        assertEquals(List.of(PREFIX + "the preloaded libslabscope has no ss_version, so it is no build this agent "
                + "knows; agent inactive"), unversioned.agentLines());
    }

    /**
     * A shim without ss_shrink_caches: the Allocator MBean's shrinkCaches still gives the empty slabs
     * back (through malloc_trim), and counts the pages by two snapshots.
     */
    @Test
    void shrinkCachesOnAShimWithoutIt() throws Exception {
        Child c = Child.jvm("17").noShim().env("LD_PRELOAD", FakeShims.withoutShrinkCaches().toString())
                .env("SLABSCOPE_REAP", "0")                      // keep the spare slab (JmxTest says why)
                .agent("period=200ms").main("io.slabscope.agent.Workload", "serve").start(dir);
        try (c) {
            c.expect("ready");
            try (JMXConnector jc = JMXConnectorFactory.connect(new JMXServiceURL(JmxTest.localConnector(c)))) {
                MBeanServerConnection mbs = jc.getMBeanServerConnection();
                JmxTest.waitForBeans(mbs);
                c.command("cache faults-test-2000 2000 64");     // 64 objects allocated and freed
                ObjectName test = JmxTest.name("io.slabscope:type=SlabCache,name=\"faults-test-2000\"");
                assertTrue(JmxTest.poll(() -> mbs.isRegistered(test)
                        && (long) mbs.getAttribute(test, "FreeSlabs") > 0, 5000), "an empty slab to give back");
                // the count is the difference of two snapshots, which other threads' new slabs can
                // cancel out: not checked beyond its sign
                long pages = (long) mbs.invoke(JmxTest.ALLOCATOR, "shrinkCaches", null, null);
                assertTrue(pages >= 0, "shrinkCaches released " + pages + " pages");
                assertTrue(JmxTest.poll(() -> (long) mbs.getAttribute(test, "FreeSlabs") == 0, 5000),
                        "empty slabs left after shrinkCaches");
            }
            c.command("exit");
            assertEquals(0, c.waitFor(), c.stderr());
            assertEquals(List.of(), c.agentLines(), c.stderr());
        }
    }

    /** A shim without debug mode is fine, unless debug mode is asked for: then one line, and the agent runs. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void debugModeAskedOfAShimWithoutIt(String jdk) throws Exception {
        Path older = FakeShims.withoutDebugMode();
        Child quiet = run(Child.jvm(jdk).noShim().env("LD_PRELOAD", older.toString()).agent(null), true);
        assertEquals(List.of(), quiet.agentLines());
        assertTrue(state(quiet).startsWith("agent active "), state(quiet));

        Child asked = run(Child.jvm(jdk).noShim().env("LD_PRELOAD", older.toString()).env("SLABSCOPE_DEBUG", "FZPU")
                .env("SLABSCOPE_ABORT", "0").agent(null), true);
        List<String> lines = asked.agentLines();
        assertEquals(1, lines.size(), asked.stderr());
        assertTrue(lines.get(0).matches(java.util.regex.Pattern.quote(PREFIX + "SLABSCOPE_DEBUG=FZPU is set, but "
                + "libslabscope in this process ('slabscope ") + "[^']+" + java.util.regex.Pattern.quote(" shm 1') "
                + "predates debug mode (no ss_validate): no corruption events, validate() unavailable")), lines.get(0));
        assertTrue(state(asked).startsWith("agent active "), state(asked));
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void flightRecorderDisabledOrAbsent(String jdk) throws Exception {
        Child disabled = run(Child.jvm(jdk).jvm("-XX:-FlightRecorder").agent(null), true);
        assertEquals(List.of(PREFIX + "JDK Flight Recorder is not available: it is disabled in this JVM "
                + "(-XX:-FlightRecorder); no JFR events (the MXBeans work)"), disabled.agentLines());
        assertTrue(state(disabled).startsWith("agent active "), state(disabled));

        Child noModule = run(Child.jvm(jdk).jvm("--limit-modules",
                "java.base,java.instrument,java.management,java.logging,jdk.unsupported").agent(null), true);
        assertEquals(List.of(PREFIX + "JDK Flight Recorder is not available: module jdk.jfr is not in this JVM (left "
                + "out with --limit-modules?); no JFR events (the MXBeans work)"), noModule.agentLines());
        assertTrue(state(noModule).startsWith("agent active "), state(noModule));

        // nor JMX, nor the logging JNA needs: the agent cannot reach the shim at all
        Child bare = run(Child.jvm(jdk).jvm("--limit-modules", "java.base,java.instrument,java.management")
                .agent(null), false);
        assertEquals(List.of(PREFIX + "cannot load JNA to reach libslabscope (it needs java.logging: module "
                + "java.logging is not in this JVM (left out with --limit-modules?)); agent inactive"),
                bare.agentLines());
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void noMBeanServer(String jdk) throws Exception {
        // the agent makes no platform MBean server itself (it registers its MXBeans once one
        // exists): one that cannot be made does not concern it until somebody asks for one
        Child broken = run(Child.jvm(jdk).jvm("-Djavax.management.builder.initial=does.not.Exist")
                .agent("period=100ms"), true);
        assertEquals(List.of(), broken.agentLines(), broken.stderr());

        // a server that exists but refuses the agent's MBeans: one line, said once, the rest runs on
        try (Child refusing = Child.jvm(jdk).jvm("-Djavax.management.builder.initial="
                + RefusingMBeanServerBuilder.class.getName()).agent("period=100ms")
                .main("io.slabscope.agent.Workload", "serve").start(dir)) {
            refusing.expect("ready");
            assertTrue(refusing.command("platform-server").matches("ok [1-9][0-9]*"));
            refusing.command("mixed 600");               // the agent looks every 0.1 s
            refusing.command("mixed 300");
            refusing.command("exit");
            assertEquals(0, refusing.waitFor(), refusing.stderr());
            List<String> lines = refusing.agentLines();
            assertEquals(1, lines.size(), refusing.stderr());
            assertTrue(lines.get(0).startsWith(PREFIX + "registering the MXBeans failed: "
                    + "javax.management.MBeanRegistrationException: io.slabscope MBeans are refused"), lines.get(0));
        }

        Child noModule = run(Child.jvm(jdk).jvm("--limit-modules", "java.base,java.instrument,java.logging,"
                + "jdk.unsupported,jdk.jfr").agent(null), true);
        assertEquals(List.of(PREFIX + "no MXBeans: module java.management is not in this JVM (left out with "
                + "--limit-modules?)"), noModule.agentLines());
        assertTrue(state(noModule).startsWith("agent active "), state(noModule));
    }
}
