package io.slabscope.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * /proc/buddyinfo text ({@code mm/vmstat.c}: {@code "Node %d, zone %8s "} then {@code "%6lu "}
 * per order), the fragmentation tables of /sys/kernel/debug/extfrag ({@code unusable_index}:
 * {@code "%d.%03d "}, {@code extfrag_index}: {@code "%2d.%03d "}), and JSON of both.
 * Zones are named {@code Brk} and {@code Mmap<n>}; the fragmentation tables add a line
 * {@code All} for all zones together.
 */
public final class BuddyinfoFormat {
    private BuddyinfoFormat() {
    }

    /** /proc/buddyinfo: one line per zone. */
    public static String text(Snapshot s) {
        BuddyInfo b = s.buddyInfo();
        StringBuilder out = new StringBuilder();
        for (Fragmentation f : b.perZone()) {
            out.append(prefix(f.name()));
            for (int o = 0; o < b.orders(); o++) {
                out.append(String.format(Locale.ROOT, "%6d ", f.nrFree(o)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The unusable free space index per order, like /sys/kernel/debug/extfrag/unusable_index. */
    public static String unusableIndexText(BuddyInfo b) {
        StringBuilder out = new StringBuilder();
        for (Fragmentation f : withAll(b)) {
            out.append(prefix(f.name()));
            for (int o = 0; o < b.orders(); o++) {
                int index = f.unusableIndexMillis(o);
                out.append(String.format(Locale.ROOT, "%d.%03d ", index / 1000, index % 1000));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The fragmentation index per order, like /sys/kernel/debug/extfrag/extfrag_index. */
    public static String fragmentationIndexText(BuddyInfo b) {
        StringBuilder out = new StringBuilder();
        for (Fragmentation f : withAll(b)) {
            out.append(prefix(f.name()));
            for (int o = 0; o < b.orders(); o++) {
                out.append(millis(f.fragmentationIndexMillis(o))).append(' ');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** buddyinfo followed by both fragmentation tables, each under a title line. */
    public static String textWithFragmentation(Snapshot s) {
        BuddyInfo b = s.buddyInfo();
        return text(s) + "\nunusable free space index (extfrag/unusable_index):\n" + unusableIndexText(b)
                + "\nfragmentation index (extfrag/extfrag_index):\n" + fragmentationIndexText(b);
    }

    /** Kernel style {@code "%2d.%03d"} of a value in thousandths (-1000 prints "-1.000"). */
    static String millis(int index) {
        if (index < 0) {
            int a = -index;
            String s = "-" + a / 1000 + "." + String.format(Locale.ROOT, "%03d", a % 1000);
            return s.length() < 6 ? " ".repeat(6 - s.length()) + s : s;
        }
        return String.format(Locale.ROOT, "%2d.%03d", index / 1000, index % 1000);
    }

    /** Zones, free lists and both indexes per order, per zone and for all zones. */
    public static String json(Snapshot s) {
        BuddyInfo b = s.buddyInfo();
        JsonWriter w = new JsonWriter().beginObject();
        w.member("pid", s.pid());
        w.member("exe", s.exe());
        w.member("publish_time_ns", s.publishTimeNs());
        w.member("page_size", s.pageSize());
        w.member("orders", b.orders());
        w.name("zones").beginArray();
        for (int i = 0; i < b.zones().size(); i++) {
            Zone z = b.zones().get(i);
            w.beginObject()
                    .member("id", z.id())
                    .member("name", z.name())
                    .member("kind", z.kind().name().toLowerCase(Locale.ROOT))
                    .member("base", z.base())
                    .member("top", z.top())
                    .member("free_pages", z.freePages())
                    .member("dirty_pages", z.dirtyPages());
            fragmentation(w, b.perZone().get(i));
            w.endObject();
        }
        w.endArray();
        w.name("all").beginObject();
        fragmentation(w, b.all());
        w.endObject();
        return w.endObject().toString();
    }

    private static void fragmentation(JsonWriter w, Fragmentation f) {
        w.name("nr_free").value(f.nrFree());
        w.member("free_pages_total", f.freePages());
        w.member("free_blocks_total", f.freeBlocksTotal());
        w.name("unusable_index").value(f.unusableIndexes(), 3);
        w.name("fragmentation_index").value(f.fragmentationIndexes(), 3);
    }

    private static String prefix(String zoneName) {
        return String.format(Locale.ROOT, "Node 0, zone %8s ", zoneName);
    }

    private static List<Fragmentation> withAll(BuddyInfo b) {
        List<Fragmentation> l = new ArrayList<>(b.perZone());
        l.add(b.all());
        return l;
    }
}
