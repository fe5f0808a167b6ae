package io.slabscope.model;

/**
 * The slab debug flags of {@code SLABSCOPE_DEBUG} (slabscope.h, as the kernel's slub_debug): F
 * sanity checks, Z red zones, P poisoning, U owner tracking, S whole owner stacks; and the kinds of
 * corruption debug mode reports ({@code enum ss_corruption}).
 */
public final class SlabDebug {
    public static final int CHECKS = 0x1;
    public static final int REDZONE = 0x2;
    public static final int POISON = 0x4;
    public static final int TRACK = 0x8;
    public static final int STACKS = 0x10;
    /** Letters in flag order: F Z P U S. */
    public static final String LETTERS = "FZPUS";

    private SlabDebug() {
    }

    /** The flags as SLABSCOPE_DEBUG letters, e.g. "FZPU"; "" for none; bits without a letter are left out. */
    public static String letters(int flags) {
        StringBuilder b = new StringBuilder(4);
        for (int i = 0; i < LETTERS.length(); i++) {
            if ((flags & (1 << i)) != 0) {
                b.append(LETTERS.charAt(i));
            }
        }
        return b.toString();
    }

    /** The kind of a corruption ({@code enum ss_corruption}) in words. */
    public static String corruptionKind(int code) {
        return switch (code) {
            case 1 -> "left red zone (underflow)";
            case 2 -> "right red zone (overflow)";
            case 3 -> "poison (use after free)";
            case 4 -> "free list (slab metadata)";
            case 5 -> "double free";
            default -> "kind " + Integer.toUnsignedString(code);
        };
    }
}
