package io.slabscope.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The controlling terminal, through stty: size and raw (unbuffered, silent) key input. */
final class Terminal {
    static final String CLEAR = "\033[H\033[2J";
    static final String REVERSE = "\033[7m";
    static final String RESET = "\033[0m";
    private static final File TTY = new File("/dev/tty");

    private Terminal() {
    }

    /** {rows, columns}: stty size, else $LINES/$COLUMNS, else 24x80. */
    static int[] size() {
        try {
            String s = stty("size").trim();
            String[] f = s.split("\\s+");
            if (f.length == 2) {
                int rows = Integer.parseInt(f[0]);
                int cols = Integer.parseInt(f[1]);
                if (rows > 0 && cols > 0) {
                    return new int[] {rows, cols};
                }
            }
        } catch (IOException | NumberFormatException e) {
            // below
        }
        return new int[] {envInt("LINES", 24), envInt("COLUMNS", 80)};
    }

    private static int envInt(String name, int dflt) {
        try {
            String v = System.getenv(name);
            return v == null ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Puts the terminal in raw mode (no line buffering, no echo); close() restores it. */
    static AutoCloseable rawMode() throws IOException {
        String saved = stty("-g").trim();
        stty("-icanon", "-echo", "min", "1");
        Thread restore = new Thread(() -> {
            try {
                stty(saved);
            } catch (IOException e) {
                // nothing left to do
            }
        });
        Runtime.getRuntime().addShutdownHook(restore);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException e) {
                // shutting down: the hook restores
                return;
            }
            stty(saved);
        };
    }

    private static String stty(String... args) throws IOException {
        if (!TTY.exists()) {
            throw new IOException("no terminal");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("stty");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }
}
