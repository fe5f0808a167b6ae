package io.slabscope.testing;

import com.sun.jna.Memory;
import io.slabscope.model.Layout;
import io.slabscope.model.PageKind;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.NativeSource;
import io.slabscope.model.source.NotUnderShimException;
import io.slabscope.model.source.ShmSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM (under LD_PRELOAD or not): reads this JVM through {@link NativeSource}
 * and prints "key value" lines for the test to check.
 */
public final class NativeProbe {
    public static final int BLOCKS = 5000;

    private NativeProbe() {
    }

    public static void main(String[] args) throws Exception {
        NativeSource src;
        try {
            src = NativeSource.open();
        } catch (NotUnderShimException e) {
            System.out.println("not_under_shim " + e.getMessage());
            System.exit(3);
            return;
        }
        List<Memory> keep = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            keep.add(new Memory(64));              // malloc(64): kmalloc-64
        }
        Snapshot s = src.snapshot();
        System.out.println("pid " + s.pid());
        System.out.println("self " + ProcessHandle.current().pid());
        System.out.println("version " + src.version());
        System.out.println("exe " + s.exe());
        System.out.println("k64 " + s.cache("kmalloc-64").orElseThrow().activeObjs());
        System.out.println("caches " + s.caches().size());
        System.out.println("heap " + s.global().heapBytes());
        System.out.println("threads " + s.global().threads());
        Layout l = src.layout(Duration.ZERO);
        System.out.println("layout_pages " + l.totalPages());
        System.out.println("layout_slab_pages " + l.count(PageKind.SLAB));
        System.out.println("layout_zones " + l.zones().size());
        // the same figures from outside: publish, then read the segment
        src.publish();
        Snapshot shm = ShmSource.open((int) ProcessHandle.current().pid()).snapshot();
        System.out.println("shm_k64 " + shm.cache("kmalloc-64").orElseThrow().activeObjs());
        System.out.println("kept " + keep.size());
        System.out.flush();
    }
}
