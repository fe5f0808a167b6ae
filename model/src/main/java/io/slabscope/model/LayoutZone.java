package io.slabscope.model;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pages of one zone in a layout ({@code struct ss_layout_zone} and its entries).
 *
 * @param id      zone id, as in the snapshot
 * @param kind    brk heap or mmap zone
 * @param base    address of page 0
 * @param entries one raw entry per page (a copy is returned; use {@link #entry(int)})
 */
public record LayoutZone(int id, ZoneKind kind, long base, int[] entries) {

    public LayoutZone {
        Objects.requireNonNull(kind, "kind");
        entries = entries.clone();
    }

    @Override
    public int[] entries() {
        return entries.clone();
    }

    public int npages() {
        return entries.length;
    }

    /** Raw entry of page {@code i}. */
    public int entry(int i) {
        return entries[i];
    }

    /** Decoded entry of page {@code i}. */
    public PageEntry page(int i) {
        return PageEntry.decode(entries[i]);
    }

    public PageKind kind(int i) {
        return PageEntry.kindOf(entries[i]);
    }

    /** Address of page {@code i}. */
    public long address(int i, int pageSize) {
        return base + (long) i * pageSize;
    }

    /** End of the zone's pages. */
    public long top(int pageSize) {
        return base + (long) entries.length * pageSize;
    }

    /** Pages of that kind. */
    public long count(PageKind kind) {
        long n = 0;
        for (int e : entries) {
            if (PageEntry.kindOf(e) == kind) {
                n++;
            }
        }
        return n;
    }

    /** Pages by kind (every kind present, zero counts included). */
    public Map<PageKind, Long> countByKind() {
        Map<PageKind, Long> m = new EnumMap<>(PageKind.class);
        for (PageKind k : PageKind.values()) {
            m.put(k, 0L);
        }
        for (int e : entries) {
            m.merge(PageEntry.kindOf(e), 1L, Long::sum);
        }
        return m;
    }

    /** Slab pages by cache id. */
    public Map<Integer, Long> slabPagesByCache() {
        Map<Integer, Long> m = new TreeMap<>();
        for (int e : entries) {
            if (PageEntry.kindOf(e) == PageKind.SLAB) {
                m.merge(PageEntry.cacheOf(e), 1L, Long::sum);
            }
        }
        return m;
    }

    /** Free pages by the order of the block they belong to. */
    public Map<Integer, Long> freePagesByOrder() {
        Map<Integer, Long> m = new TreeMap<>();
        for (int e : entries) {
            if (PageEntry.kindOf(e) == PageKind.FREE) {
                m.merge(PageEntry.orderOf(e), 1L, Long::sum);
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayoutZone z && id == z.id && kind == z.kind && base == z.base
                && Arrays.equals(entries, z.entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, kind, base) * 31 + Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
        return "LayoutZone[id=" + id + ", kind=" + kind + ", base=0x" + Long.toHexString(base) + ", npages="
                + entries.length + "]";
    }
}
