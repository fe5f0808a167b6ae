package io.slabscope.cli;

/**
 * While slabscope run waits for its command: Ctrl-C (SIGINT) reaches the command from the
 * terminal, so the JVM ignores it and waits for the command's own exit code; SIGTERM and
 * SIGHUP are passed on to the command. Only done when slabscope runs as a program (not when
 * its commands are called inside another JVM).
 */
final class Signals {
    static volatile boolean enabled;

    private Signals() {
    }

    static void forwardTo(Process p) {
        if (!enabled) {
            return;
        }
        handle("INT", null);
        handle("TERM", p);
        handle("HUP", p);
    }

    @SuppressWarnings("removal")
    private static void handle(String name, Process p) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                if (p != null) {
                    p.destroy();
                }
            });
        } catch (Throwable t) {
            // this signal cannot be handled here: the JVM's default applies
        }
    }
}
