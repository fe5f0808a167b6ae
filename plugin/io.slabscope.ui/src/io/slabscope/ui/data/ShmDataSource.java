package io.slabscope.ui.data;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.Layout;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.Processes;
import io.slabscope.model.source.ShmSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A local process under the shim, read through {@code /dev/shm/slabscope.<pid>} with the model's
 * {@link ShmSource}: snapshot, page layout and /proc/PID/maps.
 */
public final class ShmDataSource implements DataSource {
    /** How long a poll waits for the process to answer a layout request. */
    static final Duration LAYOUT_WAIT = Duration.ofMillis(200);

    private final int pid;
    private final ShmSource source;
    private final String exe;
    private Layout lastLayout;

    private ShmDataSource(int pid, ShmSource source) {
        this.pid = pid;
        this.source = source;
        this.exe = Processes.exe(pid);
    }

    public static ShmDataSource open(int pid) throws IOException {
        return new ShmDataSource(pid, ShmSource.open(pid));
    }

    public int pid() {
        return pid;
    }

    @Override
    public String describe() {
        return "pid " + pid + (exe.isEmpty() ? "" : " " + exe) + " (shared memory)";
    }

    @Override
    public Frame poll() throws IOException {
        Snapshot s = source.snapshot();
        try {
            lastLayout = source.layout(LAYOUT_WAIT);
        } catch (IOException e) {
            if (!Processes.isAlive(pid)) {
                throw e;
            }
            // an idle process answers layout requests when it next allocates: keep the last one
        }
        return new Frame(s, lastLayout, readMaps(pid, s.exe().isEmpty() ? exe : s.exe()), Frame.now());
    }

    /** /proc/PID/maps as an address space, or null if it cannot be read. */
    static AddressSpace readMaps(int pid, String exe) {
        try {
            return AddressSpace.parse(Files.readString(Path.of("/proc", Integer.toString(pid), "maps")), exe);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public DataSource reopen() throws IOException {
        return open(pid);
    }

    @Override
    public void close() {
        // ShmSource holds no open file between calls
    }
}
