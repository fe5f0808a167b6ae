package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.testing.SnapshotBytes;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FormatsTest {

    private static Snapshot sample() throws SnapshotFormatException {
        return SnapshotParser.parse(ByteBuffer.wrap(SnapshotBytes.sample().build()));
    }

    @Test
    void slabinfoAsTheKernelPrintsIt() throws Exception {
        String expected = "slabinfo - version: 2.1\n"
                + "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit>"
                + " <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
                + "kmalloc-64          1000   1071     64   63    1 : tunables    0    0    0 : slabdata     17     17      0\n"
                + "kmalloc-1024         544    544   1024    4    1 : tunables    0    0    0 : slabdata    136    136      0\n"
                + "inode_cache            0      0    600   13    2 : tunables    0    0    0 : slabdata      0      0      0\n";
        assertEquals(expected, SlabinfoFormat.text(sample()));
    }

    /** The policy bits of the flags (SS_SLAB_SLOB 0x8, SS_SLAB_SLUB 0x10), and back from a name. */
    @Test
    void thePolicyOfACache() {
        for (String p : new String[] {"slab", "slob", "slub"}) {
            SlabCache c = new SlabCache("c", 8, 8, 8, 512, 1, 0, 0, -1, 1, 512, 1, 1, 0, 1, 0, 1, 0, 1, 0,
                    SlabCache.policyFlags(p) | 0x2 | 0x300, 0, 4096);
            assertEquals(p, c.policy());
            assertEquals(0x3, c.debugFlags(), "debug flags untouched");
        }
        assertEquals(0, SlabCache.policyFlags(null));     // an older agent: no Policy attribute
    }

    @Test
    void longNamesPushTheColumnsRight() {
        SlabCache c = new SlabCache("a_very_long_cache_name", 8, 8, 8, 512, 1, 0, 0, -1, 1, 512, 1, 1, 0, 1, 0, 1, 0, 1, 0,
                0, 0, 4096);
        assertEquals("a_very_long_cache_name      1    512      8  512    1 : tunables    0    0    0 : slabdata      1"
                + "      1      0\n", SlabinfoFormat.line(c));
    }

    @Test
    void buddyinfoAsTheKernelPrintsIt() throws Exception {
        String expected = "Node 0, zone      Brk      3      1      0      2      0      0      0      1      0      0      0"
                + "      0      0      0 \n"
                + "Node 0, zone    Mmap1      0      0      0      0      0      0      0      0      0      0      1"
                + "      0      0      0 \n";
        assertEquals(expected, BuddyinfoFormat.text(sample()));
    }

    @Test
    void fragmentationTablesLikeExtfrag() throws Exception {
        Snapshot s = sample();
        String unusable = BuddyinfoFormat.unusableIndexText(s.buddyInfo());
        String[] lines = unusable.split("\n");
        assertEquals(3, lines.length);
        // Brk: [3,1,0,2,0,0,0,1], free pages 149; order 1: suitable 1 + 2*4 + 1*64 = 73 -> (149-146)/149 = 0.020
        assertTrue(lines[0].startsWith("Node 0, zone      Brk 0.000 0.020 "), lines[0]);
        // Mmap1: a single order-10 block: nothing unusable up to order 10, all of it above
        assertTrue(lines[1].startsWith("Node 0, zone    Mmap1 0.000 0.000 "), lines[1]);
        assertTrue(lines[1].endsWith("0.000 1.000 1.000 1.000 "), lines[1]);
        assertTrue(lines[2].startsWith("Node 0, zone      All "), lines[2]);

        String frag = BuddyinfoFormat.fragmentationIndexText(s.buddyInfo());
        String brk = frag.split("\n")[0];
        // Brk has blocks up to order 7: -1.000 up to there, then 1 - (1 + 149/2^o)/7
        // o=8: 1000 - (1000 + 149000/256)/7 = 1000 - (1000+582)/7 = 1000 - 226 = 774
        assertTrue(brk.startsWith("Node 0, zone      Brk -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000  0.774 "),
                brk);
    }

    @Test
    void millisLikeTheKernel() {
        assertEquals("-1.000", BuddyinfoFormat.millis(-1000));
        assertEquals(" 0.500", BuddyinfoFormat.millis(500));
        assertEquals(" 1.000", BuddyinfoFormat.millis(1000));
        assertEquals(" 0.000", BuddyinfoFormat.millis(0));
        assertEquals("-0.500", BuddyinfoFormat.millis(-500));
    }

    @Test
    void jsonOutputs() throws Exception {
        Snapshot s = sample();
        String slab = SlabinfoFormat.json(s);
        assertTrue(slab.startsWith("{\n  \"pid\": 4242,\n  \"exe\": \"/usr/bin/testprog\",\n"), slab);
        assertTrue(slab.contains("\"name\": \"kmalloc-64\",\n      \"active_objs\": 1000,\n      \"num_objs\": 1071,"), slab);
        assertTrue(slab.contains("\"cache_size_bytes\": 69632"), slab);
        assertTrue(slab.contains("\"usage_percent\": 93.37"), slab);
        assertEquals(count(slab, '{'), count(slab, '}'));
        String buddy = BuddyinfoFormat.json(s);
        assertTrue(buddy.contains("\"name\": \"Brk\""), buddy);
        assertTrue(buddy.contains("\"nr_free\": [3, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]"), buddy);
        assertTrue(buddy.contains("\"unusable_index\": [0.0, 0.02, "), buddy);
        assertTrue(buddy.contains("\"fragmentation_index\": [-1.0, -1.0, "), buddy);
        assertTrue(buddy.contains("\"all\": {"), buddy);
    }

    @Test
    void jsonWriterEscapesAndNests() {
        String s = new JsonWriter().beginObject().member("a\"b", "x\ny\u0001").name("arr").beginArray().value(1).value(2.5)
                .value(true).nullValue().beginObject().endObject().endArray().name("e").beginArray().endArray()
                .endObject().toString();
        assertEquals("{\n  \"a\\\"b\": \"x\\ny\\u0001\",\n  \"arr\": [\n    1,\n    2.5,\n    true,\n    null,\n    {}\n  ],"
                + "\n  \"e\": []\n}\n", s);
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }
}
