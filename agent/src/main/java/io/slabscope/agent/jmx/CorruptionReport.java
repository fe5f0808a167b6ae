package io.slabscope.agent.jmx;

/**
 * A damaged object debug mode found (SS_EV_CORRUPTION), as the notification carries it.
 *
 * @param cache         the object's slab cache
 * @param address       the object
 * @param objectSize    its size
 * @param badAddress    the first damaged byte
 * @param kind          in words: "right red zone (overflow)", ...
 * @param ownerThreadId kernel thread id of the last owner (0: not tracked)
 * @param timeNs        when it was found, CLOCK_REALTIME ns
 */
public record CorruptionReport(String cache, long address, long objectSize, long badAddress, String kind,
        int ownerThreadId, long timeNs) {

    /** Offset of the first damaged byte from the object (negative: before it). */
    public long badOffset() {
        return badAddress - address;
    }

    /** One line: what, where, whose. */
    public String describe() {
        return kind + ": " + cache + " object 0x" + Long.toHexString(address) + " (" + objectSize + " bytes), byte 0x"
                + Long.toHexString(badAddress) + " (offset " + badOffset() + ")"
                + (ownerThreadId != 0 ? ", last owner thread " + ownerThreadId : "");
    }
}
