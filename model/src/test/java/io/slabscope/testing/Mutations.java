package io.slabscope.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Mutations of a valid binary snapshot or layout for the fuzz tests: truncation at every length,
 * every bit of chosen ranges flipped, every known field overwritten with extreme values (0, -1,
 * huge, sizes and offsets pointing just outside), and random combinations of these. Each mutant
 * comes with a description that reproduces it.
 */
public final class Mutations {
    /** A little-endian field of the format: where, how wide (4 or 8 bytes), what. */
    public record Field(String name, int offset, int width) {
    }

    /** A mutated copy and how it was made. */
    public record Mutant(String how, byte[] bytes) {
    }

    private final String seedName;
    private final byte[] seed;
    private final List<Field> fields;

    public Mutations(String seedName, byte[] seed, List<Field> fields) {
        this.seedName = seedName;
        this.seed = seed.clone();
        this.fields = List.copyOf(fields);
    }

    public int length() {
        return seed.length;
    }

    /** Prefixes of the seed: every length up to 512, then every {@code step}-th, and the last 64 one at a time. */
    public void truncations(int step, Consumer<Mutant> out) {
        for (int len = 0; len < seed.length; len += len < 512 ? 1 : step) {
            out.accept(new Mutant(seedName + " cut to " + len, Arrays.copyOf(seed, len)));
        }
        for (int len = Math.max(0, seed.length - 64); len < seed.length; len++) {
            out.accept(new Mutant(seedName + " cut to " + len, Arrays.copyOf(seed, len)));
        }
    }

    /** Every bit of [from, to) flipped, one at a time. */
    public void bitFlips(int from, int to, Consumer<Mutant> out) {
        for (int i = Math.max(0, from); i < Math.min(to, seed.length); i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = seed.clone();
                b[i] ^= (byte) (1 << bit);
                out.accept(new Mutant(seedName + " bit " + bit + " of byte " + i + " flipped", b));
            }
        }
    }

    /** Every field overwritten with every extreme value of its width. */
    public void extremeFields(Consumer<Mutant> out) {
        for (Field f : fields) {
            for (long v : extremes(f.width())) {
                out.accept(new Mutant(seedName + " " + f.name() + " = " + Long.toUnsignedString(v), put(seed, f, v)));
            }
        }
    }

    /** Values that break naive readers: zero, one, all ones, sign bits, 2^31 and 2^32, sizes around the seed's. */
    public List<Long> extremes(int width) {
        long n = seed.length;
        List<Long> v = new ArrayList<>(List.of(0L, 1L, 7L, 8L, 4095L, n - 1, n, n + 1, n / 2, 2 * n, 0x7fffffffL,
                0x80000000L, 0xffffffffL, 0xfffffff8L, 65536L));
        if (width == 8) {
            v.addAll(List.of(1L << 32, (1L << 32) + 8, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -8L, -n));
        }
        return v;
    }

    /** A copy of the seed with 1 to 4 random mutations of any kind. */
    public Mutant random(Random rnd) {
        byte[] b = seed.clone();
        StringBuilder how = new StringBuilder(seedName);
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    int len = rnd.nextInt(b.length + 1);
                    b = Arrays.copyOf(b, len);
                    how.append(", cut to ").append(len);
                }
                case 1 -> {
                    if (b.length > 0) {
                        int i = rnd.nextInt(b.length);
                        b[i] ^= (byte) (1 << rnd.nextInt(8));
                        how.append(", bit flipped in byte ").append(i);
                    }
                }
                case 2 -> {
                    if (b.length > 0) {
                        int i = rnd.nextInt(b.length);
                        int len = Math.min(b.length - i, 1 + rnd.nextInt(16));
                        byte fill = (byte) (rnd.nextBoolean() ? 0xff : rnd.nextInt(256));
                        Arrays.fill(b, i, i + len, fill);
                        how.append(", ").append(len).append(" bytes at ").append(i).append(" = ").append(fill);
                    }
                }
                case 3, 4 -> {
                    Field f = fields.get(rnd.nextInt(fields.size()));
                    List<Long> ext = extremes(f.width());
                    long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : ext.get(rnd.nextInt(ext.size()));
                    if (f.offset() + f.width() <= b.length) {
                        b = put(b, f, v);
                        how.append(", ").append(f.name()).append(" = ").append(Long.toUnsignedString(v));
                    }
                }
                case 5 -> {
                    // a chunk removed: everything after it shifts, offsets point to the wrong place
                    if (b.length > 8) {
                        int i = rnd.nextInt(b.length - 1);
                        int len = 1 + rnd.nextInt(Math.min(256, b.length - i - 1));
                        byte[] c = new byte[b.length - len];
                        System.arraycopy(b, 0, c, 0, i);
                        System.arraycopy(b, i + len, c, i, b.length - i - len);
                        b = c;
                        how.append(", ").append(len).append(" bytes removed at ").append(i);
                    }
                }
                default -> {
                    // random bytes appended or one region copied over another
                    if (rnd.nextBoolean()) {
                        int len = 1 + rnd.nextInt(512);
                        byte[] extra = new byte[len];
                        rnd.nextBytes(extra);
                        byte[] c = Arrays.copyOf(b, b.length + len);
                        System.arraycopy(extra, 0, c, b.length, len);
                        b = c;
                        how.append(", ").append(len).append(" random bytes appended");
                    } else if (b.length > 16) {
                        int from = rnd.nextInt(b.length);
                        int to = rnd.nextInt(b.length);
                        int len = Math.min(Math.min(b.length - from, b.length - to), 1 + rnd.nextInt(128));
                        System.arraycopy(b.clone(), from, b, to, len);
                        how.append(", ").append(len).append(" bytes copied from ").append(from).append(" to ")
                                .append(to);
                    }
                }
            }
        }
        return new Mutant(how.toString(), b);
    }

    private static byte[] put(byte[] seed, Field f, long v) {
        byte[] b = seed.clone();
        if (f.offset() + f.width() > b.length) {
            return b;
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (f.width() == 4) {
            bb.putInt(f.offset(), (int) v);
        } else {
            bb.putLong(f.offset(), v);
        }
        return b;
    }
}
