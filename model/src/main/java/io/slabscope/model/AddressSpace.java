package io.slabscope.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A process address space from /proc/PID/maps, each mapping assigned to a {@link Region}
 * (text, data, bss, heap, mmap area, stack) as a textbook draws it.
 *
 * @param mappings mappings in ascending address order
 */
public record AddressSpace(List<Mapping> mappings) {

    public AddressSpace {
        mappings = List.copyOf(mappings);
    }

    /**
     * Parses /proc/PID/maps text.
     *
     * @param maps the file's text
     * @param exe  the program's path (/proc/PID/exe), to tell its text and data; may be empty
     */
    public static AddressSpace parse(String maps, String exe) {
        List<String[]> rows = new ArrayList<>();
        for (String line : maps.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // start-end perms offset dev inode [path]; path may contain spaces
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5 || f[0].indexOf('-') < 0) {
                throw new IllegalArgumentException("not a /proc/PID/maps line: " + line);
            }
            rows.add(f);
        }
        List<Mapping> out = new ArrayList<>(rows.size());
        long exeEnd = -1;
        boolean bssTaken = false;
        for (String[] f : rows) {
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            String perms = f[1];
            long offset = Long.parseUnsignedLong(f[2], 16);
            long inode = Long.parseLong(f[4]);
            String path = f.length > 5 ? f[5].trim() : "";
            String plain = path.endsWith(" (deleted)") ? path.substring(0, path.length() - 10) : path;
            Region region;
            if (!exe.isEmpty() && plain.equals(exe)) {
                region = perms.indexOf('x') >= 0 ? Region.TEXT : perms.indexOf('w') >= 0 ? Region.DATA : Region.RODATA;
                exeEnd = end;
            } else if (path.equals("[heap]")) {
                region = Region.HEAP;
            } else if (path.startsWith("[stack")) {
                region = Region.STACK;
            } else if (path.equals("[vdso]") || path.equals("[vvar]") || path.equals("[vsyscall]")
                    || path.startsWith("[vvar")) {
                region = Region.KERNEL;
            } else if (path.isEmpty() && !bssTaken && exeEnd == start && perms.startsWith("rw")) {
                region = Region.BSS;
                bssTaken = true;
            } else {
                region = Region.MMAP;
            }
            out.add(new Mapping(start, end, perms, offset, inode, path, region));
        }
        return new AddressSpace(out);
    }

    /** Mappings of that region. */
    public List<Mapping> region(Region r) {
        return mappings.stream().filter(m -> m.region() == r).toList();
    }

    /** The mapping holding {@code addr}, if any. */
    public Mapping at(long addr) {
        for (Mapping m : mappings) {
            if (m.contains(addr)) {
                return m;
            }
        }
        return null;
    }
}
