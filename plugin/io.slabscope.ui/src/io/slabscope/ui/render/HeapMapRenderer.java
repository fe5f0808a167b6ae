package io.slabscope.ui.render;

import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.PaletteData;

/**
 * Draws a {@link HeapMap} into an offscreen {@link ImageData}: the line of pages is wrapped into
 * rows of cells, each cell {@code cellPx} pixels square standing for {@code pagesPerCell} pages
 * (one of the two is 1). A cell of several pages gets the mean colour of its pages; a cell holding
 * a page of the highlighted cache is drawn in that cache's colour while the rest is dimmed. The
 * pixels are written straight into the image's bytes: no GC call per page.
 */
public final class HeapMapRenderer {
    /** 24-bit direct palette, red in the high byte: data bytes are R, G, B. */
    public static final PaletteData PALETTE = new PaletteData(0xff0000, 0x00ff00, 0x0000ff);
    /** Most pages of a zone summed for one cell; beyond it the cell's pages are sampled. */
    private static final int MAX_SUM = 512;

    private HeapMapRenderer() {
    }

    /**
     * The view's geometry: zoom {@code z} ({@code z >= 0}: {@code 2^z} pixels per page;
     * {@code z < 0}: {@code 2^-z} pages per pixel) and the first row shown.
     */
    public record Viewport(int width, int height, int zoom, long firstRow) {
        public int cellPx() {
            return zoom >= 0 ? 1 << Math.min(zoom, 6) : 1;
        }

        public long pagesPerCell() {
            return zoom >= 0 ? 1 : 1L << Math.min(-zoom, 40);
        }

        public int columns() {
            return Math.max(1, width / cellPx());
        }

        public int visibleRows() {
            return (height + cellPx() - 1) / cellPx();
        }

        /** Rows the whole map takes. */
        public long rows(long totalPages) {
            long cells = (totalPages + pagesPerCell() - 1) / pagesPerCell();
            return (cells + columns() - 1) / columns();
        }

        /** Linear page at pixel (x, y), or -1 outside the cells. */
        public long pageAt(int x, int y) {
            int c = x / cellPx();
            if (x < 0 || y < 0 || c >= columns()) {
                return -1;
            }
            long row = firstRow + y / cellPx();
            return (row * columns() + c) * pagesPerCell();
        }

        /** Pixel (x, y) of the top-left of the cell holding linear page p (y may be off screen). */
        public long[] pixelOf(long page) {
            long cell = page / pagesPerCell();
            long row = cell / columns();
            long col = cell % columns();
            return new long[] {col * cellPx(), (row - firstRow) * cellPx()};
        }

        /** The most zoomed-out level at which {@code totalPages} fit in the view (whole map on screen). */
        public static int fitZoom(long totalPages, int width, int height) {
            for (int z = 6; z >= -40; z--) {
                Viewport v = new Viewport(width, height, z, 0);
                if (v.rows(totalPages) <= v.visibleRows()) {
                    return z;
                }
            }
            return -40;
        }
    }

    /** Renders into a new image of the viewport's size. */
    public static ImageData render(HeapMap map, Viewport v, int highlightCache) {
        ImageData img = new ImageData(Math.max(1, v.width()), Math.max(1, v.height()), 24, PALETTE);
        render(map, v, highlightCache, img);
        return img;
    }

