package io.slabscope.cli;

import io.slabscope.model.SlabCache;
import java.util.Comparator;
import java.util.Locale;

/** Sort orders of slabscope top: slabtop's keys (largest first, names A to Z). */
enum SortKey {
    ACTIVE('a', "active", Comparator.comparingLong(SlabCache::activeObjs).reversed()),
    OBJS_PER_SLAB('b', "objs-per-slab", Comparator.comparingInt(SlabCache::objPerSlab).reversed()),
    CACHE_SIZE('c', "cache-size", Comparator.comparingLong(SlabCache::cacheSizeBytes).reversed()),
    SLABS('l', "slabs", Comparator.comparingLong(SlabCache::numSlabs).reversed()),
    ACTIVE_SLABS('v', "active-slabs", Comparator.comparingLong(SlabCache::activeSlabs).reversed()),
    NAME('n', "name", Comparator.comparing(SlabCache::name)),
    OBJECTS('o', "objects", Comparator.comparingLong(SlabCache::numObjs).reversed()),
    PAGES_PER_SLAB('p', "pages-per-slab", Comparator.comparingInt(SlabCache::pagesPerSlab).reversed()),
    OBJSIZE('s', "objsize", Comparator.comparingInt(SlabCache::size).reversed()),
    USE('u', "use", Comparator.comparingDouble(SlabCache::usagePercent).reversed());

    final char key;
    final String word;
    final Comparator<SlabCache> order;

    SortKey(char key, String word, Comparator<SlabCache> order) {
        this.key = key;
        this.word = word;
        // ties: by name, so frames do not reshuffle equal rows
        this.order = order.thenComparing(SlabCache::name);
    }

    static SortKey ofKey(int c) {
        for (SortKey k : values()) {
            if (k.key == c) {
                return k;
            }
        }
        return null;
    }

    /** A letter (slabtop's) or a word. */
    static SortKey parse(String s) throws UsageException {
        String l = s.toLowerCase(Locale.ROOT);
        for (SortKey k : values()) {
            if (l.equals(String.valueOf(k.key)) || l.equals(k.word)) {
                return k;
            }
        }
        throw new UsageException("unknown sort key '" + s + "' (" + keys() + ")");
    }

    static String keys() {
        StringBuilder b = new StringBuilder();
        for (SortKey k : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(k.key).append(' ').append(k.word);
        }
        return b.toString();
    }
}
