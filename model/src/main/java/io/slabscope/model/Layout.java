package io.slabscope.model;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A decoded heap layout ({@code struct ss_layout_header} and what it points to): every page
 * of every zone, and the mmap path's large blocks.
 *
 * @param version  format version
 * @param seq      seqlock value the layout was read at
 * @param request  the layout request it answers ({@code layout_request} of the snapshot header)
 * @param timeNs   CLOCK_REALTIME when it was written, ns since the epoch
 * @param pageSize page size in bytes (from the snapshot header; the layout does not carry it)
 * @param zones    the zones' pages
 * @param large    the mmap path's blocks
 */
public record Layout(int version, long seq, long request, long timeNs, int pageSize, List<LayoutZone> zones,
        List<LargeBlock> large) {

    public Layout {
        zones = List.copyOf(zones);
        large = List.copyOf(large);
    }

    public Instant time() {
        return Instant.ofEpochSecond(0, timeNs);
    }

    /** Pages of all zones. */
    public long totalPages() {
        return zones.stream().mapToLong(LayoutZone::npages).sum();
    }

    /** Pages of that kind over all zones. */
    public long count(PageKind kind) {
        return zones.stream().mapToLong(z -> z.count(kind)).sum();
    }

    /** Pages by kind over all zones (every kind present). */
    public Map<PageKind, Long> countByKind() {
        Map<PageKind, Long> m = new EnumMap<>(PageKind.class);
        for (PageKind k : PageKind.values()) {
            m.put(k, 0L);
        }
        for (LayoutZone z : zones) {
            z.countByKind().forEach((k, v) -> m.merge(k, v, Long::sum));
        }
        return m;
    }

    /** Slab pages by cache id over all zones. */
    public Map<Integer, Long> slabPagesByCache() {
        Map<Integer, Long> m = new TreeMap<>();
        for (LayoutZone z : zones) {
            z.slabPagesByCache().forEach((k, v) -> m.merge(k, v, Long::sum));
        }
        return m;
    }

    /** Bytes mapped by the mmap path. */
    public long largeMappedBytes() {
        return large.stream().mapToLong(LargeBlock::mapLen).sum();
    }
}
