package io.slabscope.model;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * External fragmentation of a set of buddy free lists, as the kernel computes it in
 * {@code mm/vmstat.c} ({@code fill_contig_page_info}, {@code unusable_free_index},
 * {@code __fragmentation_index}; shown in /sys/kernel/debug/extfrag).
 *
 * <p>For a request of order {@code o}: {@code free_pages} is the number of free pages,
 * {@code free_blocks_total} the number of free blocks of any order, and
 * {@code free_blocks_suitable} the number of order-{@code o} blocks the free blocks of order
 * &ge; o could provide (a block of order k counts {@code 2^(k-o)} times, as in the kernel).
 * <ul>
 * <li>unusable free space index = {@code (free_pages - (free_blocks_suitable << o)) / free_pages},
 * 1 when nothing is free: the fraction of free memory that cannot serve the request;</li>
 * <li>fragmentation index = -1 when a suitable block exists, 0 when nothing is free, otherwise
 * {@code 1 - (1 + free_pages / 2^o) / free_blocks_total}: near 0 a failure would come from
 * lack of memory, near 1 from fragmentation.</li>
 * </ul>
 * The {@code ...Millis} methods give the kernel's integer thousandths (its rounding), which the
 * text output prints; the {@code double} methods are the exact values.
 *
 * @param name   what the free lists belong to (a zone name, or "All")
 * @param nrFree free blocks per order (a copy is returned)
 */
public record Fragmentation(String name, long[] nrFree) {

    public Fragmentation {
        Objects.requireNonNull(name, "name");
        nrFree = nrFree.clone();
        for (long n : nrFree) {
            if (n < 0) {
                throw new IllegalArgumentException("negative free block count " + n);
            }
        }
    }

    /** The free lists of one zone. */
    public static Fragmentation of(Zone zone) {
        return new Fragmentation(zone.name(), zone.nrFree());
    }

    /** The free lists of several zones summed order by order, over {@code orders} orders. */
    public static Fragmentation sum(String name, Collection<Zone> zones, int orders) {
        long[] total = new long[orders];
        for (Zone z : zones) {
            for (int o = 0; o < orders; o++) {
                total[o] += z.nrFree(o);
            }
        }
        return new Fragmentation(name, total);
    }

    @Override
    public long[] nrFree() {
        return nrFree.clone();
    }

    public int orders() {
        return nrFree.length;
    }

    public long nrFree(int order) {
        return order < nrFree.length ? nrFree[order] : 0;
    }

    /** Free pages: the sum of nrFree[o] * 2^o. */
    public long freePages() {
        long pages = 0;
        for (int o = 0; o < nrFree.length; o++) {
            pages += nrFree[o] << o;
        }
        return pages;
    }

    /** Free blocks of any order. */
    public long freeBlocksTotal() {
        long blocks = 0;
        for (long n : nrFree) {
            blocks += n;
        }
        return blocks;
    }

    /** Order-{@code order} blocks the free blocks of that order or above provide. */
    public long freeBlocksSuitable(int order) {
        checkOrder(order);
        long blocks = 0;
        for (int o = order; o < nrFree.length; o++) {
            blocks += nrFree[o] << (o - order);
        }
        return blocks;
    }

    /** Unusable free space index for a request of {@code order}, in [0, 1]. */
    public double unusableIndex(int order) {
        long free = freePages();
        if (free == 0) {
            return 1.0;
        }
        return (double) (free - (freeBlocksSuitable(order) << order)) / free;
    }

    /** Unusable free space index in thousandths, rounded down as the kernel does. */
    public int unusableIndexMillis(int order) {
        long free = freePages();
        if (free == 0) {
            return 1000;
        }
        return (int) ((free - (freeBlocksSuitable(order) << order)) * 1000L / free);
    }

    /** Fragmentation index for a request of {@code order}: -1, 0, or in (0, 1). */
    public double fragmentationIndex(int order) {
        long total = freeBlocksTotal();
        if (total == 0) {
            return 0.0;
        }
        if (freeBlocksSuitable(order) > 0) {
            return -1.0;
        }
        return 1.0 - (1.0 + (double) freePages() / (1L << order)) / total;
    }

    /** Fragmentation index in thousandths with the kernel's integer arithmetic (-1000 = -1.000). */
    public int fragmentationIndexMillis(int order) {
        long total = freeBlocksTotal();
        if (total == 0) {
            return 0;
        }
        if (freeBlocksSuitable(order) > 0) {
            return -1000;
        }
        long requested = 1L << order;
        return (int) (1000 - (1000 + freePages() * 1000L / requested) / total);
    }

    /** Unusable index for every order. */
    public double[] unusableIndexes() {
        double[] r = new double[nrFree.length];
        for (int o = 0; o < r.length; o++) {
            r[o] = unusableIndex(o);
        }
        return r;
    }

    /** Fragmentation index for every order. */
    public double[] fragmentationIndexes() {
        double[] r = new double[nrFree.length];
        for (int o = 0; o < r.length; o++) {
            r[o] = fragmentationIndex(o);
        }
        return r;
    }

    private void checkOrder(int order) {
        if (order < 0 || order >= Math.max(nrFree.length, 1)) {
            throw new IllegalArgumentException("order " + order + " outside 0.." + (nrFree.length - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fragmentation f && name.equals(f.name) && Arrays.equals(nrFree, f.nrFree);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(nrFree);
    }

    @Override
    public String toString() {
        return "Fragmentation[name=" + name + ", nrFree=" + Arrays.toString(nrFree) + "]";
    }
}
