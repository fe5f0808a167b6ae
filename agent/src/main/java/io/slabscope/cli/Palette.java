package io.slabscope.cli;

import io.slabscope.model.PageKind;

/**
 * Colours of the layout map, shared by the terminal (ANSI 256 colours) and the PNG: free
 * pages blue by order (light: small blocks, dark: large; grey when given back to the kernel),
 * slab pages one hue per cache (darker when fuller), medium blocks orange, metadata dark grey.
 */
final class Palette {
    static final int BACKGROUND = 0xffffff;
    static final int ABSENT = 0xe6e6e6;
    static final int MEDIUM_HEAD = 0xd94801;
    static final int MEDIUM_TAIL = 0xfd8d3c;
    static final int METADATA = 0x525252;
    static final int UNKNOWN = 0xff00ff;
    static final int TEXT = 0x000000;
    private static final double GOLDEN = 0.61803398875;

    private Palette() {
    }

    static int of(LayoutCells.Cell c, LayoutCells cells) {
        return switch (c.kind()) {
            case ABSENT -> ABSENT;
            case FREE -> free(c.order(), cells.maxOrder, c.resident());
            case SLAB -> slab(cells.rank(c.cacheId()), c.occupancy());
            case MEDIUM_HEAD -> MEDIUM_HEAD;
            case MEDIUM_TAIL -> MEDIUM_TAIL;
            case METADATA -> METADATA;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** Free page of a block of that order; resident pages blue, released ones grey-blue. */
    static int free(int order, int maxOrder, boolean resident) {
        double t = maxOrder <= 0 ? 0 : Math.min(1.0, order / (double) maxOrder);
        int light = 0xc6dbef;
        int dark = 0x08306b;
        int c = mix(light, dark, t);
        return resident ? c : mix(c, 0xc8c8c8, 0.65);
    }

    /** Hues of the first caches: far from each other, from the blues of free pages and the orange of medium blocks. */
    private static final double[] HUES = {0.33, 0.0, 0.78, 0.15, 0.47, 0.88, 0.25, 0.71, 0.40, 0.95, 0.20, 0.83};

    /** Slab page of the cache of that rank; occupancy 0..1 (negative: unknown). */
    static int slab(int rank, double occupancy) {
        int r = Math.max(rank, 0);
        double hue = r < HUES.length ? HUES[r] : (r * GOLDEN) % 1.0;
        // keep clear of the blues of free pages and the orange of medium blocks
        if (hue > 0.52 && hue < 0.68) {
            hue += 0.18;
        } else if (hue > 0.03 && hue < 0.12) {
            hue += 0.1;
        }
        double occ = occupancy < 0 ? 0.5 : occupancy;
        double value = 0.98 - 0.5 * occ;
        double sat = 0.35 + 0.55 * occ;
        return hsv(hue % 1.0, sat, value);
    }

    static int forKind(PageKind k) {
        return switch (k) {
            case ABSENT -> ABSENT;
            case MEDIUM_HEAD -> MEDIUM_HEAD;
            case MEDIUM_TAIL -> MEDIUM_TAIL;
            case METADATA -> METADATA;
            default -> UNKNOWN;
        };
    }

    static int mix(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = (int) Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return r << 16 | g << 8 | bl;
    }

    static int hsv(double h, double s, double v) {
        int i = (int) Math.floor(h * 6);
        double f = h * 6 - i;
        double p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        double r, g, b;
        switch (i % 6) {
            case 0 -> { r = v; g = t; b = p; }
            case 1 -> { r = q; g = v; b = p; }
            case 2 -> { r = p; g = v; b = t; }
            case 3 -> { r = p; g = q; b = v; }
            case 4 -> { r = t; g = p; b = v; }
            default -> { r = v; g = p; b = q; }
        }
        return (int) Math.round(r * 255) << 16 | (int) Math.round(g * 255) << 8 | (int) Math.round(b * 255);
    }

    /** Nearest colour of the 6x6x6 cube of ANSI 256-colour terminals. */
    static int ansi256(int rgb) {
        int r = (int) Math.round(((rgb >> 16) & 255) / 255.0 * 5);
        int g = (int) Math.round(((rgb >> 8) & 255) / 255.0 * 5);
        int b = (int) Math.round((rgb & 255) / 255.0 * 5);
        return 16 + 36 * r + 6 * g + b;
    }

    /** Black or white, whichever reads better on {@code rgb}. */
    static int textOn(int rgb) {
        double lum = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
        return lum > 140 ? 0x000000 : 0xffffff;
    }

    /** ANSI escape for text on a background. */
    static String ansi(int bg) {
        return "\033[48;5;" + ansi256(bg) + ";38;5;" + (textOn(bg) == 0 ? 16 : 231) + "m";
    }
}
