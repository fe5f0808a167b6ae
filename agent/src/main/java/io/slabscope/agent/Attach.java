package io.slabscope.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code slabscope attach PID [OPTIONS]}: loads the agent into a running JVM (Attach API,
 * {@code agentmain}). The JVM must run under libslabscope.so. Exit codes as the slabscope
 * command: 0 loaded, 1 error, 2 usage, 3 not under the shim, 5 no such process.
 */
public final class Attach {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;
    static final int NOT_UNDER_SHIM = 3;
    static final int NOT_OWNER = 4;
    static final int PROCESS_GONE = 5;

    public static final String HELP = """
            usage: slabscope attach PID [OPTIONS]

            Loads the Slabscope agent into the running JVM PID, which must run under libslabscope.so
            (LD_PRELOAD or 'slabscope run'). Its allocations then show in JDK Flight Recorder (start a
            recording with: jcmd PID JFR.start settings=slabscope.jfc) and in the io.slabscope MXBeans.

            OPTIONS are key=value pairs separated by commas:
              period=1s          drain/publish/JMX period; default period of the periodic JFR events
              sampling=512k      mean bytes between sampled allocations (0 or off: none), taken
                                 while a recording records io.slabscope.NativeAllocationSample
              max-sample-rate=300  samples per second at most (the interval grows; 0: no cap)
              events=all         or periodic,samples,tiers (any of them), or none
              jmx=true           register the io.slabscope MXBeans
              publish=true       refresh /dev/shm/slabscope.PID every period
              frag-threshold=0.5 JMX notification above this fragmentation index ...
              frag-order=3       ... at this request order
              waste-threshold=25 JMX notification above this internal fragmentation (%)

            Loading an agent into a running JVM prints a warning there on JDK 21 and later unless it
            was started with -XX:+EnableDynamicAgentLoading. An agent cannot be unloaded; a second
            attach is ignored.
            """;

    private Attach() {
    }

    public static void main(String[] args) {
        int code = run(Arrays.asList(args), System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs {@code attach ARGS}; returns the exit code. Errors are one line on {@code err}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).print(HELP);
            return args.isEmpty() ? USAGE : OK;
        }
        if (args.size() > 2) {
            err.println("slabscope attach: too many arguments (slabscope attach PID [OPTIONS])");
            return USAGE;
        }
        String pid = args.get(0);
        if (!pid.matches("[1-9][0-9]{0,9}")) {
            err.println("slabscope attach: '" + pid + "' is not a process id");
            return USAGE;
        }
        String options = args.size() > 1 ? args.get(1) : "";
        try {
            AgentOptions.parse(options);
        } catch (IllegalArgumentException e) {
            err.println("slabscope attach: " + e.getMessage());
            return USAGE;
        }
        if (pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            err.println("slabscope attach: cannot attach to itself");
            return USAGE;
        }
        Path maps = Path.of("/proc", pid, "maps");
        String text;
        try {
            text = new String(Files.readAllBytes(maps), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            err.println("slabscope: no process " + pid);
            return PROCESS_GONE;
        } catch (AccessDeniedException e) {
            err.println("slabscope: process " + pid + " belongs to another user");
            return NOT_OWNER;
        } catch (IOException e) {
            err.println("slabscope: cannot read " + maps + ": " + e.getMessage());
            return ERROR;
        }
        if (!text.contains("libslabscope")) {
            err.println("slabscope: process " + pid + " does not run under libslabscope.so (start it with "
                    + "LD_PRELOAD=.../libslabscope.so or 'slabscope run')");
            return NOT_UNDER_SHIM;
        }
        if (!text.contains("libjvm.so")) {
            err.println("slabscope attach: process " + pid + " is not a Java virtual machine");
            return ERROR;
        }
        Path jar = agentJar();
        if (jar == null) {
            err.println("slabscope attach: run it from slabscope-agent.jar (the agent is loaded from the jar)");
            return ERROR;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException e) {
            err.println("slabscope attach: cannot attach to " + pid + ": " + e.getMessage());
            return ERROR;
        } catch (LinkageError e) {
            err.println("slabscope attach: the Attach API (module jdk.attach) is missing from this Java runtime");
            return ERROR;
        }
        try {
            vm.loadAgent(jar.toString(), options);
            String state = vm.getSystemProperties().getProperty(Agent.STATE_PROPERTY);
            if (state == null) {
                err.println("slabscope attach: the agent did not start in " + pid + " (see its stderr)");
                return ERROR;
            }
            if (state.startsWith("inactive")) {
                err.println("slabscope attach: agent " + state);
                return state.contains("not preloaded") ? NOT_UNDER_SHIM : ERROR;
            }
            out.println("slabscope: agent " + state + " in process " + pid);
            return OK;
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            err.println("slabscope attach: loading the agent into " + pid + " failed: " + e.getMessage());
            return ERROR;
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // gone
            }
        }
    }

    /** The jar this class was loaded from, or null (classes directory). */
    static Path agentJar() {
        try {
            var src = Attach.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return null;
            }
            Path p = Path.of(src.getLocation().toURI()).toAbsolutePath();
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
