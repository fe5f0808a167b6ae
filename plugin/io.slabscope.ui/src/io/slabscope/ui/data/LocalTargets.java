package io.slabscope.ui.data;

import io.slabscope.model.source.Processes;
import io.slabscope.model.source.ShmDirectory;
import io.slabscope.model.source.ShmSegment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local processes the connect dialog lists: every process publishing a Slabscope segment in
 * /dev/shm (any program under the shim), and every local JVM the Attach API sees (as jconsole
 * lists them).
 */
public final class LocalTargets {
    private LocalTargets() {
    }

    /**
     * One local process.
     *
     * @param pid         process id
     * @param name        program (or the JVM's display name)
     * @param shm         publishes /dev/shm/slabscope.PID (readable without an agent, with page layout)
     * @param jvm         a JVM the Attach API sees (JMX through the agent's MBeans)
     * @param attachId    the Attach API's id, or null
     */
    public record Target(int pid, String name, boolean shm, boolean jvm, String attachId) {
        public String how() {
            return shm && jvm ? "shared memory + JMX" : shm ? "shared memory" : "JMX (agent)";
        }
    }

    /** Live processes under the shim and local JVMs, by pid. */
    public static List<Target> list() {
        Map<Integer, Target> byPid = new TreeMap<>();
        try {
            for (ShmSegment s : new ShmDirectory().list()) {
                if (s.alive()) {
                    byPid.put(s.pid(), new Target(s.pid(), Processes.exe(s.pid()), true, false, null));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /dev/shm: nothing under the shim here
        }
        for (String[] vm : jvms()) {
            int pid;
            try {
                pid = Integer.parseInt(vm[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            Target old = byPid.get(pid);
            String name = vm[1].isBlank() ? Processes.exe(pid) : vm[1];
            byPid.put(pid, new Target(pid, name, old != null, true, vm[0]));
        }
        return new ArrayList<>(byPid.values());
    }

    /** [id, displayName] of each JVM from com.sun.tools.attach.VirtualMachine.list(); empty without jdk.attach. */
    static List<String[]> jvms() {
        List<String[]> out = new ArrayList<>();
        try {
            for (com.sun.tools.attach.VirtualMachineDescriptor d : com.sun.tools.attach.VirtualMachine.list()) {
                out.add(new String[] {d.id(), d.displayName()});
            }
        } catch (LinkageError | RuntimeException e) {
            // jdk.attach not visible in this runtime
        }
        return out;
    }

    /** Whether the Attach API is usable here. */
    public static boolean attachAvailable() {
        try {
            Class.forName("com.sun.tools.attach.VirtualMachine");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Opens the best source for a local target: its shared-memory segment if it has one (snapshot,
     * layout, maps), else JMX through the Attach API's local connector address.
     */
    public static DataSource open(Target t) throws IOException {
        if (t.shm()) {
            return ShmDataSource.open(t.pid());
        }
        if (t.attachId() == null) {
            throw new IOException("process " + t.pid() + " neither runs under the shim nor is a JVM");
        }
        return openJmx(t);
    }

    /**
     * Opens a local JVM through JMX, even when it also publishes a segment: the Attach API starts
     * its local management agent (as jconsole does) and the agent's MBeans are read over that
     * connector address.
     */
    public static JmxDataSource openJmx(Target t) throws IOException {
        if (t.attachId() == null) {
            throw new IOException("process " + t.pid() + " is not a JVM the Attach API sees");
        }
        try {
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(t.attachId());
            try {
                String address = vm.startLocalManagementAgent();
                return JmxDataSource.connectLocal(address, "pid " + t.pid() + " " + t.name());
            } finally {
                vm.detach();
            }
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to " + t.pid() + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new IOException("the Attach API (module jdk.attach) is not available in this runtime", e);
        }
    }
}
