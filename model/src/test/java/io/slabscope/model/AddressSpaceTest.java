package io.slabscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slabscope.testing.SampleMaps;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressSpaceTest {
    @Test
    void regionsAsTextbooksDrawThem() {
        AddressSpace as = AddressSpace.parse(SampleMaps.MAPS, "/opt/prog");
        List<Region> regions = as.mappings().stream().map(Mapping::region).toList();
        assertEquals(List.of(Region.RODATA, Region.TEXT, Region.RODATA, Region.DATA, Region.BSS, Region.HEAP, Region.MMAP,
                Region.MMAP, Region.KERNEL, Region.KERNEL, Region.STACK, Region.MMAP, Region.KERNEL), regions);
        Mapping heap = as.region(Region.HEAP).get(0);
        assertEquals(0x55663f92f000L, heap.start());
        assertEquals(0x556640400000L - 0x55663f92f000L, heap.size());
        assertEquals(heap, as.at(0x556640000000L));
        assertNull(as.at(0x1000));
        assertEquals("/tmp/a file with spaces (deleted)", as.mappings().get(11).path());
        assertEquals(0xffffffffff601000L, as.mappings().get(12).end());
        assertEquals(true, as.mappings().get(12).contains(0xffffffffff600800L));
    }

    @Test
    void withoutTheProgramPathEverythingFileBackedIsMmap() {
        AddressSpace as = AddressSpace.parse(SampleMaps.MAPS, "");
        assertEquals(Region.MMAP, as.mappings().get(1).region());
        assertEquals(Region.MMAP, as.mappings().get(4).region(), "no bss without the program");
    }

    @Test
    void rejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> AddressSpace.parse("hello world\n", ""));
    }
}
