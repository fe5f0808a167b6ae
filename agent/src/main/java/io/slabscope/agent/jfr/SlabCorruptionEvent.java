package io.slabscope.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/** Debug mode found a damaged slab object, or a damaged medium or mmap block (SS_EV_CORRUPTION). */
@Name(SlabCorruptionEvent.NAME)
@Label("Slab Corruption")
@Description("The allocator's debug mode (SLABSCOPE_DEBUG) found a damaged object or block of pages: a red zone "
        + "overwritten (buffer overflow or underflow; blocks of pages are guarded after their end), a freed object "
        + "written to (use after free), a broken free list, or a double free. "
        + "The owner is the thread that last allocated (or freed) the object, with its native stack when the cache "
        + "tracks owners (flag U). With SLABSCOPE_ABORT=0 the bytes are repaired and the process goes on; otherwise "
        + "it aborts")
@Category({"Native Memory", "Slabscope"})
@StackTrace(false)
public final class SlabCorruptionEvent extends Event {
    public static final String NAME = "io.slabscope.SlabCorruption";

    @Label("Cache") @Description("Slab cache of the object, e.g. kmalloc-64; medium or mmap for a block of pages")
    public String cache;
    @Label("Object Address") @Description("Address of the damaged object") @MemoryAddress
    public long address;
    @Label("Object Size") @Description("Size of the object") @DataAmount @Unsigned
    public long objectSize;
    @Label("Bad Byte Address") @Description("Address of the first damaged byte") @MemoryAddress
    public long badAddress;
    @Label("Bad Byte Offset") @Description("Offset of the first damaged byte from the object (negative: before it, "
            + "at or above Object Size: after it)")
    public long badOffset;
    @Label("Kind") @Description("left red zone (underflow), right red zone (overflow), poison (use after free), "
            + "free list (slab metadata) or double free")
    public String kind;
    @Label("Owner Thread Id") @Description("Kernel thread id (gettid) of the thread that last allocated or freed the "
            + "object; 0 if not tracked") @Unsigned
    public int ownerThreadId;
    @Label("Owner Thread Name") @Description("/proc/self/task/TID/comm of the owner thread (empty if it has exited)")
    public String ownerThreadName;
    @Label("Owner Native Stack") @Description("The owner's native stack when it allocated or freed the object, "
            + "innermost first, one frame per line: symbol+0xoffset (library); empty without owner tracking (U)")
    public String ownerStack;
    @Label("Owner Native Frames") @Description("Frames in the owner's native stack")
    public int ownerFrames;
    @Label("Native Time") @Description("When the damage was found (CLOCK_REALTIME, millisecond resolution)")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long nativeTime;
    @Label("Native Time (ns)") @Description("When the damage was found: CLOCK_REALTIME nanoseconds since the epoch")
    @Unsigned
    public long nativeTimeNanos;
}
