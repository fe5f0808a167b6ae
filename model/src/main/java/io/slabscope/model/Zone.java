package io.slabscope.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One zone ({@code struct ss_shm_zone}): the brk heap or an mmap zone, with its buddy free
 * lists.
 *
 * @param id         zone id (1 is the brk heap)
 * @param kind       brk heap or mmap zone
 * @param base       address of the first page
 * @param top        end of the pages that exist: [base, top)
 * @param freePages  free pages
 * @param dirtyPages free pages that are still resident
 * @param nrFree     free blocks per order, {@code nr_orders} entries (a copy is returned)
 * @param residentPages pages of the zone in memory (mincore), 0 when not measured
 */
public record Zone(int id, ZoneKind kind, long base, long top, long freePages, long dirtyPages, long[] nrFree,
        long residentPages) {

    public Zone {
        Objects.requireNonNull(kind, "kind");
        nrFree = nrFree.clone();
    }

    /** A zone whose resident pages were not measured. */
    public Zone(int id, ZoneKind kind, long base, long top, long freePages, long dirtyPages, long[] nrFree) {
        this(id, kind, base, top, freePages, dirtyPages, nrFree, 0);
    }

    @Override
    public long[] nrFree() {
        return nrFree.clone();
    }

    /** Free blocks of one order (0 beyond the orders in use). */
    public long nrFree(int order) {
        return order < nrFree.length ? nrFree[order] : 0;
    }

    /** Orders reported. */
    public int orders() {
        return nrFree.length;
    }

    /** Bytes of the zone's pages: top - base. */
    public long bytes() {
        return top - base;
    }

    /**
     * The name shown in the buddyinfo zone column: {@code Brk} for the brk heap,
     * {@code Mmap<n>} for an mmap zone (n = id - 1, as the shim's ss_write_buddyinfo prints).
     */
    public String name() {
        return kind == ZoneKind.BRK ? "Brk" : "Mmap" + (id - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Zone z && id == z.id && kind == z.kind && base == z.base && top == z.top
                && freePages == z.freePages && dirtyPages == z.dirtyPages && Arrays.equals(nrFree, z.nrFree);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, kind, base, top, freePages, dirtyPages) * 31 + Arrays.hashCode(nrFree);
    }

    @Override
    public String toString() {
        return "Zone[id=" + id + ", kind=" + kind + ", base=0x" + Long.toHexString(base) + ", top=0x"
                + Long.toHexString(top) + ", freePages=" + freePages + ", dirtyPages=" + dirtyPages
                + ", nrFree=" + Arrays.toString(nrFree) + "]";
    }
}
