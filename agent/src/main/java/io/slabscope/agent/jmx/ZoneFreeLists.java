package io.slabscope.agent.jmx;

import java.beans.ConstructorProperties;

/** One zone's free lists and fragmentation (an item of Buddy.Zones; CompositeData in JMX). */
public final class ZoneFreeLists {
    private final String name;
    private final int id;
    private final String kind;
    private final long base;
    private final long top;
    private final long freePages;
    private final long dirtyPages;
    private final long[] freeBlocks;
    private final double[] unusableFreeSpaceIndex;
    private final double[] fragmentationIndex;

    @ConstructorProperties({"name", "id", "kind", "base", "top", "freePages", "dirtyPages", "freeBlocks",
            "unusableFreeSpaceIndex", "fragmentationIndex"})
    public ZoneFreeLists(String name, int id, String kind, long base, long top, long freePages, long dirtyPages,
            long[] freeBlocks, double[] unusableFreeSpaceIndex, double[] fragmentationIndex) {
        this.name = name;
        this.id = id;
        this.kind = kind;
        this.base = base;
        this.top = top;
        this.freePages = freePages;
        this.dirtyPages = dirtyPages;
        this.freeBlocks = freeBlocks.clone();
        this.unusableFreeSpaceIndex = unusableFreeSpaceIndex.clone();
        this.fragmentationIndex = fragmentationIndex.clone();
    }

    /** Brk, MmapN or All. */
    public String getName() {
        return name;
    }

    public int getId() {
        return id;
    }

    /** brk, mmap or all. */
    public String getKind() {
        return kind;
    }

    public long getBase() {
        return base;
    }

    public long getTop() {
        return top;
    }

    public long getFreePages() {
        return freePages;
    }

    public long getDirtyPages() {
        return dirtyPages;
    }

    /** Free blocks per order. */
    public long[] getFreeBlocks() {
        return freeBlocks.clone();
    }

    /** Unusable free space index per order, 0..1. */
    public double[] getUnusableFreeSpaceIndex() {
        return unusableFreeSpaceIndex.clone();
    }

    /** Fragmentation index per order: -1, or 0..1. */
    public double[] getFragmentationIndex() {
        return fragmentationIndex.clone();
    }
}
