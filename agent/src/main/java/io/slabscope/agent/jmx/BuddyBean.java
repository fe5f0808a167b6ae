package io.slabscope.agent.jmx;

import io.slabscope.model.BuddyInfo;
import io.slabscope.model.Fragmentation;
import io.slabscope.model.Snapshot;
import io.slabscope.model.Zone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** io.slabscope:type=Buddy. */
final class BuddyBean implements BuddyMXBean {
    private final AgentView view;

    BuddyBean(AgentView view) {
        this.view = view;
    }

    private Snapshot s() {
        try {
            return view.snapshot();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the allocator: " + e.getMessage(), e);
        }
    }

    @Override
    public int getOrders() {
        return s().nrOrders();
    }

    @Override
    public int getPageSize() {
        return s().pageSize();
    }

    @Override
    public String[] getZoneNames() {
        return s().zones().stream().map(Zone::name).toArray(String[]::new);
    }

    @Override
    public long[] getFreeBlocks() {
        return s().buddyInfo().all().nrFree();
    }

    @Override
    public long getFreePages() {
        return s().buddyInfo().all().freePages();
    }

    @Override
    public long getFreeBytes() {
        Snapshot s = s();
        return s.buddyInfo().all().freePages() * s.pageSize();
    }

    @Override
    public double[] getUnusableFreeSpaceIndex() {
        return s().buddyInfo().all().unusableIndexes();
    }

    @Override
    public double[] getFragmentationIndex() {
        return s().buddyInfo().all().fragmentationIndexes();
    }

    @Override
    public ZoneFreeLists[] getZones() {
        Snapshot s = s();
        BuddyInfo b = s.buddyInfo();
        List<ZoneFreeLists> out = new ArrayList<>();
        long free = 0;
        long dirty = 0;
        for (int i = 0; i < b.zones().size(); i++) {
            Zone z = b.zones().get(i);
            Fragmentation f = b.perZone().get(i);
            out.add(new ZoneFreeLists(z.name(), z.id(), z.kind().name().toLowerCase(Locale.ROOT), z.base(), z.top(),
                    z.freePages(), z.dirtyPages(), f.nrFree(), f.unusableIndexes(), f.fragmentationIndexes()));
            free += z.freePages();
            dirty += z.dirtyPages();
        }
        Fragmentation all = b.all();
        out.add(new ZoneFreeLists(all.name(), 0, "all", 0, 0, free, dirty, all.nrFree(), all.unusableIndexes(),
                all.fragmentationIndexes()));
        return out.toArray(new ZoneFreeLists[0]);
    }

    @Override
    public String buddyinfo() {
        try {
            return view.buddyinfo();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
