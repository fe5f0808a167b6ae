package io.slabscope.agent;

import java.lang.instrument.Instrumentation;

/**
 * The Slabscope Java agent: shows the native allocations of a JVM that runs under
 * libslabscope.so in JDK Flight Recorder events and io.slabscope MXBeans.
 *
 * <pre>
 *   LD_PRELOAD=/path/to/libslabscope.so java -javaagent:slabscope-agent.jar[=OPTIONS] ...
 *   slabscope attach PID [OPTIONS]          (or: java -cp slabscope-agent.jar io.slabscope.agent.Attach PID)
 * </pre>
 *
 * OPTIONS are described in {@link AgentOptions}. The agent never stops the JVM: a bad option
 * string gives one line on stderr and the defaults; without the shim, one line and nothing else.
 * The system property {@value #STATE_PROPERTY} tells how it went ({@code active ...} or
 * {@code inactive: ...}).
 */
public final class Agent {
    public static final String PREFIX = "slabscope-agent: ";
    public static final String STATE_PROPERTY = "io.slabscope.agent";
    public static final String NOT_PRELOADED = "libslabscope is not preloaded (start the JVM with LD_PRELOAD=... or "
            + "'slabscope run'); agent inactive";

    private static AgentRuntime runtime;

    private Agent() {
    }

    /** -javaagent:slabscope-agent.jar=OPTIONS */
    public static void premain(String args, Instrumentation inst) {
        start(args);
    }

    public static void premain(String args) {
        start(args);
    }

    /** Dynamic attach (VirtualMachine.loadAgent). */
    public static void agentmain(String args, Instrumentation inst) {
        start(args);
    }

    public static void agentmain(String args) {
        start(args);
    }

    /** Starts the agent once per JVM; never throws. */
    static synchronized void start(String args) {
        try {
            if (runtime != null) {
                warn("already active with " + runtime.options() + "; options '" + (args == null ? "" : args)
                        + "' ignored");
                return;
            }
            AgentOptions options;
            try {
                options = AgentOptions.parse(args);
            } catch (IllegalArgumentException e) {
                warn(e.getMessage() + ", using defaults");
                options = AgentOptions.defaults();
            }
            if (!maybePreloaded()) {
                inactive(NOT_PRELOADED);
                return;
            }
            ShimBinding.Result bound;
            try {
                bound = ShimBinding.bind();
            } catch (LinkageError e) {
                inactive("cannot load JNA to reach libslabscope ("
                        + (JvmModules.present(JvmModules.LOGGING) ? e.toString()
                                : "it needs java.logging: " + JvmModules.missing(JvmModules.LOGGING))
                        + "); agent inactive");
                return;
            }
            if (bound.shim() == null) {
                inactive(bound.problem());
                return;
            }
            bound.notes().forEach(Agent::warn);
            AgentRuntime rt = new AgentRuntime(options, bound.shim());
            rt.start();
            runtime = rt;
            System.setProperty(STATE_PROPERTY, "active " + options);
        } catch (Throwable t) {
            inactive("could not start (" + t + "); agent inactive");
        }
    }

    /**
     * Whether the shim may be in this process, decided without loading JNA (which makes JDK 24 and
     * later print a native-access warning): /proc/self/maps names libslabscope, or something is
     * preloaded under another name. Only then does JNA look for its functions.
     */
    static boolean maybePreloaded() {
        try {
            String maps = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/maps")),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            if (maps.contains("libslabscope")) {
                return true;
            }
            String preload = System.getenv("LD_PRELOAD");
            return preload != null && !preload.isBlank();
        } catch (java.io.IOException | RuntimeException e) {
            return true;                             // cannot tell: ask JNA
        }
    }

    private static void inactive(String line) {
        warn(line);
        try {
            System.setProperty(STATE_PROPERTY, "inactive: " + line);
        } catch (RuntimeException e) {
            // security manager
        }
    }

    /** One line on stderr. */
    static void warn(String line) {
        System.err.println(PREFIX + line);
        System.err.flush();
    }

    /** The running agent, or null (tests). */
    static synchronized AgentRuntime runtime() {
        return runtime;
    }
}
