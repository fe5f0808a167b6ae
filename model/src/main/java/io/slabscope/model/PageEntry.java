package io.slabscope.model;

/**
 * One page entry of the layout format (uint32), decoded:
 * <pre>
 *   bits 0..3   kind
 *   bits 4..7   free: order of the block it belongs to; slab: log2 pages per slab
 *   bits 8..19  slab: cache id (0xfff if above 4094)
 *   bits 20..31 slab: objects in use (saturating at 4095); free: 1 if resident (dirty)
 * </pre>
 *
 * @param kind     page kind
 * @param order    free: order of the free block; slab: log2 of the pages per slab; else 0
 * @param cacheId  slab: cache id ({@link #CACHE_ID_OVERFLOW} if the id does not fit); else -1
 * @param inUse    slab: objects in use in the slab (saturating at 4095); else 0
 * @param resident free: the page is resident (dirty), not given back to the kernel
 */
public record PageEntry(PageKind kind, int order, int cacheId, int inUse, boolean resident) {

    /** Cache id written when the real id is above 4094. */
    public static final int CACHE_ID_OVERFLOW = 0xfff;
    /** Largest object count an entry can hold. */
    public static final int IN_USE_MAX = 0xfff;

    public static PageKind kindOf(int raw) {
        return PageKind.ofCode(raw & 0xf);
    }

    public static int orderOf(int raw) {
        return (raw >>> 4) & 0xf;
    }

    public static int cacheOf(int raw) {
        return (raw >>> 8) & 0xfff;
    }

    public static int inUseOf(int raw) {
        return raw >>> 20;
    }

    /** Decodes a raw entry. */
    public static PageEntry decode(int raw) {
        PageKind kind = kindOf(raw);
        return switch (kind) {
            case FREE -> new PageEntry(kind, orderOf(raw), -1, 0, inUseOf(raw) != 0);
            case SLAB -> new PageEntry(kind, orderOf(raw), cacheOf(raw), inUseOf(raw), false);
            default -> new PageEntry(kind, 0, -1, 0, false);
        };
    }

    /** Encodes an entry (the inverse of {@link #decode}; used by tests and tools). */
    public static int encode(PageKind kind, int order, int cacheId, int inUseOrResident) {
        if (kind == PageKind.UNKNOWN) {
            throw new IllegalArgumentException("cannot encode UNKNOWN");
        }
        return kind.code() | (order & 0xf) << 4 | (cacheId & 0xfff) << 8 | (Math.min(inUseOrResident, IN_USE_MAX) << 20);
    }

    /** Pages per slab, for a slab page. */
    public int pagesPerSlab() {
        return kind == PageKind.SLAB ? 1 << order : 0;
    }
}
