package io.slabscope.agent.jfr;

import io.slabscope.model.BuddyInfo;
import io.slabscope.model.Fragmentation;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.Zone;
import java.util.List;

/** Writes the periodic events from one snapshot. */
public final class PeriodicEmitter {
    private PeriodicEmitter() {
    }

    public static void heapSummary(Snapshot s) {
        HeapSummaryEvent e = new HeapSummaryEvent();
        if (e.isEnabled()) {
            e.fill(s).commit();
        }
    }

    public static void slabCaches(Snapshot s) {
        if (!new SlabCacheEvent().isEnabled()) {
            return;
        }
        for (SlabCache c : s.caches()) {
            new SlabCacheEvent().fill(c, s.publishTimeNs()).commit();
        }
    }

    public static void buddyZones(Snapshot s) {
        if (!new BuddyZoneEvent().isEnabled()) {
            return;
        }
        long page = s.pageSize();
        for (Zone z : s.zones()) {
            BuddyZoneEvent e = new BuddyZoneEvent();
            e.snapshotNanos = s.publishTimeNs();
            e.zone = z.name();
            e.zoneId = z.id();
            e.kind = z.kind().name().toLowerCase(java.util.Locale.ROOT);
            e.base = z.base();
            e.top = z.top();
            e.size = z.bytes();
            e.free = z.freePages() * page;
            e.dirty = z.dirtyPages() * page;
            long blocks = 0;
            for (int o = 0; o < s.nrOrders(); o++) {
                blocks += z.nrFree(o);
            }
            e.freeBlocks = blocks;
            e.commit();
        }
    }

    public static void buddyFreeLists(Snapshot s) {
        if (!new BuddyFreeListEvent().isEnabled()) {
            return;
        }
        long page = s.pageSize();
        for (Zone z : s.zones()) {
            for (int o = 0; o < s.nrOrders(); o++) {
                BuddyFreeListEvent e = new BuddyFreeListEvent();
                e.snapshotNanos = s.publishTimeNs();
                e.zone = z.name();
                e.zoneId = z.id();
                e.order = o;
                e.blockSize = page << o;
                e.freeBlocks = z.nrFree(o);
                e.freeBytes = e.freeBlocks * e.blockSize;
                e.commit();
            }
        }
    }

    public static void fragmentation(Snapshot s) {
        if (!new FragmentationEvent().isEnabled()) {
            return;
        }
        BuddyInfo b = s.buddyInfo();
        List<Fragmentation> all = new java.util.ArrayList<>(b.perZone());
        all.add(b.all());
        for (Fragmentation f : all) {
            for (int o = 0; o < f.orders(); o++) {
                FragmentationEvent e = new FragmentationEvent();
                e.snapshotNanos = s.publishTimeNs();
                e.zone = f.name();
                e.order = o;
                e.requestSize = (long) s.pageSize() << o;
                e.unusableIndex = f.unusableIndex(o);
                e.fragmentationIndex = f.fragmentationIndex(o);
                e.freePages = f.freePages();
                e.freeBlocks = f.freeBlocksTotal();
                e.suitableBlocks = f.freeBlocksSuitable(o);
                e.commit();
            }
        }
    }
}
