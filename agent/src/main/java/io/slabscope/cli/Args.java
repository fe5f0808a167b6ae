package io.slabscope.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A subcommand's command line: flags ({@code --json}), options with a value
 * ({@code --delay 2}, {@code --delay=2}), options whose value is optional ({@code --debug} or
 * {@code --debug=FZ}, never {@code --debug FZ}), positional arguments, and {@code --} ending the
 * options. {@code -h} and {@code --help} are always known.
 */
final class Args {
    private final String command;
    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param command           subcommand name, for messages
     * @param raw               the arguments after the subcommand
     * @param knownFlags        flags without a value
     * @param knownValued       options taking a value
     * @param stopAtPositional  the first positional argument ends the options (for run)
     */
    Args(String command, List<String> raw, Set<String> knownFlags, Set<String> knownValued, boolean stopAtPositional)
            throws UsageException {
        this(command, raw, knownFlags, knownValued, Set.of(), stopAtPositional);
    }

    /**
     * @param optionalValued options that are a flag alone and take a value after '=' (see {@link #flag}
     *                       and {@link #value})
     */
    Args(String command, List<String> raw, Set<String> knownFlags, Set<String> knownValued,
            Set<String> optionalValued, boolean stopAtPositional) throws UsageException {
        this.command = command;
        boolean options = true;
        for (int i = 0; i < raw.size(); i++) {
            String a = raw.get(i);
            if (options && a.equals("--")) {
                options = false;
                continue;
            }
            if (options && (a.equals("-h") || a.equals("--help"))) {
                flags.add("--help");
                continue;
            }
            if (options && a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (optionalValued.contains(name)) {
                    if (value == null) {
                        flags.add(name);
                    } else {
                        values.put(name, value);
                    }
                } else if (knownFlags.contains(name)) {
                    if (value != null) {
                        throw new UsageException(name + " takes no value");
                    }
                    flags.add(name);
                } else if (knownValued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= raw.size()) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = raw.get(++i);
                    }
                    values.put(name, value);
                } else {
                    throw new UsageException("unknown option " + name + " (see slabscope " + command + " --help)");
                }
                continue;
            }
            positional.add(a);
            if (stopAtPositional) {
                options = false;
            }
        }
    }

    private static boolean isNumber(String s) {
        return s.matches("-[0-9.]+");
    }

    boolean help() {
        return flags.contains("--help");
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    List<String> positional() {
        return positional;
    }

    /** The single positional argument, a PID. */
    int pid() throws UsageException {
        if (positional.isEmpty()) {
            throw new UsageException("slabscope " + command + " needs a PID");
        }
        if (positional.size() > 1) {
            throw new UsageException("slabscope " + command + " takes one PID, got: " + String.join(" ", positional));
        }
        return parsePid(positional.get(0));
    }

    static int parsePid(String s) throws UsageException {
        try {
            int pid = Integer.parseInt(s);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("not a PID: '" + s + "'");
    }

    /** A positive integer option. */
    int intValue(String name, int dflt, int min, int max) throws UsageException {
        Optional<String> v = value(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " wants a whole number from " + min + " to " + max + ", not '" + v.get() + "'");
    }

    /** A positive number of seconds. */
    double secondsValue(String name, double dflt) throws UsageException {
        Optional<String> v = value(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v.get());
            if (d > 0 && d <= 86400 && !Double.isNaN(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " wants a number of seconds above 0, not '" + v.get() + "'");
    }
}
