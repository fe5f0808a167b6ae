package io.slabscope.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The function symbols of an ELF64 object's {@code .symtab}: what {@code dladdr} cannot see, since
 * it only reads the dynamic symbols ({@code .dynsym}). libjvm.so keeps its {@code .symtab}, so the
 * HotSpot functions of a native stack get names. The file is mapped, not read; only the sorted
 * addresses, sizes and name offsets live on the Java heap.
 */
final class ElfSymbols {
    private static final int SHT_SYMTAB = 2;
    private static final int STT_FUNC = 2;
    private static final int PT_LOAD = 1;

    private final MappedByteBuffer file;
    /**
     * Per function, in address order, three unsigned 32-bit integers: its start (an offset from
     * the load base), its size and its name's offset in the string table. Off the Java heap (a
     * direct buffer): libjvm.so has some 50,000 functions, and as arrays they were the largest
     * thing the agent kept in the heap for the life of the program, marked and moved by each of
     * its full GCs (bench/jvm).
     */
    private final IntBuffer table;
    private final int count;
    private final long strtabOffset;

    private ElfSymbols(MappedByteBuffer file, IntBuffer table, int count, long strtabOffset) {
        this.file = file;
        this.table = table;
        this.count = count;
        this.strtabOffset = strtabOffset;
    }

    private long start(int i) {
        return Integer.toUnsignedLong(table.get(3 * i));
    }

    private long size(int i) {
        return Integer.toUnsignedLong(table.get(3 * i + 1));
    }

    private int nameOffset(int i) {
        return table.get(3 * i + 2);
    }

    /** The symbols of the file, or null if it is not a readable ELF64 little-endian file with a .symtab. */
    static ElfSymbols load(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long len = ch.size();
            if (len < 64 || len > Integer.MAX_VALUE) {
                return null;
            }
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, len);
            b.order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
                return null;                           // not ELF, not 64-bit, not little-endian
            }
            long phoff = b.getLong(0x20);
            long shoff = b.getLong(0x28);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
            int shnum = Short.toUnsignedInt(b.getShort(0x3c));
            if (shoff <= 0 || shentsize < 64 || shoff + (long) shnum * shentsize > len
                    || phoff + (long) phnum * phentsize > len) {
                return null;
            }
            long minVaddr = Long.MAX_VALUE;
            for (int i = 0; i < phnum; i++) {
                int ph = (int) (phoff + (long) i * phentsize);
                if (b.getInt(ph) == PT_LOAD) {
                    minVaddr = Math.min(minVaddr, b.getLong(ph + 16) & ~0xfffL);
                }
            }
            if (minVaddr == Long.MAX_VALUE) {
                minVaddr = 0;
            }
            for (int i = 0; i < shnum; i++) {
                int sh = (int) (shoff + (long) i * shentsize);
                if (b.getInt(sh + 4) != SHT_SYMTAB) {
                    continue;
                }
                long symOff = b.getLong(sh + 24);
                long symSize = b.getLong(sh + 32);
                int link = b.getInt(sh + 40);
                long entSize = b.getLong(sh + 56);
                if (entSize < 24 || link <= 0 || link >= shnum || symOff + symSize > len) {
                    return null;
                }
                int str = (int) (shoff + (long) link * shentsize);
                long strOff = b.getLong(str + 24);
                long strSize = b.getLong(str + 32);
                if (strOff + strSize > len) {
                    return null;
                }
                int n = (int) (symSize / entSize);
                long[] st = new long[n];
                long[] sz = new long[n];
                int[] nm = new int[n];
                int k = 0;
                for (int j = 0; j < n; j++) {
                    int e = (int) (symOff + j * entSize);
                    int info = b.get(e + 4) & 0xff;
                    int shndx = Short.toUnsignedInt(b.getShort(e + 6));
                    long value = b.getLong(e + 8);
                    int nameOff = b.getInt(e);
                    if ((info & 0xf) != STT_FUNC || shndx == 0 || value == 0 || nameOff <= 0 || nameOff >= strSize
                            || value < minVaddr || value - minVaddr > 0xffffffffL) {
                        continue;
                    }
                    st[k] = value - minVaddr;
                    sz[k] = b.getLong(e + 16);
                    nm[k] = nameOff;
                    k++;
                }
                int[] order = sortedOrder(st, k);
                IntBuffer table = ByteBuffer.allocateDirect(12 * Math.max(k, 1)).order(ByteOrder.nativeOrder())
                        .asIntBuffer();
                for (int j = 0; j < k; j++) {
                    table.put(3 * j, (int) st[order[j]]);
                    table.put(3 * j + 1, (int) Math.min(sz[order[j]], 0xffffffffL));
                    table.put(3 * j + 2, nm[order[j]]);
                }
                return new ElfSymbols(b, table, k, strOff);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Indexes 0..k-1 in the order of their values (a primitive sort of value:index keys when they fit). */
    private static int[] sortedOrder(long[] values, int k) {
        long max = 0;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, values[j]);
        }
        int[] order = new int[k];
        if (k < (1 << 21) && max < (1L << 42)) {
            long[] keys = new long[k];
            for (int j = 0; j < k; j++) {
                keys[j] = values[j] << 21 | j;
            }
            Arrays.sort(keys);
            for (int j = 0; j < k; j++) {
                order[j] = (int) (keys[j] & ((1 << 21) - 1));
            }
            return order;
        }
        Integer[] boxed = new Integer[k];
        for (int j = 0; j < k; j++) {
            boxed[j] = j;
        }
        Arrays.sort(boxed, (x, y) -> Long.compare(values[x], values[y]));
        for (int j = 0; j < k; j++) {
            order[j] = boxed[j];
        }
        return order;
    }

    int count() {
        return count;
    }

    /** Start of the i-th function (address order) as an offset from the load base (tests). */
    long startOffset(int i) {
        return start(i);
    }

    /** Name of the i-th function (tests). */
    String nameAt(int i) {
        return name(nameOffset(i));
    }

    /** A function symbol: its name and its start as an offset from the load base. */
    record Hit(String name, long startOffset) {
    }

    /**
     * The function containing {@code offset} (an address minus the object's load base, dli_fbase),
     * or null if none.
     */
    Hit lookup(long offset) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (start(mid) <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return null;
        }
        long from = start(found);
        long length = size(found);
        if (length > 0 && offset >= from + length) {
            return null;
        }
        return new Hit(name(nameOffset(found)), from);
    }

    private String name(int nameOff) {
        int at = (int) (strtabOffset + nameOff);
        int end = at;
        int limit = file.limit();
        while (end < limit && file.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = file.get(at + i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
