package io.slabscope.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import io.slabscope.testing.LiveChild;
import io.slabscope.testing.NativeProbe;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** NativeSource in a JVM started under LD_PRELOAD (and in one that is not). */
@Timeout(120)
class NativeSourceTest {

    record Result(int code, Map<String, String> values, String output) {
    }

    private static Result probe(boolean preload) throws Exception {
        String jna = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String cp = String.join(File.pathSeparator, System.getProperty("slabscope.classes", "target/classes"),
                System.getProperty("slabscope.testClasses", "target/test-classes"), jna);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", cp,
                NativeProbe.class.getName());
        pb.environment().remove("LD_PRELOAD");
        if (preload) {
            pb.environment().put("LD_PRELOAD", LiveChild.LIBRARY.toString());
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("probe JVM did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                values.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        return new Result(p.exitValue(), values, text);
    }

    @Test
    void readsItsOwnJvmThroughJna() throws Exception {
        LiveChild.assumeAvailable();
        Result r = probe(true);
        assertEquals(0, r.code(), r.output());
        Map<String, String> v = r.values();
        assertEquals(v.get("self"), v.get("pid"), r.output());
        assertTrue(v.get("version").startsWith("slabscope ") && v.get("version").endsWith(" shm 1"), v.get("version"));
        assertTrue(v.get("exe").endsWith("/java"), v.get("exe"));
        long k64 = Long.parseLong(v.get("k64"));
        assertTrue(k64 >= NativeProbe.BLOCKS, "kmalloc-64 active " + k64 + "\n" + r.output());
        assertTrue(Integer.parseInt(v.get("caches")) >= 40);
        long heap = Long.parseLong(v.get("heap"));
        assertTrue(heap > 0);
        assertTrue(Long.parseLong(v.get("threads")) >= 2, "a JVM has several threads");
        // the JVM's other threads allocate meanwhile: the heap may have grown between the calls
        long pages = Long.parseLong(v.get("layout_pages"));
        assertTrue(pages >= heap / 4096 / 2 && pages >= Long.parseLong(v.get("layout_slab_pages")), r.output());
        assertTrue(Long.parseLong(v.get("layout_slab_pages")) >= NativeProbe.BLOCKS * 64L / 4096);
        assertTrue(Long.parseLong(v.get("shm_k64")) >= NativeProbe.BLOCKS, "the segment agrees");
    }

    @Test
    void withoutTheShimSaysSo() throws Exception {
        Result r = probe(false);
        assertEquals(3, r.code(), r.output());
        String m = r.values().get("not_under_shim");
        assertTrue(m != null && m.contains("does not run under libslabscope.so"), r.output());
        assertFalse(r.output().contains("Exception in thread"), r.output());
    }
}
