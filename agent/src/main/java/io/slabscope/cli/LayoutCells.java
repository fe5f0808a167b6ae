package io.slabscope.cli;

import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.PageEntry;
import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layout cut into cells of {@code pagesPerCell} pages, each shown as what most of its
 * pages are, and the caches ranked by their pages (the rank picks a letter and a hue).
 */
final class LayoutCells {

    /**
     * What a cell shows.
     *
     * @param kind      kind of most of its pages
     * @param order     free: block order; else 0
     * @param cacheId   slab: cache id; else -1
     * @param occupancy slab: objects in use / objects per slab, 0..1 (-1 if unknown)
     * @param resident  free: the pages are resident
     */
    record Cell(PageKind kind, int order, int cacheId, double occupancy, boolean resident) {
    }

    /** A cache that has pages in the layout. */
    record CacheUse(int rank, int cacheId, String name, long pages, long inUse, long capacity) {
    }

    final Layout layout;
    final Snapshot snapshot;
    final int pagesPerCell;
    final Map<Integer, CacheUse> caches = new LinkedHashMap<>();
    final int maxOrder;
    /** Objects per slab by cache id. */
    private final Map<Integer, Integer> perSlab = new HashMap<>();

    /**
     * @param pagesPerCell pages per cell, a power of two
     */
    LayoutCells(Layout layout, Snapshot snapshot, int pagesPerCell) {
        this.layout = layout;
        this.snapshot = snapshot;
        this.pagesPerCell = pagesPerCell;
        this.maxOrder = Math.max(1, snapshot.nrOrders() - 1);
        for (SlabCache c : snapshot.caches()) {
            perSlab.put(c.id(), c.objPerSlab());
        }
        rankCaches();
    }

    /** Pages per cell so that no zone needs more than {@code maxRows} rows of {@code width} cells. */
    static int pagesPerCell(Layout layout, int width, int maxRows) {
        long biggest = layout.zones().stream().mapToLong(LayoutZone::npages).max().orElse(0);
        int g = 1;
        while (biggest > (long) g * width * maxRows && g < (1 << 20)) {
            g <<= 1;
        }
        return g;
    }

    private void rankCaches() {
        Map<Integer, double[]> use = new HashMap<>();  // id -> {pages, objects in use, capacity}
        for (LayoutZone z : layout.zones()) {
            for (int i = 0; i < z.npages(); i++) {
                int e = z.entry(i);
                if (PageEntry.kindOf(e) != PageKind.SLAB) {
                    continue;
                }
                double[] u = use.computeIfAbsent(PageEntry.cacheOf(e), k -> new double[3]);
                // every page of a slab carries the slab's count: each page adds its share
                double pagesPerSlab = 1 << PageEntry.orderOf(e);
                u[0]++;
                u[1] += PageEntry.inUseOf(e) / pagesPerSlab;
                u[2] += perSlab.getOrDefault(PageEntry.cacheOf(e), 0) / pagesPerSlab;
            }
        }
        List<Map.Entry<Integer, double[]>> sorted = new ArrayList<>(use.entrySet());
        sorted.sort(Comparator.<Map.Entry<Integer, double[]>>comparingDouble(en -> -en.getValue()[0])
                .thenComparing(Map.Entry::getKey));
        int rank = 0;
        for (Map.Entry<Integer, double[]> en : sorted) {
            int id = en.getKey();
            double[] u = en.getValue();
            String name = snapshot.cacheById(id).map(SlabCache::name).orElse("cache #" + id);
            caches.put(id, new CacheUse(rank++, id, name, (long) u[0], Math.round(u[1]), Math.round(u[2])));
        }
    }

    /** Number of cells of a zone. */
    int cells(LayoutZone z) {
        return (z.npages() + pagesPerCell - 1) / pagesPerCell;
    }

    /** The cell covering pages [index * pagesPerCell, ...) of a zone. */
    Cell cell(LayoutZone z, int index) {
        int from = index * pagesPerCell;
        int to = Math.min(z.npages(), from + pagesPerCell);
        if (to - from == 1) {
            return single(z.entry(from));
        }
        Map<Integer, int[]> votes = new HashMap<>();
        int bestKey = 0;
        int bestVotes = -1;
        for (int i = from; i < to; i++) {
            int e = z.entry(i);
            int key = key(e);
            int[] v = votes.computeIfAbsent(key, k -> new int[1]);
            if (++v[0] > bestVotes) {
                bestVotes = v[0];
                bestKey = key;
            }
        }
        // the winner's figures, averaged over its pages
        double occ = 0;
        int occN = 0;
        int resident = 0;
        int first = -1;
        for (int i = from; i < to; i++) {
            int e = z.entry(i);
            if (key(e) != bestKey) {
                continue;
            }
            if (first < 0) {
                first = e;
            }
            Cell c = single(e);
            if (c.occupancy() >= 0) {
                occ += c.occupancy();
                occN++;
            }
            if (c.resident()) {
                resident++;
            }
        }
        Cell f = single(first);
        return new Cell(f.kind(), f.order(), f.cacheId(), occN == 0 ? f.occupancy() : occ / occN,
                resident * 2 >= bestVotes && f.kind() == PageKind.FREE);
    }

    private static int key(int e) {
        PageKind k = PageEntry.kindOf(e);
        return switch (k) {
            case FREE -> 1 << 16 | PageEntry.orderOf(e);
            case SLAB -> 2 << 16 | PageEntry.cacheOf(e);
            default -> (k.code() & 0xff) << 16;
        };
    }

    private Cell single(int e) {
        PageEntry p = PageEntry.decode(e);
        double occ = -1;
        if (p.kind() == PageKind.SLAB) {
            int per = perSlab.getOrDefault(p.cacheId(), 0);
            occ = per > 0 ? Math.min(1.0, p.inUse() / (double) per) : -1;
        }
        return new Cell(p.kind(), p.order(), p.cacheId(), occ, p.resident());
    }

    /** Rank of a cache among those with pages (0 = most pages), or -1. */
    int rank(int cacheId) {
        CacheUse u = caches.get(cacheId);
        return u == null ? -1 : u.rank();
    }
}
