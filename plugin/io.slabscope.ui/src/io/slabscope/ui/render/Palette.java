package io.slabscope.ui.render;

import io.slabscope.model.PageKind;
import io.slabscope.model.Region;

/**
 * Colours of the heap map and the charts, as 0xRRGGBB ints (no SWT resources: the renderer fills
 * ImageData, tests compare pixels with these values).
 */
public final class Palette {
    private Palette() {
    }

    public static final int BACKGROUND = 0x202020;
    /** Address range between mappings (drawn shortened). */
    public static final int GAP = 0x101010;
    /** A zone page never handed out, or above the zone's top. */
    public static final int ABSENT = 0x5a5a5a;
    public static final int MEDIUM_HEAD = 0xc05000;
    public static final int MEDIUM_TAIL = 0xf08c28;
    public static final int METADATA = 0xb040c0;
    public static final int UNKNOWN = 0xff0000;
    /** A block of the mmap path (a mapping of its own). */
    public static final int LARGE = 0xe8c020;
    /** A zone whose pages are not known (no layout: JMX, recordings). */
    public static final int ZONE_NO_LAYOUT = 0x3c6e8c;
    /** Highlight outline of the selected cache's pages at coarse zoom. */
    public static final int HIGHLIGHT = 0xffff00;

    /** Free pages: blue, darker for higher orders; index = order (0..15). */
    private static final int[] FREE = new int[16];

    static {
        for (int o = 0; o < FREE.length; o++) {
            double t = Math.min(1.0, o / 13.0);
            FREE[o] = rgb(mix(0xa8, 0x10, t), mix(0xd8, 0x40, t), mix(0xff, 0xa0, t));
        }
    }

    public static int free(int order) {
        return FREE[Math.max(0, Math.min(FREE.length - 1, order))];
    }

    /** Free page given back to the kernel (clean): the order's colour, greyer. */
    public static int freeClean(int order) {
        return blend(free(order), 0x808080, 0.45);
    }

    /** The base colour of a cache: hues spread by the golden angle, so neighbouring ids differ. */
    public static int cache(int id) {
        double h = (id * 0.618033988749895 + 0.08) % 1.0;
        // keep clear of the blues used for free pages
        if (h > 0.52 && h < 0.70) {
            h = (h + 0.22) % 1.0;
        }
        return hsv(h, 0.75, 0.95);
    }

    /** A slab page: the cache's colour, paler when few of the slab's objects are in use. */
    public static int slab(int cacheId, double occupancy) {
        double o = Math.max(0, Math.min(1, occupancy));
        return blend(0xf0f0f0, cache(cacheId), 0.30 + 0.70 * o);
    }

    public static int kind(PageKind k) {
        return switch (k) {
            case ABSENT -> ABSENT;
            case FREE -> free(0);
            case SLAB -> cache(0);
            case MEDIUM_HEAD -> MEDIUM_HEAD;
            case MEDIUM_TAIL -> MEDIUM_TAIL;
            case METADATA -> METADATA;
            case UNKNOWN -> UNKNOWN;
        };
    }

    public static int region(Region r, boolean anonymous, boolean reserved) {
        if (reserved) {
            return 0x303038;
        }
        return switch (r) {
            case TEXT -> 0x4f8a3c;
            case RODATA -> 0x6e9a5a;
            case DATA -> 0x8fbf6a;
            case BSS -> 0xa9d08e;
            case HEAP -> 0x4a4a60;
            case MMAP -> anonymous ? 0x5c5470 : 0x5f7468;
            case STACK -> 0x8a3c5a;
            case KERNEL -> 0x707070;
        };
    }

    /** Dimmed colour for pages that are not the selected cache's. */
    public static int dim(int c) {
        int r = (c >> 16) & 0xff;
        int g = (c >> 8) & 0xff;
        int b = c & 0xff;
        int grey = (r * 3 + g * 6 + b) / 10;
        return rgb(grey / 3 + 16, grey / 3 + 16, grey / 3 + 16);
    }

    public static int rgb(int r, int g, int b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    public static int blend(int a, int b, double t) {
        return rgb(mix((a >> 16) & 0xff, (b >> 16) & 0xff, t), mix((a >> 8) & 0xff, (b >> 8) & 0xff, t),
                mix(a & 0xff, b & 0xff, t));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    public static int hsv(double h, double s, double v) {
        double r;
        double g;
        double b;
        int i = (int) Math.floor(h * 6);
        double f = h * 6 - i;
        double p = v * (1 - s);
        double q = v * (1 - f * s);
        double t = v * (1 - (1 - f) * s);
        switch (((i % 6) + 6) % 6) {
            case 0 -> { r = v; g = t; b = p; }
            case 1 -> { r = q; g = v; b = p; }
            case 2 -> { r = p; g = v; b = t; }
            case 3 -> { r = p; g = q; b = v; }
            case 4 -> { r = t; g = p; b = v; }
            default -> { r = v; g = p; b = q; }
        }
        return rgb((int) Math.round(r * 255), (int) Math.round(g * 255), (int) Math.round(b * 255));
    }

    /** Colours of chart series: distinct, readable on white. */
    public static final int[] SERIES = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b, 0xe377c2,
        0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0xad494a, 0x637939, 0x8c6d31, 0x843c39, 0x7b4173};

    /** A colour for an order in per-order charts, from light (order 0) to dark (order 13). */
    public static int order(int o, int orders) {
        double t = orders <= 1 ? 0 : (double) o / (orders - 1);
        return hsv(0.02 + 0.75 * t, 0.85, 0.90 - 0.35 * t);
    }
}
