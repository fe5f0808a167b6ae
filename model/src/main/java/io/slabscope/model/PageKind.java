package io.slabscope.model;

/**
 * What a heap page is used for, from bits 0..3 of a layout page entry
 * ({@code SS_PAGE_KIND} in slabscope_shm.h).
 */
public enum PageKind {
    /** Never handed out by the zone, or above its top. */
    ABSENT(0),
    /** Inside a free buddy block. */
    FREE(1),
    /** Page of a slab of some cache. */
    SLAB(2),
    /** First page of a medium block (a run of pages handed to one caller). */
    MEDIUM_HEAD(3),
    /** Later page of a medium block. */
    MEDIUM_TAIL(4),
    /** Allocator metadata (per-thread caches). */
    METADATA(5),
    /** A kind this reader does not know (a later format version). */
    UNKNOWN(-1);

    private final int code;

    PageKind(int code) {
        this.code = code;
    }

    /** The value in bits 0..3 of a page entry; -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    public boolean isMedium() {
        return this == MEDIUM_HEAD || this == MEDIUM_TAIL;
    }

    public static PageKind ofCode(int code) {
        for (PageKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return UNKNOWN;
    }
}
