package io.slabscope.model;

/** Where a zone's pages come from. */
public enum ZoneKind {
    /** The brk heap (program break), grown and trimmed at the top. */
    BRK(0),
    /** An mmap zone, used when the break cannot move. */
    MMAP(1);

    private final int code;

    ZoneKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind for a zone record's {@code kind} field, or {@code null} if unknown. */
    public static ZoneKind ofCode(long code) {
        for (ZoneKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
