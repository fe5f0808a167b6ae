package io.slabscope.cli;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.LargeBlock;
import io.slabscope.model.Layout;
import io.slabscope.model.LayoutZone;
import io.slabscope.model.Mapping;
import io.slabscope.model.Region;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The process address space from /proc/PID/maps, high addresses first as textbooks draw it
 * (stack, mmap area, heap, bss, data, text), with the shim's zones and large blocks marked.
 * Neighbouring mappings of the same file and region are merged into one line.
 */
final class AddressSpaceText {
    /** Lines of the mmap area shown at most (zones and large blocks always are). */
    static final int MMAP_LINES = 24;

    private AddressSpaceText() {
    }

    private record Line(long start, long end, Region region, String path, String perms, String note) {
        long size() {
            return end - start;
        }
    }

    static String render(int pid, AddressSpace as, Layout layout) {
        List<Line> lines = merge(as, layout);
        List<Line> mmap = lines.stream().filter(l -> l.region() == Region.MMAP).toList();
        List<Line> keep = new ArrayList<>(lines);
        int hidden = 0;
        long hiddenBytes = 0;
        if (mmap.size() > MMAP_LINES) {
            List<Line> plain = new ArrayList<>(mmap.stream().filter(l -> l.note().isEmpty()).toList());
            plain.sort(Comparator.comparingLong(Line::size).reversed());
            int room = Math.max(0, MMAP_LINES - (mmap.size() - plain.size()));
            for (Line l : plain.subList(Math.min(room, plain.size()), plain.size())) {
                keep.remove(l);
                hidden++;
                hiddenBytes += l.size();
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Address space of pid %d, high to low addresses (/proc/%d/maps):%n", pid, pid));
        boolean hiddenNoted = false;
        for (int i = keep.size() - 1; i >= 0; i--) {
            Line l = keep.get(i);
            b.append(String.format(Locale.ROOT, "  %12s-%-12s %8s  %-6s %-4s %s%s%n", Long.toHexString(l.start()),
                    Long.toHexString(l.end()), Units.bytes(l.size()), l.region().label(), l.perms(),
                    l.path().isEmpty() ? "(anonymous)" : l.path(), l.note().isEmpty() ? "" : "  <- " + l.note()));
            if (hidden > 0 && !hiddenNoted && l.region() == Region.MMAP
                    && (i == 0 || keep.get(i - 1).region() != Region.MMAP)) {
                b.append(String.format(Locale.ROOT, "  %25s %8s  mmap   ... %d smaller mappings not shown%n", "",
                        Units.bytes(hiddenBytes), hidden));
                hiddenNoted = true;
            }
        }
        return b.toString();
    }

    private static List<Line> merge(AddressSpace as, Layout layout) {
        List<Line> out = new ArrayList<>();
        for (Mapping m : as.mappings()) {
            String note = note(m, layout);
            Line prev = out.isEmpty() ? null : out.get(out.size() - 1);
            if (prev != null && prev.end() == m.start() && prev.region() == m.region() && prev.path().equals(m.path())
                    && note.isEmpty() && prev.note().isEmpty() && m.region() != Region.BSS) {
                String perms = prev.perms().equals(m.perms()) ? prev.perms() : "*";
                out.set(out.size() - 1, new Line(prev.start(), m.end(), m.region(), m.path(), perms, ""));
            } else {
                out.add(new Line(m.start(), m.end(), m.region(), m.path(), m.perms(), note));
            }
        }
        return out;
    }

    /** What of the shim lies in a mapping. */
    private static String note(Mapping m, Layout layout) {
        if (layout == null) {
            return "";
        }
        List<String> notes = new ArrayList<>();
        for (LayoutZone z : layout.zones()) {
            if (m.overlaps(z.base(), z.top(layout.pageSize()))) {
                notes.add("slabscope zone " + LayoutText.zoneName(z) + " " + Units.hex(z.base()) + "-"
                        + Units.hex(z.top(layout.pageSize())));
            }
        }
        long large = 0;
        long bytes = 0;
        for (LargeBlock l : layout.large()) {
            if (m.contains(l.addr())) {
                large++;
                bytes += l.mapLen();
            }
        }
        if (large > 0) {
            notes.add("slabscope mmap path: " + large + " block" + (large == 1 ? "" : "s") + " " + Units.bytes(bytes));
        }
        return String.join("; ", notes);
    }
}
