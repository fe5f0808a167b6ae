package io.slabscope.model;

/**
 * A block of the mmap path ({@code struct ss_layout_large}): an allocation above the mmap
 * threshold with a mapping of its own.
 *
 * @param addr   address handed to the caller
 * @param mapLen bytes mapped
 * @param size   bytes asked for
 */
public record LargeBlock(long addr, long mapLen, long size) {
}
