package io.slabscope.cli;

import io.slabscope.model.LargeBlock;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.PageKind;
import io.slabscope.model.Snapshot;
import io.slabscope.model.ZoneKind;
import java.util.Locale;
import java.util.Map;

/**
 * The heap layout as text: per zone, rows of one character per page group, lettered by kind
 * (free: the block's order; slab: a letter per cache; medium: [ then =; metadata: #) and,
 * with colour, coloured as in the PNG; then a legend and the mmap path's blocks.
 */
final class LayoutText {
    static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String ORDERS = "0123456789abcdef";

    private LayoutText() {
    }

    static String render(Snapshot snap, Layout layout, LayoutCells cells, int width, boolean color) {
        StringBuilder b = new StringBuilder();
        int ps = layout.pageSize();
        b.append(String.format(Locale.ROOT, "Heap layout of pid %d (%s), %d zone%s, %d pages of %s%n", snap.pid(),
                snap.exe(), layout.zones().size(), layout.zones().size() == 1 ? "" : "s", layout.totalPages(),
                Units.bytes(ps)));
        for (LayoutZone z : layout.zones()) {
            b.append('\n');
            b.append(String.format(Locale.ROOT, "Zone %s (%s) %s-%s, %d pages, %s; 1 character = %d page%s (%s)%n",
                    zoneName(z), z.kind() == ZoneKind.BRK ? "brk heap" : "mmap zone", Units.hex(z.base()),
                    Units.hex(z.top(ps)), z.npages(), Units.bytes((long) z.npages() * ps), cells.pagesPerCell,
                    cells.pagesPerCell == 1 ? "" : "s", Units.bytes((long) cells.pagesPerCell * ps)));
            int n = cells.cells(z);
            for (int row = 0; row * width < n; row++) {
                long addr = z.base() + (long) row * width * cells.pagesPerCell * ps;
                b.append(String.format(Locale.ROOT, "  %14s |", Long.toHexString(addr)));
                int last = -1;
                for (int i = row * width; i < Math.min(n, (row + 1) * width); i++) {
                    LayoutCells.Cell c = cells.cell(z, i);
                    char ch = symbol(c, cells);
                    if (color) {
                        int rgb = c.kind() == PageKind.ABSENT ? -1 : Palette.of(c, cells);
                        if (rgb != last) {
                            b.append(rgb < 0 ? Terminal.RESET : Palette.ansi(rgb));
                            last = rgb;
                        }
                    }
                    b.append(ch);
                }
                if (color) {
                    b.append(Terminal.RESET);
                }
                b.append("|\n");
            }
            Map<PageKind, Long> k = z.countByKind();
            b.append(String.format(Locale.ROOT, "  %d slab, %d medium, %d free, %d metadata, %d absent pages%n",
                    k.get(PageKind.SLAB), k.get(PageKind.MEDIUM_HEAD) + k.get(PageKind.MEDIUM_TAIL), k.get(PageKind.FREE),
                    k.get(PageKind.METADATA), k.get(PageKind.ABSENT)));
        }
        b.append('\n').append(legend(cells, color));
        b.append('\n').append(large(layout));
        return b.toString();
    }

    static String zoneName(LayoutZone z) {
        return z.kind() == ZoneKind.BRK ? "Brk" : "Mmap" + (z.id() - 1);
    }

    static char symbol(LayoutCells.Cell c, LayoutCells cells) {
        return switch (c.kind()) {
            case ABSENT -> ' ';
            case FREE -> ORDERS.charAt(Math.min(c.order(), 15));
            case SLAB -> {
                int r = cells.rank(c.cacheId());
                yield r >= 0 && r < LETTERS.length() ? LETTERS.charAt(r) : '*';
            }
            case MEDIUM_HEAD -> '[';
            case MEDIUM_TAIL -> '=';
            case METADATA -> '#';
            case UNKNOWN -> '?';
        };
    }

    private static String swatch(int rgb, String text, boolean color) {
        return color ? Palette.ansi(rgb) + text + Terminal.RESET : text;
    }

    static String legend(LayoutCells cells, boolean color) {
        StringBuilder b = new StringBuilder("Legend:\n");
        StringBuilder orders = new StringBuilder();
        for (int o = 0; o <= cells.maxOrder && o < ORDERS.length(); o++) {
            orders.append(swatch(Palette.free(o, cells.maxOrder, true), String.valueOf(ORDERS.charAt(o)), color));
        }
        b.append("  ").append(orders).append("  free page, in a free block of that order (2^n pages)");
        b.append(color ? "; grey: given back to the kernel\n" : "\n");
        b.append("  ").append(swatch(Palette.MEDIUM_HEAD, "[", color)).append(swatch(Palette.MEDIUM_TAIL, "=", color))
                .append("  medium block: first page [, the others =\n");
        b.append("  ").append(swatch(Palette.METADATA, "#", color)).append("   allocator metadata\n");
        b.append("      (blank) page not in use in the zone\n");
        if (cells.caches.isEmpty()) {
            b.append("  no slab pages\n");
            return b.toString();
        }
        b.append("  slab pages, one letter per cache").append(color ? " (darker: fuller slabs)" : "").append(":\n");
        for (LayoutCells.CacheUse u : cells.caches.values()) {
            String letter = u.rank() < LETTERS.length() ? String.valueOf(LETTERS.charAt(u.rank())) : "*";
            if (u.rank() > LETTERS.length()) {
                continue;   // one line for all '*' caches is enough
            }
            if (u.rank() == LETTERS.length()) {
                long pages = cells.caches.values().stream().filter(x -> x.rank() >= LETTERS.length())
                        .mapToLong(LayoutCells.CacheUse::pages).sum();
                b.append(String.format(Locale.ROOT, "  %s   %-20s %6d pages%n", swatch(Palette.slab(u.rank(), 0.5), "*", color),
                        (cells.caches.size() - LETTERS.length()) + " more caches", pages));
                continue;
            }
            b.append(String.format(Locale.ROOT, "  %s   %-20s %6d page%s  %d/%d objects in use (%.0f%%)%n",
                    swatch(Palette.slab(u.rank(), 0.5), letter, color), u.name(), u.pages(), u.pages() == 1 ? " " : "s",
                    u.inUse(), u.capacity(), u.capacity() == 0 ? 0.0 : u.inUse() * 100.0 / u.capacity()));
        }
        return b.toString();
    }

    static String large(Layout layout) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Mmap path: %d block%s, %s mapped%n", layout.large().size(),
                layout.large().size() == 1 ? "" : "s", Units.bytes(layout.largeMappedBytes())));
        int shown = 0;
        for (LargeBlock l : layout.large()) {
            if (shown++ == 32) {
                b.append(String.format(Locale.ROOT, "  ... %d more%n", layout.large().size() - 32));
                break;
            }
            b.append(String.format(Locale.ROOT, "  %14s  %8s mapped  %8s asked%n", Long.toHexString(l.addr()),
                    Units.bytes(l.mapLen()), Units.bytes(l.size())));
        }
        return b.toString();
    }
}
