package io.slabscope.cli;

import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.PageKind;
import io.slabscope.model.Snapshot;
import io.slabscope.model.ZoneKind;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The heap layout as a picture: per zone a grid of cells (one per page, or per page group for
 * very large heaps), coloured as the {@link Palette} says, with a legend on the right.
 */
final class LayoutPng {
    static final int MARGIN = 12;
    static final int LEGEND_WIDTH = 360;
    static final int MAX_HEIGHT = 8000;

    private LayoutPng() {
    }

    /** Cell size in pixels: bigger for small heaps. */
    static int cellSize(long cells) {
        return cells <= 4096 ? 8 : cells <= 65536 ? 4 : 2;
    }

    record Result(int width, int height, int pagesPerCell) {
    }

    static Result write(Snapshot snap, Layout layout, int width, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int cell = cellSize(layout.totalPages());
        int maxRows = Math.max(16, (MAX_HEIGHT - 200) / cell / Math.max(1, layout.zones().size()));
        LayoutCells cells = new LayoutCells(layout, snap, LayoutCells.pagesPerCell(layout, width, maxRows));
        int line = 16;
        int gridWidth = width * cell;

        // left column: title, then per zone a label and its grid
        int y = MARGIN + 2 * line + 6;
        List<int[]> zoneTops = new ArrayList<>();
        for (LayoutZone z : layout.zones()) {
            zoneTops.add(new int[] {y});
            int rows = (cells.cells(z) + width - 1) / width;
            y += line + rows * cell + 10;
        }
        int leftHeight = y + MARGIN;
        List<Object[]> legend = legendEntries(cells, layout);
        int legendHeight = MARGIN + 2 * line + legend.size() * line + MARGIN;
        int w = MARGIN + Math.max(gridWidth, 420) + 2 * MARGIN + LEGEND_WIDTH + MARGIN;
        int h = Math.max(leftHeight, legendHeight);

        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(Palette.BACKGROUND));
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Font font = new Font(Font.MONOSPACED, Font.PLAIN, 12);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            int ps = layout.pageSize();
            text(g, fm, String.format(Locale.ROOT, "slabscope heap layout - pid %d %s", snap.pid(), snap.exe()), MARGIN,
                    MARGIN + line - 4, true);
            text(g, fm, String.format(Locale.ROOT, "%d pages of %s, 1 cell = %d page%s, %d cells per row",
                    layout.totalPages(), Units.bytes(ps), cells.pagesPerCell, cells.pagesPerCell == 1 ? "" : "s", width),
                    MARGIN, MARGIN + 2 * line - 4, false);
            for (int zi = 0; zi < layout.zones().size(); zi++) {
                LayoutZone z = layout.zones().get(zi);
                int top = zoneTops.get(zi)[0];
                text(g, fm, String.format(Locale.ROOT, "%s (%s) %s-%s, %d pages", LayoutText.zoneName(z),
                        z.kind() == ZoneKind.BRK ? "brk heap" : "mmap zone", Units.hex(z.base()), Units.hex(z.top(ps)),
                        z.npages()), MARGIN, top + line - 4, false);
                int gy = top + line;
                int n = cells.cells(z);
                for (int i = 0; i < n; i++) {
                    LayoutCells.Cell c = cells.cell(z, i);
                    int x = MARGIN + (i % width) * cell;
                    int yy = gy + (i / width) * cell;
                    g.setColor(new Color(Palette.of(c, cells)));
                    g.fillRect(x, yy, cell, cell);
                }
            }
            // legend
            int lx = MARGIN + Math.max(gridWidth, 420) + 2 * MARGIN;
            int ly = MARGIN + line - 4;
            text(g, fm, "Legend", lx, ly, true);
            ly += line;
            for (Object[] e : legend) {
                ly += line;
                Integer rgb = (Integer) e[0];
                if (rgb != null) {
                    g.setColor(new Color(rgb));
                    g.fillRect(lx, ly - 10, 12, 12);
                    g.setColor(Color.GRAY);
                    g.drawRect(lx, ly - 10, 12, 12);
                }
                text(g, fm, (String) e[1], lx + 18, ly, false);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
        return new Result(w, h, cells.pagesPerCell);
    }

    private static void text(Graphics2D g, FontMetrics fm, String s, int x, int y, boolean bold) {
        g.setColor(new Color(Palette.TEXT));
        Font f = g.getFont();
        if (bold) {
            g.setFont(f.deriveFont(Font.BOLD));
        }
        g.drawString(s, x, y);
        g.setFont(f);
    }

    /** {colour or null, text} lines of the legend. */
    static List<Object[]> legendEntries(LayoutCells cells, Layout layout) {
        List<Object[]> l = new ArrayList<>();
        java.util.Map<Integer, Long> freeByOrder = new java.util.TreeMap<>();
        for (LayoutZone z : layout.zones()) {
            z.freePagesByOrder().forEach((k, v) -> freeByOrder.merge(k, v, Long::sum));
        }
        l.add(new Object[] {null, "free pages, by the order of their block:"});
        for (var e : freeByOrder.entrySet()) {
            l.add(new Object[] {Palette.free(e.getKey(), cells.maxOrder, true),
                String.format(Locale.ROOT, "order %-2d (%s blocks) %7d pages", e.getKey(),
                        Units.bytes((long) layout.pageSize() << e.getKey()), e.getValue())});
        }
        l.add(new Object[] {Palette.free(0, cells.maxOrder, false), "free, given back to the kernel (paler)"});
        l.add(new Object[] {Palette.MEDIUM_HEAD, String.format(Locale.ROOT, "medium block, first page %7d",
                layout.count(PageKind.MEDIUM_HEAD))});
        l.add(new Object[] {Palette.MEDIUM_TAIL, String.format(Locale.ROOT, "medium block, other pages %6d",
                layout.count(PageKind.MEDIUM_TAIL))});
        l.add(new Object[] {Palette.METADATA, String.format(Locale.ROOT, "allocator metadata %13d",
                layout.count(PageKind.METADATA))});
        l.add(new Object[] {Palette.ABSENT, String.format(Locale.ROOT, "not in use in the zone %9d",
                layout.count(PageKind.ABSENT))});
        l.add(new Object[] {null, ""});
        l.add(new Object[] {null, "slab pages by cache (darker: fuller):"});
        int shown = 0;
        long otherPages = 0;
        for (LayoutCells.CacheUse u : cells.caches.values()) {
            if (shown++ >= 30) {
                otherPages += u.pages();
                continue;
            }
            l.add(new Object[] {Palette.slab(u.rank(), 0.6), String.format(Locale.ROOT, "%-18s %6d pages %3.0f%% used",
                    u.name(), u.pages(), u.capacity() == 0 ? 0.0 : u.inUse() * 100.0 / u.capacity())});
        }
        if (otherPages > 0) {
            l.add(new Object[] {null, String.format(Locale.ROOT, "%d more caches, %d pages", cells.caches.size() - 30,
                    otherPages)});
        }
        if (cells.caches.isEmpty()) {
            l.add(new Object[] {null, "(none)"});
        }
        l.add(new Object[] {null, ""});
        l.add(new Object[] {null, String.format(Locale.ROOT, "mmap path: %d blocks, %s", layout.large().size(),
                Units.bytes(layout.largeMappedBytes()))});
        return l;
    }
}
