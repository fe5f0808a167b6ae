package io.slabscope.ui.render;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.LargeBlock;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.Mapping;
import io.slabscope.model.PageEntry;
import io.slabscope.model.PageKind;
import io.slabscope.model.Region;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.model.Zone;
import io.slabscope.ui.data.Formats;
import io.slabscope.ui.data.Frame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The address space of one frame as a line of pages, ready to draw: the heap zones page by page
 * (coloured by the layout's page entries), the mmap path's large blocks, and (whole process) the
 * other mappings of /proc/PID/maps by region. Gaps between mappings and PROT_NONE reservations
 * are shortened to at most {@link #MAX_COMPRESSED} pages, so the map stays readable; everything
 * else has one cell per 4 KiB page. Built once per frame, off the UI thread if wanted; pure Java.
 */
public final class HeapMap {
    /** Longest a gap or a reservation is drawn, in pages. */
    public static final long MAX_COMPRESSED = 256;

    /** What a segment is. */
    public enum Kind {
        ZONE, LARGE, REGION, GAP
    }

    /**
     * A run of the line.
     *
     * @param kind       zone, large block, other mapping, or gap
     * @param lStart     first linear page
     * @param lPages     linear pages it takes
     * @param addr       first address
     * @param realPages  pages it really spans ({@code > lPages} when shortened)
     * @param colour     its colour (not used for zones with a layout)
     * @param label      what the tooltip says it is
     * @param zone       the zone's page entries (ZONE with layout), else null
     * @param colours    colour per page (ZONE with layout), else null
     */
    public record Segment(Kind kind, long lStart, long lPages, long addr, long realPages, int colour, String label,
            LayoutZone zone, int[] colours) {
        public long lEnd() {
            return lStart + lPages;
        }

        public boolean compressed() {
            return realPages != lPages;
        }
    }

    private final List<Segment> segments;
    private final long totalPages;
    private final int pageSize;
    private final Snapshot snapshot;
    private final Map<Integer, SlabCache> cachesById = new HashMap<>();

    private HeapMap(List<Segment> segments, int pageSize, Snapshot snapshot) {
        this.segments = List.copyOf(segments);
        this.totalPages = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).lEnd();
        this.pageSize = pageSize;
        this.snapshot = snapshot;
        if (snapshot != null) {
            for (SlabCache c : snapshot.caches()) {
                cachesById.put(c.id(), c);
            }
        }
    }

    /** A map with nothing on it. */
    public static HeapMap empty() {
        return new HeapMap(List.of(), 4096, null);
    }

    public List<Segment> segments() {
        return segments;
    }

    public long totalPages() {
        return totalPages;
    }

    public int pageSize() {
        return pageSize;
    }

    public SlabCache cache(int id) {
        return cachesById.get(id);
    }

    /**
     * The map of a frame.
     *
     * @param wholeProcess also the mappings of /proc/PID/maps (when the frame has them); else only
     *                     the heap zones and large blocks
     */
    public static HeapMap of(Frame f, boolean wholeProcess) {
        Snapshot s = f.snapshot();
        int ps = s.pageSize() > 0 ? s.pageSize() : 4096;
        Map<Integer, SlabCache> caches = new HashMap<>();
        for (SlabCache c : s.caches()) {
            caches.put(c.id(), c);
        }
        List<long[]> heapRanges = new ArrayList<>(); // start, end, index into pending
        List<Object[]> pending = new ArrayList<>(); // {addr, pages, kind, colour, label, zone, colours}
        Layout layout = f.layout();
        if (layout != null) {
            for (LayoutZone z : layout.zones()) {
                int[] colours = colours(z, caches);
                String label = (z.kind() == io.slabscope.model.ZoneKind.BRK ? "brk heap" : "mmap zone") + " (zone "
                        + z.id() + ")";
                pending.add(new Object[] {z.base(), (long) z.npages(), Kind.ZONE, 0, label, z, colours});
            }
            for (LargeBlock b : layout.large()) {
                long start = b.addr() & -(long) ps;
                long pages = Math.max(1, (b.mapLen() + ps - 1) / ps);
                pending.add(new Object[] {start, pages, Kind.LARGE, Palette.LARGE,
                    "large block " + Formats.hex(b.addr()) + ": " + Formats.bytes(b.size()) + " asked, "
                            + Formats.bytes(b.mapLen()) + " mapped", null, null});
            }
        } else {
            for (Zone z : s.zones()) {
                long pages = Math.max(0, (z.top() - z.base()) / ps);
                if (pages > 0) {
                    pending.add(new Object[] {z.base(), pages, Kind.ZONE, Palette.ZONE_NO_LAYOUT,
                        z.name() + " zone " + z.id() + " (no page layout from this source)", null, null});
                }
            }
        }
        for (Object[] p : pending) {
            heapRanges.add(new long[] {(Long) p[0], (Long) p[0] + (Long) p[1] * ps});
        }
        AddressSpace as = f.addressSpace();
        if (wholeProcess && as != null) {
            for (Mapping m : as.mappings()) {
                // the mapping minus the heap zones and large blocks inside it
                List<long[]> rest = new ArrayList<>();
                rest.add(new long[] {m.start(), m.end()});
                for (long[] h : heapRanges) {
                    List<long[]> next = new ArrayList<>();
                    for (long[] r : rest) {
                        if (h[1] <= r[0] || h[0] >= r[1]) {
                            next.add(r);
                            continue;
                        }
                        if (h[0] > r[0]) {
                            next.add(new long[] {r[0], h[0]});
                        }
                        if (h[1] < r[1]) {
                            next.add(new long[] {h[1], r[1]});
                        }
                    }
                    rest = next;
                }
                boolean reserved = m.perms().startsWith("---");
                String name = m.path().isEmpty() ? "[anon]" : m.path();
                for (long[] r : rest) {
                    long pages = (r[1] - r[0]) / ps;
                    if (pages <= 0) {
                        continue;
                    }
                    String label = m.region().label() + (reserved ? " (reserved, " + m.perms() + ")" : " " + m.perms())
                            + " " + name;
                    pending.add(new Object[] {r[0], pages, Kind.REGION,
                        Palette.region(m.region(), m.isAnonymous(), reserved), label, null, null, reserved});
                }
            }
        }
        pending.sort((a, b) -> Long.compareUnsigned((Long) a[0], (Long) b[0]));
        List<Segment> out = new ArrayList<>();
        long l = 0;
        long prevEnd = -1;
        for (Object[] p : pending) {
            long addr = (Long) p[0];
            long pages = (Long) p[1];
            if (prevEnd >= 0 && Long.compareUnsigned(addr, prevEnd) > 0) {
                long gapPages = (addr - prevEnd) / ps;
                long lp = Math.max(1, Math.min(gapPages, MAX_COMPRESSED));
                out.add(new Segment(Kind.GAP, l, lp, prevEnd, gapPages, Palette.GAP,
                        "unmapped: " + Formats.bytes((double) gapPages * ps), null, null));
                l += lp;
            }
            Kind kind = (Kind) p[2];
            boolean reserved = p.length > 7 && Boolean.TRUE.equals(p[7]);
            long lp = reserved ? Math.max(1, Math.min(pages, MAX_COMPRESSED)) : pages;
            out.add(new Segment(kind, l, lp, addr, pages, (Integer) p[3], (String) p[4], (LayoutZone) p[5],
                    (int[]) p[6]));
            l += lp;
            prevEnd = Math.max(prevEnd, addr + pages * ps);
        }
        return new HeapMap(out, ps, s);
    }

    /** The colour of every page of a zone (raw entries repeat: a small open-addressing memo). */
    static int[] colours(LayoutZone z, Map<Integer, SlabCache> caches) {
        int n = z.npages();
        int[] c = new int[n];
        int cap = 1 << 14;
        int[] keys = new int[cap];
        int[] vals = new int[cap];
        boolean[] used = new boolean[cap];
        int size = 0;
        for (int i = 0; i < n; i++) {
            int raw = z.entry(i);
            int h = (raw * 0x9E3779B9) >>> 18;
            while (used[h] && keys[h] != raw) {
                h = (h + 1) & (cap - 1);
            }
            if (used[h]) {
                c[i] = vals[h];
                continue;
            }
            int v = colour(raw, caches);
            c[i] = v;
            if (size < cap / 2) {
                used[h] = true;
                keys[h] = raw;
                vals[h] = v;
                size++;
            }
        }
        return c;
    }

    /** The colour of a raw page entry. */
    public static int colour(int raw, Map<Integer, SlabCache> caches) {
        PageKind k = PageEntry.kindOf(raw);
        switch (k) {
            case FREE:
                return PageEntry.inUseOf(raw) != 0 ? Palette.free(PageEntry.orderOf(raw))
                        : Palette.freeClean(PageEntry.orderOf(raw));
            case SLAB: {
                int id = PageEntry.cacheOf(raw);
                SlabCache c = caches.get(id);
                double occ = c == null || c.objPerSlab() == 0 ? 1.0
                        : (double) PageEntry.inUseOf(raw) / c.objPerSlab();
                return Palette.slab(id, occ);
            }
            default:
                return Palette.kind(k);
        }
    }

    /** The segment holding linear page {@code p}, or null. */
    public Segment segmentAt(long p) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = segments.get(mid);
            if (p < s.lStart()) {
                hi = mid - 1;
            } else if (p >= s.lEnd()) {
                lo = mid + 1;
            } else {
                return s;
            }
        }
        return null;
    }

    /** Index of the first segment ending after linear page {@code p}. */
    int firstSegmentAfter(long p) {
        int lo = 0;
        int hi = segments.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (segments.get(mid).lEnd() <= p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Address of linear page {@code p} (the start of the range it stands for when shortened). */
    public long address(long p) {
        Segment s = segmentAt(p);
        if (s == null) {
            return -1;
        }
        long off = p - s.lStart();
        long real = s.compressed() ? off * s.realPages() / s.lPages() : off;
        return s.addr() + real * pageSize;
    }

    /** Linear page of an address, or -1 if the map does not show it. */
    public long linearPage(long addr) {
        for (Segment s : segments) {
            long end = s.addr() + s.realPages() * pageSize;
            if (Long.compareUnsigned(addr, s.addr()) >= 0 && Long.compareUnsigned(addr, end) < 0) {
                long real = (addr - s.addr()) / pageSize;
                return s.lStart() + (s.compressed() ? real * s.lPages() / s.realPages() : real);
            }
        }
        return -1;
    }

    /** The tooltip of linear page {@code p}: address, what it is, cache, order, objects in use. */
    public String describe(long p) {
        Segment s = segmentAt(p);
        if (s == null) {
            return null;
        }
        long addr = address(p);
        StringBuilder b = new StringBuilder();
        b.append("page ").append(Formats.hex(addr));
        if (s.kind() == Kind.ZONE && s.zone() != null) {
            int i = (int) (p - s.lStart());
            int raw = s.zone().entry(i);
            PageEntry e = PageEntry.decode(raw);
            b.append(" — ").append(s.label()).append(", page ").append(i).append('\n');
            switch (e.kind()) {
                case FREE -> b.append("free, in a block of order ").append(e.order()).append(" (")
                        .append(Formats.bytes((double) ((long) pageSize << e.order()))).append(")")
                        .append(e.resident() ? ", resident" : ", given back to the kernel");
                case SLAB -> {
                    SlabCache c = cachesById.get(e.cacheId());
                    b.append("slab page of ").append(c == null ? "cache #" + e.cacheId() : c.name()).append('\n');
                    b.append("objects in use: ").append(e.inUse());
                    if (c != null) {
                        b.append(" of ").append(c.objPerSlab()).append(" (objsize ").append(c.size()).append(" B, ")
                                .append(c.pagesPerSlab()).append(" page(s) per slab)");
                    }
                }
                case MEDIUM_HEAD -> b.append("medium block (first page)");
                case MEDIUM_TAIL -> b.append("medium block (later page)");
                case METADATA -> b.append("allocator metadata");
                case ABSENT -> b.append("not in use by the zone");
                default -> b.append("unknown page kind (entry 0x").append(Integer.toHexString(raw)).append(")");
            }
        } else {
            b.append('\n').append(s.label());
            if (s.compressed()) {
                b.append("\n(").append(Formats.bytes((double) s.realPages() * pageSize)).append(", drawn shortened)");
            }
        }
        return b.toString();
    }

    /** Whether a segment list contains a page of cache {@code id} in [from, to). */
    static boolean hasCache(Segment s, long from, long to, int id) {
        LayoutZone z = s.zone();
        if (z == null) {
            return false;
        }
        int a = (int) (from - s.lStart());
        int b = (int) (to - s.lStart());
        for (int i = a; i < b; i++) {
            int raw = z.entry(i);
            if ((raw & 0xf) == 2 && ((raw >>> 8) & 0xfff) == id) {
                return true;
            }
        }
        return false;
    }

    /** Pages by region for the summary line. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Whether any page belongs to a region (for the legend). */
    public boolean has(Kind k) {
        return segments.stream().anyMatch(s -> s.kind() == k);
    }

    public static Region regionOf(Mapping m) {
        return m.region();
    }
}
