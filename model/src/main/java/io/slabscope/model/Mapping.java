package io.slabscope.model;

/**
 * One line of /proc/PID/maps.
 *
 * @param start  first address
 * @param end    end address (exclusive)
 * @param perms  permissions, e.g. {@code r-xp}
 * @param offset file offset
 * @param inode  inode of the file, 0 for anonymous mappings
 * @param path   file or pseudo-path ({@code [heap]}, {@code [stack]}), empty for anonymous
 * @param region part of the address space
 */
public record Mapping(long start, long end, String perms, long offset, long inode, String path, Region region) {

    public long size() {
        return end - start;
    }

    public boolean isAnonymous() {
        return path.isEmpty();
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }

    /** Whether [from, to) overlaps this mapping. */
    public boolean overlaps(long from, long to) {
        return Long.compareUnsigned(from, end) < 0 && Long.compareUnsigned(to, start) > 0;
    }
}
