package io.slabscope.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * Where a command reads and writes.
 *
 * @param out      standard output
 * @param err      standard error
 * @param in       standard input
 * @param terminal whether standard input and output are a terminal
 */
public record Io(PrintStream out, PrintStream err, InputStream in, boolean terminal) {

    /** The process's own streams. */
    public static Io system() {
        return new Io(System.out, System.err, System.in, System.console() != null);
    }
}
