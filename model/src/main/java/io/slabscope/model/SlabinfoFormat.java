package io.slabscope.model;

import java.util.Locale;

/**
 * /proc/slabinfo version 2.1 text, as the kernel prints it under SLUB ({@code mm/slab_common.c}:
 * {@code print_slabinfo_header}, {@code cache_show}; tunables all 0, sharedavail 0), and the
 * same figures as JSON.
 */
public final class SlabinfoFormat {
    public static final String HEADER = "slabinfo - version: 2.1\n"
            + "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
            + " : tunables <limit> <batchcount> <sharedfactor>"
            + " : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

    private SlabinfoFormat() {
    }

    /** The whole file: header and one line per cache, in snapshot order. */
    public static String text(Snapshot s) {
        StringBuilder b = new StringBuilder(HEADER);
        for (SlabCache c : s.caches()) {
            b.append(line(c));
        }
        return b.toString();
    }

    /** One cache line, with its newline. */
    public static String line(SlabCache c) {
        return String.format(Locale.ROOT, "%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d\n",
                c.name(), c.activeObjs(), c.numObjs(), c.size(), c.objPerSlab(), c.pagesPerSlab(), 0, 0, 0,
                c.activeSlabs(), c.numSlabs(), 0);
    }

    /** The snapshot's caches as JSON: the slabinfo columns and the rest of each record. */
    public static String json(Snapshot s) {
        JsonWriter w = new JsonWriter().beginObject();
        w.member("pid", s.pid());
        w.member("exe", s.exe());
        w.member("slabinfo_version", "2.1");
        w.member("publish_time_ns", s.publishTimeNs());
        w.member("page_size", s.pageSize());
        w.name("caches").beginArray();
        for (SlabCache c : s.caches()) {
            w.beginObject()
                    .member("name", c.name())
                    .member("active_objs", c.activeObjs())
                    .member("num_objs", c.numObjs())
                    .member("objsize", c.size())
                    .member("objperslab", c.objPerSlab())
                    .member("pagesperslab", c.pagesPerSlab())
                    .member("active_slabs", c.activeSlabs())
                    .member("num_slabs", c.numSlabs())
                    .member("full_slabs", c.fullSlabs())
                    .member("partial_slabs", c.partialSlabs())
                    .member("free_slabs", c.freeSlabs())
                    .member("object_size", c.objectSize())
                    .member("align", c.align())
                    .member("colour_num", c.colourNum())
                    .member("colour_off", c.colourOff())
                    .member("kmalloc_class", c.kmallocClass())
                    .member("allocs", c.allocs())
                    .member("frees", c.frees())
                    .member("grows", c.grows())
                    .member("reaps", c.reaps())
                    .member("flags", c.flags())
                    .member("debug", SlabDebug.letters(c.debugFlags()))
                    .member("policy", c.policy())
                    .member("id", c.id())
                    .member("usage_percent", Math.round(c.usagePercent() * 100) / 100.0)
                    .member("cache_size_bytes", c.cacheSizeBytes())
                    .endObject();
        }
        w.endArray();
        return w.endObject().toString();
    }
}
