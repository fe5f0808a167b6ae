package io.slabscope.cli;

import io.slabscope.model.Fragmentation;
import io.slabscope.model.GlobalStats;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One frame of slabscope top: a slabtop-like summary and cache table. */
final class TopView {
    static final String COLUMNS = String.format(Locale.ROOT, "%6s %6s %4s %8s %6s %8s %10s %s", "OBJS", "ACTIVE", "USE",
            "OBJ SIZE", "SLABS", "OBJ/SLAB", "CACHE SIZE", "NAME");

    private TopView() {
    }

    /** Lines before the table (summary, blank line, column header). */
    static final int HEADER_LINES = 11;

    /**
     * The frame text.
     *
     * @param maxRows  table rows shown at most
     * @param columns  terminal width: lines are cut to it (0: no limit)
     * @param reverse  show the column header in reverse video
     */
    static String frame(Snapshot s, SortKey key, int maxRows, int columns, boolean reverse, Instant now) {
        List<String> lines = new ArrayList<>();
        GlobalStats g = s.global();
        long activeObjs = 0, totalObjs = 0, activeSlabs = 0, totalSlabs = 0, activeCaches = 0;
        double activeSize = 0, totalSize = 0;
        int minObj = Integer.MAX_VALUE, maxObj = 0;
        for (SlabCache c : s.caches()) {
            activeObjs += c.activeObjs();
            totalObjs += c.numObjs();
            activeSlabs += c.activeSlabs();
            totalSlabs += c.numSlabs();
            if (c.activeObjs() > 0) {
                activeCaches++;
            }
            activeSize += c.activeBytes();
            totalSize += c.objectBytes();
            if (c.numObjs() > 0) {
                minObj = Math.min(minObj, c.size());
                maxObj = Math.max(maxObj, c.size());
            }
        }
        if (minObj == Integer.MAX_VALUE) {
            minObj = 0;
        }
        double avgObj = totalObjs == 0 ? 0 : totalSize / totalObjs;
        lines.add(String.format(Locale.ROOT, " slabscope top - pid %d %s - published %s ago (#%d) - sort: %s", s.pid(),
                s.exe(), Units.age(s.age(now)), s.publishCount(), key.word));
        lines.add(String.format(Locale.ROOT, " Active / Total Objects (%% used)    : %d / %d (%.1f%%)", activeObjs, totalObjs,
                pct(activeObjs, totalObjs)));
        lines.add(String.format(Locale.ROOT, " Active / Total Slabs (%% used)      : %d / %d (%.1f%%)", activeSlabs,
                totalSlabs, pct(activeSlabs, totalSlabs)));
        lines.add(String.format(Locale.ROOT, " Active / Total Caches (%% used)     : %d / %d (%.1f%%)", activeCaches,
                s.caches().size(), pct(activeCaches, s.caches().size())));
        lines.add(String.format(Locale.ROOT, " Active / Total Size (%% used)       : %.2fK / %.2fK (%.1f%%)",
                activeSize / 1024, totalSize / 1024, totalSize == 0 ? 0.0 : activeSize * 100 / totalSize));
        lines.add(String.format(Locale.ROOT, " Minimum / Average / Maximum Object : %.2fK / %.2fK / %.2fK", minObj / 1024.0,
                avgObj / 1024, maxObj / 1024.0));
        lines.add(String.format(Locale.ROOT, " Heap %s, resident %s, in %d zone%s (brk %s); free %s, of it resident %s;"
                + " live allocations %d, threads %d (%d with a full cache; %s kept in thread caches)",
                Units.bytes(g.heapBytes()), Units.bytes(g.heapResidentBytes()), s.zones().size(),
                s.zones().size() == 1 ? "" : "s", Units.bytes(g.brkBytes()), Units.bytes(g.heapFreeBytes()),
                Units.bytes(g.heapDirtyBytes()), g.liveAllocs(), g.threads(), g.fullThreadCaches(),
                Units.bytes(g.threadCacheBytes())));
        lines.add(String.format(Locale.ROOT, " Mmap path %d block%s %s (peak %s), threshold %s, trim threshold %s",
                g.mmapBlocks(), g.mmapBlocks() == 1 ? "" : "s", Units.bytes(g.mmapBytes()),
                Units.bytes(g.mmapPeakBytes()), Units.bytes(g.mmapThreshold()), Units.bytes(g.trimThreshold())));
        Fragmentation all = s.buddyInfo().all();
        StringBuilder frag = new StringBuilder(" Unusable free space index by order:");
        for (int o = 0; o < all.orders(); o++) {
            frag.append(String.format(Locale.ROOT, " %.2f", all.unusableIndex(o)));
        }
        lines.add(frag.toString());
        lines.add("");
        lines.add(reverse ? Terminal.REVERSE + pad(COLUMNS, columns) + Terminal.RESET : COLUMNS);

        List<SlabCache> caches = new ArrayList<>(s.caches());
        caches.sort(key.order);
        int shown = 0;
        for (SlabCache c : caches) {
            if (shown++ >= maxRows) {
                break;
            }
            lines.add(String.format(Locale.ROOT, "%6d %6d %3d%% %7.2fK %6d %8d %9dK %s", c.numObjs(), c.activeObjs(),
                    (int) Math.round(c.usagePercent()), c.size() / 1024.0, c.numSlabs(), c.objPerSlab(),
                    c.cacheSizeBytes() / 1024, c.name()));
        }
        StringBuilder out = new StringBuilder();
        for (String l : lines) {
            out.append(columns > 0 && !l.startsWith(Terminal.REVERSE) && l.length() > columns ? l.substring(0, columns) : l)
                    .append('\n');
        }
        return out.toString();
    }

    private static String pad(String s, int columns) {
        return columns > s.length() ? s + " ".repeat(columns - s.length()) : s;
    }

    private static double pct(long a, long b) {
        return b == 0 ? 0.0 : a * 100.0 / b;
    }
}