    /** Renders into {@code img} (its size must be the viewport's). */
    public static void render(HeapMap map, Viewport v, int highlightCache, ImageData img) {
        byte[] data = img.data;
        int bpl = img.bytesPerLine;
        int w = img.width;
        int h = img.height;
        fill(img, Palette.BACKGROUND);
        int px = v.cellPx();
        long k = v.pagesPerCell();
        int cols = v.columns();
        long total = map.totalPages();
        boolean highlight = highlightCache >= 0;
        int rows = v.visibleRows();
        var segments = map.segments();
        for (int r = 0; r < rows; r++) {
            long row = v.firstRow() + r;
            long firstPage = row * cols * k;
            if (firstPage >= total || row < 0) {
                if (row < 0) {
                    continue;
                }
                break;
            }
            int si = map.firstSegmentAfter(firstPage);
            int y0 = r * px;
            for (int c = 0; c < cols; c++) {
                long a = firstPage + c * k;
                if (a >= total) {
                    break;
                }
                long b = Math.min(total, a + k);
                while (si < segments.size() && segments.get(si).lEnd() <= a) {
                    si++;
                }
                int colour;
                if (k == 1) {
                    HeapMap.Segment s = segments.get(si);
                    if (s.colours() != null) {
                        int i = (int) (a - s.lStart());
                        colour = s.colours()[i];
                        if (highlight) {
                            int raw = s.zone().entry(i);
                            boolean mine = (raw & 0xf) == 2 && ((raw >>> 8) & 0xfff) == highlightCache;
                            colour = mine ? Palette.cache(highlightCache) : Palette.dim(colour);
                        }
                    } else {
                        colour = highlight ? Palette.dim(s.colour()) : s.colour();
                    }
                } else {
                    colour = mean(segments, si, a, b, highlightCache);
                }
                int x0 = c * px;
                int cw = Math.min(px, w - x0);
                int ch = Math.min(px, h - y0);
                byte cr = (byte) (colour >> 16);
                byte cg = (byte) (colour >> 8);
                byte cb = (byte) colour;
                for (int yy = 0; yy < ch; yy++) {
                    int o = (y0 + yy) * bpl + x0 * 3;
                    for (int xx = 0; xx < cw; xx++) {
                        data[o++] = cr;
                        data[o++] = cg;
                        data[o++] = cb;
                    }
                }
                // thin separators between cells when they are large enough to tell apart
                if (px >= 8) {
                    darkenEdge(data, bpl, x0, y0, cw, ch);
                }
            }
        }
    }

    /** Mean colour of linear pages [a, b), starting at segment index si. */
    private static int mean(java.util.List<HeapMap.Segment> segments, int si, long a, long b, int highlightCache) {
        long sr = 0;
        long sg = 0;
        long sb = 0;
        long n = 0;
        boolean hit = false;
        for (int i = si; i < segments.size(); i++) {
            HeapMap.Segment s = segments.get(i);
            if (s.lStart() >= b) {
                break;
            }
            long from = Math.max(a, s.lStart());
            long to = Math.min(b, s.lEnd());
            long len = to - from;
            if (len <= 0) {
                continue;
            }
            if (s.colours() != null) {
                int[] cs = s.colours();
                int off = (int) (from - s.lStart());
                int cnt = (int) len;
                int step = cnt > MAX_SUM ? cnt / MAX_SUM : 1;
                long m = 0;
                long r = 0;
                long g = 0;
                long bl = 0;
                for (int j = 0; j < cnt; j += step) {
                    int c = cs[off + j];
                    r += (c >> 16) & 0xff;
                    g += (c >> 8) & 0xff;
                    bl += c & 0xff;
                    m++;
                }
                sr += r * len / m;
                sg += g * len / m;
                sb += bl * len / m;
                if (highlightCache >= 0 && !hit) {
                    hit = HeapMap.hasCache(s, from, to, highlightCache);
                }
            } else {
                int c = s.colour();
                sr += ((c >> 16) & 0xff) * len;
                sg += ((c >> 8) & 0xff) * len;
                sb += (c & 0xff) * len;
            }
            n += len;
        }
        if (n == 0) {
            return Palette.BACKGROUND;
        }
        int c = Palette.rgb((int) (sr / n), (int) (sg / n), (int) (sb / n));
        if (highlightCache >= 0) {
            return hit ? Palette.cache(highlightCache) : Palette.dim(c);
        }
        return c;
    }

    private static void fill(ImageData img, int colour) {
        byte r = (byte) (colour >> 16);
        byte g = (byte) (colour >> 8);
        byte b = (byte) colour;
        byte[] data = img.data;
        for (int y = 0; y < img.height; y++) {
            int o = y * img.bytesPerLine;
            for (int x = 0; x < img.width; x++) {
                data[o++] = r;
                data[o++] = g;
                data[o++] = b;
            }
        }
    }

    private static void darkenEdge(byte[] data, int bpl, int x0, int y0, int cw, int ch) {
        for (int xx = 0; xx < cw; xx++) {
            int o = (y0 + ch - 1) * bpl + (x0 + xx) * 3;
            half(data, o);
        }
        for (int yy = 0; yy < ch - 1; yy++) {
            int o = (y0 + yy) * bpl + (x0 + cw - 1) * 3;
            half(data, o);
        }
    }

    private static void half(byte[] data, int o) {
        data[o] = (byte) ((data[o] & 0xff) * 3 / 4);
        data[o + 1] = (byte) ((data[o + 1] & 0xff) * 3 / 4);
        data[o + 2] = (byte) ((data[o + 2] & 0xff) * 3 / 4);
    }
}
