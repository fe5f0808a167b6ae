package io.slabscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.testing.LiveChild;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand against a live ground_truth under the real shim. */
@Timeout(60)
class CliLiveTest {
    static LiveChild child;
    static String pid;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        LiveChild.assumeAvailable();
        child = new LiveChild();
        pid = Integer.toString(child.pid);
    }

    @AfterAll
    static void stop() throws Exception {
        if (child != null) {
            child.close();
        }
    }

    private static Captured ok(String... args) {
        Captured r = Captured.run(args);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.err, r.toString());
        return r;
    }

    @Test
    void slabinfo() {
        String out = ok("slabinfo", pid).out;
        assertTrue(out.startsWith("slabinfo - version: 2.1\n# name            <active_objs> <num_objs>"), out);
        Matcher m = Pattern.compile("(?m)^kmalloc-64 +(\\d+) +(\\d+) +64 +(\\d+) +1 : tunables +0 +0 +0 : slabdata +(\\d+)"
                + " +(\\d+) +0$").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(1)) >= child.small);
        assertTrue(Pattern.compile("(?m)^ground_truth_obj +" + child.named + " ").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^kmalloc-1024 +(\\d+)").matcher(out).find(), out);
        String json = ok("slabinfo", pid, "--json").out;
        assertTrue(json.contains("\"pid\": " + pid), json);
        assertTrue(json.contains("\"name\": \"ground_truth_obj\",\n      \"active_objs\": " + child.named + ","), json);
    }

    @Test
    void buddyinfo() {
        String out = ok("buddyinfo", pid).out;
        assertTrue(out.startsWith("Node 0, zone      Brk "), out);
        assertTrue(out.lines().allMatch(l -> l.matches("Node 0, zone +\\w+( +\\d+)+ ")), out);
        String frag = ok("buddyinfo", pid, "--frag").out;
        assertTrue(frag.contains("unusable free space index"), frag);
        assertTrue(frag.contains("Node 0, zone      All "), frag);
        assertTrue(Pattern.compile("(?m)^Node 0, zone      Brk( +-?\\d\\.\\d{3})+ $").matcher(frag).find(), frag);
        String json = ok("buddyinfo", pid, "--json").out;
        assertTrue(json.contains("\"kind\": \"brk\""), json);
        assertTrue(json.contains("\"unusable_index\": ["), json);
    }

    @Test
    void topOnce() {
        String out = ok("top", pid, "--once", "--sort", "a").out;
        assertTrue(out.contains(" Active / Total Objects (% used)    : "), out);
        assertTrue(out.contains("  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME\n"), out);
        String firstRow = out.lines().dropWhile(l -> !l.startsWith("  OBJS")).skip(1).findFirst().orElseThrow();
        assertTrue(firstRow.endsWith(" kmalloc-64"), "sorted by active objects: " + firstRow);
        String byName = ok("top", pid, "--once", "--sort", "name").out;
        String first = byName.lines().dropWhile(l -> !l.startsWith("  OBJS")).skip(1).findFirst().orElseThrow();
        assertTrue(first.endsWith(" ground_truth_obj"), first);
    }

    @Test
    void ps() {
        String out = ok("ps").out;
        assertTrue(out.startsWith("    PID     HEAP       LIVE"), out);
        assertTrue(Pattern.compile("(?m)^ *" + pid + " .*/ground_truth$").matcher(out).find(), out);
        String json = ok("ps", "--json").out;
        assertTrue(json.contains("\"pid\": " + pid + ","), json);
    }

    @Test
    void layoutTextAndPicture() throws Exception {
        Captured text;
        Captured png;
        Path file = tmp.resolve("heap.png");
        try (AutoCloseable pub = child.publishing(20)) {
            text = Captured.run("layout", pid, "--wait", "10");
            png = Captured.run("layout", pid, "--png", file.toString(), "--width", "64", "--wait", "10");
        }
        assertEquals(0, text.code, text.toString());
        String out = text.out;
        assertTrue(out.contains("Zone Brk (brk heap) 0x"), out);
        assertTrue(out.contains("kmalloc-64"), out);
        assertTrue(out.contains("ground_truth_obj"), out);
        assertTrue(Pattern.compile("(?m)^ +[0-9a-f]+ \\|[A-Z0-9a-f\\[=# *]+\\|$").matcher(out).find(), out);
        assertTrue(out.contains("Mmap path: " + child.large + " blocks"), out);
        assertTrue(out.contains("Address space of pid " + pid), out);
        assertTrue(out.contains(" heap "), out);
        assertTrue(out.contains(" stack "), out);
        assertTrue(out.contains("<- slabscope zone Brk"), out);
        assertEquals(0, png.code, png.toString());
        assertTrue(png.out.startsWith("wrote " + file), png.out);
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, "a PNG ImageIO reads");
        assertTrue(img.getWidth() > 64 && img.getHeight() > 32, img.getWidth() + "x" + img.getHeight());
    }
}
