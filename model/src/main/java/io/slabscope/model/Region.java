package io.slabscope.model;

/** The part of a process address space a mapping belongs to (from /proc/PID/maps). */
public enum Region {
    /** Program code (the executable's executable mappings). */
    TEXT("text"),
    /** The executable's read-only data. */
    RODATA("rodata"),
    /** The executable's initialised data. */
    DATA("data"),
    /** Uninitialised data: the anonymous mapping right after the executable's data. */
    BSS("bss"),
    /** The brk heap ([heap]). */
    HEAP("heap"),
    /** The mmap area between heap and stack: shared libraries, anonymous and file mappings. */
    MMAP("mmap"),
    /** The main thread's stack ([stack]). */
    STACK("stack"),
    /** Kernel-provided pages: [vdso], [vvar], [vsyscall]. */
    KERNEL("kernel");

    private final String label;

    Region(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
