package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slabscope.model.source.Processes;
import io.slabscope.testing.LiveChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slabscope command and other users' processes: a segment is private to its owner (mode 0600),
 * the command refuses another user's process with one line and exit code 4, and root reads
 * everyone's. Needs root (as CI runs) to start processes as {@code nobody} with setpriv.
 */
@Timeout(180)
class OtherUsersTest {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
    static final int NOBODY = 65534;

    @TempDir
    Path dir;

    @BeforeAll
    static void rootAndSetpriv() {
        assumeTrue(Processes.currentUid() == 0, "starts processes as nobody: run as root (CI does)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no setpriv (util-linux)");
        LiveChild.assumeAvailable();
    }

    /**
     * The agent jar where nobody can read it: a copy, mode 0644, in a directory of mode 0755 (the jar
     * the tests make before `package` is written private to root).
     */
    private static synchronized Path readableJar() throws Exception {
        Path d = Child.classesDir().getParent().resolve("other-users");
        Files.createDirectories(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = d.resolve("slabscope.jar");
        Files.copy(Child.agentJar(), jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        return jar;
    }

    /** The slabscope command (the agent jar's main class) in a JVM of its own, as nobody or as root. */
    private AttachTest.Proc slabscope(boolean asNobody, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(asNobody ? AS_NOBODY : List.of());
        cmd.addAll(List.of(Child.java("17").toString(), "-XX:-UsePerfData", "-cp", readableJar().toString(),
                "io.slabscope.cli.Main"));
        cmd.addAll(List.of(args));
        return AttachTest.Proc.run(dir, cmd);
    }

    @Test
    void anotherUsersProcessIsRefused() throws Exception {
        try (LiveChild rootsChild = new LiveChild()) {
            String pid = Integer.toString(rootsChild.pid);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rootsChild.segment())),
                    "a segment is its owner's only");
            String refusal = "slabscope: process " + pid + " belongs to user root (uid 0), not to uid " + NOBODY
                    + ": only its owner or root may read it\n";
            for (List<String> args : List.of(List.of("slabinfo", pid), List.of("buddyinfo", pid, "--frag"),
                    List.of("top", pid, "--once"), List.of("layout", pid))) {
                AttachTest.Proc p = slabscope(true, args.toArray(String[]::new));
                assertEquals(4, p.code(), args + ": " + p.out() + p.err());
                assertEquals(refusal, p.err(), args.toString());
                assertEquals("", p.out(), args.toString());
            }
            AttachTest.Proc ps = slabscope(true, "ps");
            assertEquals(0, ps.code(), ps.err());
            assertFalse(ps.out().lines().anyMatch(l -> l.trim().startsWith(pid + " ")), "nobody's ps lists only "
                    + "nobody's processes:\n" + ps.out());
            assertEquals(0, rootsChild.finish());
        }
    }

    @Test
    void rootReadsAnotherUsersProcess() throws Exception {
        try (LiveChild nobodys = new LiveChild(AS_NOBODY)) {
            String pid = Integer.toString(nobodys.pid);
            assertEquals(NOBODY, Processes.ownerUid(nobodys.segment()), "the segment belongs to the process's user");
            AttachTest.Proc slabinfo = slabscope(false, "slabinfo", pid);
            assertEquals(0, slabinfo.code(), slabinfo.err());
            assertTrue(slabinfo.out().contains("\nground_truth_obj "), slabinfo.out());
            AttachTest.Proc ps = slabscope(false, "ps");
            assertTrue(ps.out().lines().anyMatch(l -> l.trim().startsWith(pid + " ")), ps.out());
            try (AutoCloseable publishing = nobodys.publishing(20)) {
                AttachTest.Proc layout = slabscope(false, "layout", pid, "--wait", "10");
                assertEquals(0, layout.code(), layout.err());
                assertTrue(layout.out().contains("ground_truth_obj"), layout.out());
            }
            assertEquals(0, nobodys.finish());
        }
    }
}
