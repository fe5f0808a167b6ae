package io.slabscope.model.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.Optional;

/** What /proc says about processes and file owners. */
public final class Processes {
    private Processes() {
    }

    /** Whether {@code pid} is a running process (zombies count as gone). */
    public static boolean isAlive(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** When the process started, if known. */
    public static Optional<Instant> startTime(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    }

    /** The effective uid of this JVM (the owner of /proc/self). */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot tell this process's uid: " + e.getMessage(), e);
        }
    }

    /** The uid owning a file (not following links). */
    public static int ownerUid(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** The user name owning a file, or its uid as text. */
    public static String ownerName(Path file) {
        try {
            UserPrincipal p = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS);
            return p.getName();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The program of a process, from /proc/PID/exe ("" if unreadable). */
    public static String exe(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }
}
