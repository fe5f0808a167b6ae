package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples of the kernel's formulas (mm/vmstat.c), computed by hand. */
class FragmentationTest {

    /*
     * nr_free = [3, 1, 0, 2]: free_pages = 3*1 + 1*2 + 0*4 + 2*8 = 21, free_blocks_total = 6.
     * suitable(o) counts order-o blocks the blocks of order >= o provide:
     *   o=0: 3 + 1*2 + 0 + 2*8 = 21  -> unusable (21 - 21)/21 = 0
     *   o=1: 1 + 0*2 + 2*4 = 9       -> unusable (21 - 18)/21 = 3/21 = 0.142857 (kernel 142)
     *   o=2: 0 + 2*2 = 4             -> unusable (21 - 16)/21 = 5/21 = 0.238095 (kernel 238)
     *   o=3: 2                       -> unusable (21 - 16)/21 = 0.238095
     * A suitable block exists for every order: fragmentation index -1.
     */
    @Test
    void suitableBlocksEverywhere() {
        Fragmentation f = new Fragmentation("z", new long[] {3, 1, 0, 2});
        assertEquals(21, f.freePages());
        assertEquals(6, f.freeBlocksTotal());
        assertEquals(21, f.freeBlocksSuitable(0));
        assertEquals(9, f.freeBlocksSuitable(1));
        assertEquals(4, f.freeBlocksSuitable(2));
        assertEquals(2, f.freeBlocksSuitable(3));
        assertEquals(0.0, f.unusableIndex(0), 1e-12);
        assertEquals(3.0 / 21, f.unusableIndex(1), 1e-12);
        assertEquals(5.0 / 21, f.unusableIndex(2), 1e-12);
        assertEquals(5.0 / 21, f.unusableIndex(3), 1e-12);
        assertEquals(0, f.unusableIndexMillis(0));
        assertEquals(142, f.unusableIndexMillis(1));
        assertEquals(238, f.unusableIndexMillis(2));
        for (int o = 0; o < 4; o++) {
            assertEquals(-1.0, f.fragmentationIndex(o));
            assertEquals(-1000, f.fragmentationIndexMillis(o));
        }
    }

    /*
     * nr_free = [4, 2, 0, 0]: free_pages = 4 + 4 = 8, free_blocks_total = 6.
     *   o=0: unusable 0;  o=1: suitable 2 -> (8 - 4)/8 = 0.5; fragmentation -1
     *   o=2: no suitable block -> unusable 1; fragmentation 1 - (1 + 8/4)/6 = 0.5
     *        (kernel: 1000 - (1000 + 8000/4)/6 = 1000 - 500 = 500)
     *   o=3: unusable 1; fragmentation 1 - (1 + 8/8)/6 = 2/3
     *        (kernel: 1000 - (1000 + 1000)/6 = 1000 - 333 = 667)
     */
    @Test
    void fragmentedFreeMemory() {
        Fragmentation f = new Fragmentation("z", new long[] {4, 2, 0, 0});
        assertEquals(8, f.freePages());
        assertEquals(0.0, f.unusableIndex(0), 1e-12);
        assertEquals(0.5, f.unusableIndex(1), 1e-12);
        assertEquals(500, f.unusableIndexMillis(1));
        assertEquals(1.0, f.unusableIndex(2), 1e-12);
        assertEquals(1000, f.unusableIndexMillis(3));
        assertEquals(-1.0, f.fragmentationIndex(1));
        assertEquals(0.5, f.fragmentationIndex(2), 1e-12);
        assertEquals(500, f.fragmentationIndexMillis(2));
        assertEquals(2.0 / 3, f.fragmentationIndex(3), 1e-12);
        assertEquals(667, f.fragmentationIndexMillis(3));
    }

    /* Nothing free: unusable index 1 (all free memory is unusable), fragmentation index 0. */
    @Test
    void nothingFree() {
        Fragmentation f = new Fragmentation("z", new long[4]);
        assertEquals(0, f.freePages());
        for (int o = 0; o < 4; o++) {
            assertEquals(1.0, f.unusableIndex(o));
            assertEquals(1000, f.unusableIndexMillis(o));
            assertEquals(0.0, f.fragmentationIndex(o));
            assertEquals(0, f.fragmentationIndexMillis(o));
        }
    }

    /*
     * Two zones [3,1,0,2] and [4,2,0,0] together: [7,3,0,2], free_pages = 7 + 6 + 16 = 29,
     * o=2: suitable = 2*2 = 4 -> (29 - 16)/29 = 13/29 = 0.448 (kernel 448).
     * Per zone, the second zone has no order-2 block (index 1.0) though the process as a
     * whole has one.
     */
    @Test
    void allZonesTogetherAndPerZone() {
        Zone a = new Zone(1, ZoneKind.BRK, 0, 1 << 20, 21, 0, new long[] {3, 1, 0, 2});
        Zone b = new Zone(2, ZoneKind.MMAP, 1L << 30, (1L << 30) + (1 << 20), 8, 0, new long[] {4, 2, 0, 0});
        BuddyInfo info = BuddyInfo.of(List.of(a, b), 4);
        assertEquals("All", info.all().name());
        assertArrayEquals(new long[] {7, 3, 0, 2}, info.all().nrFree());
        assertEquals(29, info.all().freePages());
        assertEquals(13.0 / 29, info.all().unusableIndex(2), 1e-12);
        assertEquals(448, info.all().unusableIndexMillis(2));
        assertEquals(-1.0, info.all().fragmentationIndex(2));
        assertEquals("Brk", info.perZone().get(0).name());
        assertEquals("Mmap1", info.perZone().get(1).name());
        assertEquals(1.0, info.perZone().get(1).unusableIndex(2));
        assertEquals(0.5, info.perZone().get(1).fragmentationIndex(2), 1e-12);
    }

    /* The kernel's integer rounding: 1/3 -> 333, 2/3 -> 666 (unusable index rounds down). */
    @Test
    void kernelRoundsDown() {
        // [1, 1]: free_pages 3, o=1: suitable 1 -> (3 - 2)/3 = 0.333...
        Fragmentation f = new Fragmentation("z", new long[] {1, 1});
        assertEquals(333, f.unusableIndexMillis(1));
        // [2, 0, 1]: free_pages 6, o=1: suitable 0 + 1*2 = 2 -> (6 - 4)/6 -> 333; o=2: (6-4)/6 -> 333
        Fragmentation g = new Fragmentation("z", new long[] {2, 0, 1});
        assertEquals(333, g.unusableIndexMillis(1));
        assertEquals(333, g.unusableIndexMillis(2));
    }
}
