package io.slabscope.agent;

import java.lang.instrument.Instrumentation;

/**
 * Launcher-Agent-Class of the jar: runs before the main class when the jar is started with
 * {@code java -jar slabscope-agent.jar}. The jar's main class is the slabscope command, which
 * needs no agent, so this stays silent and does nothing unless the environment variable
 * {@value #ENV} is set (to the agent options, possibly empty) and the shim is preloaded.
 */
public final class LauncherAgent {
    public static final String ENV = "SLABSCOPE_AGENT";

    private LauncherAgent() {
    }

    public static void agentmain(String args, Instrumentation inst) {
        try {
            String options = System.getenv(ENV);
            if (options == null) {
                return;
            }
            Agent.start(options);
        } catch (Throwable t) {
            // never in the way of the command
        }
    }
}
