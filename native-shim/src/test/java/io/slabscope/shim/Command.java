package io.slabscope.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable description of one program invocation: argument vector, working
 * directory, extra environment, standard input and a time limit.
 *
 * @param argv       program and arguments
 * @param directory  working directory, or null for the current one
 * @param env        variables added to the environment
 * @param stdin      bytes fed to standard input, then closed; null leaves stdin open
 *                   (see {@link RunningProcess#closeStdin()})
 * @param timeout    the process (and its descendants) is killed after this long
 */
record Command(List<String> argv, Path directory, Map<String, String> env, byte[] stdin, Duration timeout) {

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    Command {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    static Command of(String... argv) {
        return new Command(List.of(argv), null, Map.of(), new byte[0], DEFAULT_TIMEOUT);
    }

    static Command of(List<String> argv) {
        return new Command(argv, null, Map.of(), new byte[0], DEFAULT_TIMEOUT);
    }

    Command in(Path dir) {
        return new Command(argv, dir, env, stdin, timeout);
    }

    Command withEnv(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(name, value);
        return new Command(argv, directory, more, stdin, timeout);
    }

    Command withEnv(Map<String, String> vars) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.putAll(vars);
        return new Command(argv, directory, more, stdin, timeout);
    }

    Command withStdin(String text) {
        return new Command(argv, directory, env, text.getBytes(StandardCharsets.UTF_8), timeout);
    }

    /** Standard input stays open until {@link RunningProcess#closeStdin()}. */
    Command withOpenStdin() {
        return new Command(argv, directory, env, null, timeout);
    }

    Command withTimeout(Duration limit) {
        return new Command(argv, directory, env, stdin, limit);
    }

    @Override
    public String toString() {
        return String.join(" ", argv) + (directory == null ? "" : "  (in " + directory + ")");
    }
}
