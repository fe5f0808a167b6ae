package io.slabscope.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Names of native threads from /proc/self/task/TID/comm, cached until {@link #clear()} (the agent
 * clears it every period, since threads rename themselves and ids get reused).
 */
final class ThreadNames {
    private static final int MAX = 4096;
    private final Map<Integer, String> names = new HashMap<>();

    String name(int tid) {
        String n = names.get(tid);
        if (n == null) {
            n = read(tid);
            if (names.size() >= MAX) {
                names.clear();
            }
            names.put(tid, n);
        }
        return n;
    }

    void clear() {
        names.clear();
    }

    static String read(int tid) {
        if (tid <= 0) {
            return "";
        }
        try {
            return new String(Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/comm")), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException | RuntimeException e) {
            return "";                               // the thread has exited
        }
    }
}
