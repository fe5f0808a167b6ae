package io.slabscope.model;

import java.util.List;
import java.util.Objects;

/**
 * The buddy allocator's free lists (/proc/buddyinfo) with their fragmentation: one entry per
 * zone, and all zones together.
 *
 * @param orders  orders in use ({@code nr_orders})
 * @param zones   the zones, in snapshot order
 * @param perZone fragmentation of each zone, same order as {@code zones}
 * @param all     fragmentation of all zones' free lists summed, named "All"
 */
public record BuddyInfo(int orders, List<Zone> zones, List<Fragmentation> perZone, Fragmentation all) {

    public BuddyInfo {
        zones = List.copyOf(zones);
        perZone = List.copyOf(perZone);
        Objects.requireNonNull(all, "all");
        if (zones.size() != perZone.size()) {
            throw new IllegalArgumentException("one fragmentation entry per zone");
        }
    }

    /** Free lists of the zones over {@code orders} orders. */
    public static BuddyInfo of(List<Zone> zones, int orders) {
        List<Fragmentation> per = zones.stream()
                .map(z -> new Fragmentation(z.name(), truncate(z, orders)))
                .toList();
        return new BuddyInfo(orders, zones, per, Fragmentation.sum("All", zones, orders));
    }

    private static long[] truncate(Zone z, int orders) {
        long[] r = new long[orders];
        for (int o = 0; o < orders; o++) {
            r[o] = z.nrFree(o);
        }
        return r;
    }
}
