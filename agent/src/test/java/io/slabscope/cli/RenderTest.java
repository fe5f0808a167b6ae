package io.slabscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutParser;
import io.slabscope.model.Snapshot;
import io.slabscope.model.SnapshotParser;
import io.slabscope.testing.LayoutBytes;
import io.slabscope.testing.SampleMaps;
import io.slabscope.testing.SnapshotBytes;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frames and maps drawn from hand-built snapshots and layouts. */
class RenderTest {
    @TempDir
    Path tmp;

    static Snapshot snapshot() throws Exception {
        return SnapshotParser.parse(ByteBuffer.wrap(SnapshotBytes.sample().build()));
    }

    static Layout layout() throws Exception {
        return LayoutParser.parse(ByteBuffer.wrap(LayoutBytes.sample().build()), 4096);
    }

    @Test
    void topFrame() throws Exception {
        Snapshot s = snapshot();
        String f = TopView.frame(s, SortKey.OBJECTS, 100, 0, false, s.publishTime().plusMillis(1500));
        String[] l = f.split("\n");
        assertEquals(" slabscope top - pid 4242 /usr/bin/testprog - published 1.5s ago (#7) - sort: objects", l[0]);
        assertEquals(" Active / Total Objects (% used)    : 1544 / 1615 (95.6%)", l[1]);
        assertEquals(" Active / Total Slabs (% used)      : 153 / 153 (100.0%)", l[2]);
        assertEquals(" Active / Total Caches (% used)     : 2 / 3 (66.7%)", l[3]);
        assertEquals(" Minimum / Average / Maximum Object : 0.06K / 0.38K / 1.00K", l[5]);
        assertEquals(TopView.COLUMNS, l[TopView.HEADER_LINES - 1]);
        assertEquals("  1071   1000  93%    0.06K     17       63        68K kmalloc-64", l[TopView.HEADER_LINES]);
        assertEquals("   544    544 100%    1.00K    136        4       544K kmalloc-1024", l[TopView.HEADER_LINES + 1]);
        assertEquals(TopView.HEADER_LINES + 3, l.length);
        String byName = TopView.frame(s, SortKey.NAME, 1, 0, false, Instant.now());
        String[] n = byName.split("\n");
        assertEquals(TopView.HEADER_LINES + 1, n.length, "one row");
        assertTrue(n[TopView.HEADER_LINES].endsWith(" inode_cache"), n[TopView.HEADER_LINES]);
        String narrow = TopView.frame(s, SortKey.NAME, 100, 40, false, Instant.now());
        assertTrue(narrow.lines().allMatch(x -> x.length() <= 40), narrow);
        Snapshot threads = SnapshotParser.parse(ByteBuffer.wrap(SnapshotBytes.sample().global("threads", 12)
                .global("full_thread_caches", 3).global("thread_cache_bytes", 65536).build()));
        String t = TopView.frame(threads, SortKey.OBJECTS, 100, 0, false, Instant.now());
        assertTrue(t.contains(" threads 12 (3 with a full cache; 64.0K kept in thread caches)"), t);
    }

    @Test
    void layoutMapText() throws Exception {
        Snapshot s = snapshot();
        Layout l = layout();
        LayoutCells cells = new LayoutCells(l, s, 1);
        String t = LayoutText.render(s, l, cells, 8, false);
        assertTrue(t.contains("Zone Brk (brk heap) 0x555555a00000-0x555555a10000, 16 pages, 64.0K; 1 character = 1 page"),
                t);
        // page 0 metadata, 1-2 kmalloc-64 (A: most pages), 3 kmalloc-1024 (B), 4-6 medium, 7 free o0, 8-15 free o3
        assertTrue(t.contains("    555555a00000 |#AAB[==0|\n    555555a08000 |33333333|\n"), t);
        assertTrue(t.contains("  A   kmalloc-64                2 pages  73/126 objects in use (58%)"), t);
        assertTrue(t.contains("  B   kmalloc-1024              1 page   4/4 objects in use (100%)"), t);
        assertTrue(t.contains("Mmap path: 1 block, 2.0M mapped"), t);
        String colored = LayoutText.render(s, l, cells, 8, true);
        assertTrue(colored.contains("\033[48;5;"), "ANSI colours");

        // two pages per character: the majority wins
        LayoutCells pairs = new LayoutCells(l, s, 2);
        String t2 = LayoutText.render(s, l, pairs, 8, false);
        assertTrue(t2.contains("|#A[=3333|"), t2);
        assertEquals(2, LayoutCells.pagesPerCell(l, 4, 2));
    }

    @Test
    void addressSpaceWithTheZonesMarked() throws Exception {
        AddressSpace as = AddressSpace.parse(SampleMaps.MAPS.replace("55663f92f000-556640400000",
                "555555900000-555555b00000").replace("7fea5b600000-7fea5b800000", "7f1234500000-7f1234800000"), "/opt/prog");
        String t = AddressSpaceText.render(4242, as, layout());
        String[] lines = t.split("\n");
        assertTrue(lines[1].contains("kernel --xp [vsyscall]"), t);
        assertTrue(t.contains(" heap   rw-p [heap]  <- slabscope zone Brk 0x555555a00000-0x555555a10000"), t);
        assertTrue(t.contains("(anonymous)  <- slabscope mmap path: 1 block 2.0M"), t);
        assertTrue(lines[lines.length - 1].contains("rodata r--p /opt/prog"), "lowest address last: " + t);
        assertTrue(t.contains(" bss "), t);
    }

    @Test
    void picture() throws Exception {
        Path f = tmp.resolve("x.png");
        LayoutPng.Result r = LayoutPng.write(snapshot(), layout(), 8, f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img);
        assertEquals(r.width(), img.getWidth());
        assertEquals(r.height(), img.getHeight());
        // page 0 (metadata) is the first cell of the grid, 8x8 pixels: its colour
        int cell = LayoutPng.cellSize(16);
        int y0 = LayoutPng.MARGIN + 2 * 16 + 6 + 16;
        assertEquals(Palette.METADATA, img.getRGB(LayoutPng.MARGIN + cell / 2, y0 + cell / 2) & 0xffffff);
        assertEquals(Palette.MEDIUM_HEAD, img.getRGB(LayoutPng.MARGIN + 4 * cell + cell / 2, y0 + cell / 2) & 0xffffff);
    }
}
