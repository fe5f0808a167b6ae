package io.slabscope.agent;

/**
 * What the agent needs from the JDK and may not find: the modules jdk.jfr (JFR events),
 * java.management (MXBeans) and java.logging (JNA), all absent from a JVM started with
 * {@code --limit-modules} that leaves them out.
 */
final class JvmModules {
    static final String JFR = "jdk.jfr";
    static final String MANAGEMENT = "java.management";
    static final String LOGGING = "java.logging";

    private JvmModules() {
    }

    static boolean present(String module) {
        return ModuleLayer.boot().findModule(module).isPresent();
    }

    /** "module M is not in this JVM (left out with --limit-modules?)". */
    static String missing(String module) {
        return "module " + module + " is not in this JVM (left out with --limit-modules?)";
    }

    /** Why JDK Flight Recorder cannot be used here, or null if it can (does not initialise it). */
    static String jfrProblem() {
        if (!present(JFR)) {
            return missing(JFR);
        }
        return JfrBridge.available() ? null : "it is disabled in this JVM (-XX:-FlightRecorder)";
    }
}
