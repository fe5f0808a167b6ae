package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Libraries that stand in for libslabscope.so where it is not the one the agent expects: tiny
 * shared objects built here with gcc that export some of its functions, and copies of the real
 * shim with one function renamed in its dynamic string table (an older shim, as far as a symbol
 * lookup can tell). All under target/fake-shims.
 */
final class FakeShims {
    private FakeShims() {
    }

    static Path dir() throws Exception {
        Path d = Child.classesDir().getParent().resolve("fake-shims");
        Files.createDirectories(d);
        return d;
    }

    /** Builds {@code libslabscope-NAME.so} from C source (once per run); skips the test without gcc. */
    static synchronized Path build(String name, String source) throws Exception {
        Path lib = dir().resolve("libslabscope-" + name + ".so");
        Path c = dir().resolve("libslabscope-" + name + ".c");
        if (Files.isRegularFile(lib) && Files.isRegularFile(c) && Files.readString(c).equals(source)) {
            return lib;
        }
        Files.writeString(c, source);
        AttachTest.Proc gcc;
        try {
            gcc = AttachTest.Proc.run(dir(), List.of("gcc", "-shared", "-fPIC", "-O1", "-o", lib.toString(),
                    c.toString()));
        } catch (java.io.IOException e) {
            Assumptions.abort("no gcc: " + e.getMessage());
            return null;
        }
        assertEquals(0, gcc.code(), gcc.err());
        return lib;
    }

    /** A library that says it is a shim of another shared-memory format. */
    static Path otherFormat() throws Exception {
        return build("shm99", """
                #include <stddef.h>
                const char *ss_version(void) { return "slabscope 0.0 shm 99"; }
                size_t ss_snapshot(void *buf, size_t len) { (void) buf; (void) len; return 0; }
                """);
    }

    /** A library of the right format that lacks most of the shim's functions. */
    static Path incomplete() throws Exception {
        return build("incomplete", """
                #include <stddef.h>
                const char *ss_version(void) { return "slabscope 0.1.0 shm 1"; }
                size_t ss_snapshot(void *buf, size_t len) { (void) buf; (void) len; return 0; }
                """);
    }

    /** A library with the shim's snapshot function and no version. */
    static Path unversioned() throws Exception {
        return build("unversioned", """
                #include <stddef.h>
                size_t ss_snapshot(void *buf, size_t len) { (void) buf; (void) len; return 0; }
                """);
    }

    /** The real shim as one that predates debug mode (no ss_validate). */
    static Path withoutDebugMode() throws Exception {
        return without("ss_validate", "nodebug");
    }

    /** The real shim as one that predates ss_shrink_caches (the agent's shrinkCaches falls back). */
    static Path withoutShrinkCaches() throws Exception {
        return without("ss_shrink_caches", "noshrink");
    }

    /**
     * The real shim as one that lacks {@code function}: the same library if it has no such name, else
     * a copy in which the name's last letter is changed to X, so that lookups miss it.
     */
    private static Path without(String function, String tag) throws Exception {
        Path real = Child.library();
        byte[] b = Files.readAllBytes(real);
        byte[] name = ("\0" + function + "\0").getBytes(StandardCharsets.US_ASCII);
        int found = 0;
        for (int i = 0; i + name.length <= b.length; i++) {
            if (matches(b, i, name)) {
                b[i + name.length - 2] = 'X';
                found++;
            }
        }
        if (found == 0) {
            return real;
        }
        Path lib = dir().resolve("libslabscope-" + tag + ".so");
        Files.write(lib, b);
        return lib;
    }

    private static boolean matches(byte[] b, int at, byte[] what) {
        for (int j = 0; j < what.length; j++) {
            if (b[at + j] != what[j]) {
                return false;
            }
        }
        return true;
    }
}
