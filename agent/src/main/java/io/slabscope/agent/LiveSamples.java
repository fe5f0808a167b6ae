package io.slabscope.agent;

import java.util.HashMap;
import java.util.Map;

/**
 * Sampled allocations whose free has not been seen, by address: live sampled memory. Bounded: when
 * full, a new sample is not tracked (and counted as an agent drop by the caller).
 */
final class LiveSamples {
    /** One live sample. */
    record Sample(long size, long weight, long timeNs, int tid, int tier, String cache) {
    }

    static final int MAX = 1 << 17;

    private final Map<Long, Sample> live = new HashMap<>();
    private long weight;
    private long size;
    private long samples;
    private long frees;

    /** Tracks a sample; false if the table is full. A sample already at that address is replaced. */
    synchronized boolean add(long addr, Sample s) {
        samples++;
        Sample old = live.get(addr);
        if (old == null && live.size() >= MAX) {
            return false;
        }
        live.put(addr, s);
        if (old != null) {
            weight -= old.weight();
            size -= old.size();
        }
        weight += s.weight();
        size += s.size();
        return true;
    }

    /** The sample freed at that address, or null if none was tracked. */
    synchronized Sample remove(long addr) {
        frees++;
        Sample s = live.remove(addr);
        if (s != null) {
            weight -= s.weight();
            size -= s.size();
        }
        return s;
    }

    synchronized long count() {
        return live.size();
    }

    synchronized long weight() {
        return weight;
    }

    synchronized long size() {
        return size;
    }

    synchronized long samples() {
        return samples;
    }

    synchronized long frees() {
        return frees;
    }

    /** Native time of the oldest live sample, or 0 if none. */
    synchronized long oldestTimeNs() {
        long oldest = 0;
        for (Sample s : live.values()) {
            if (oldest == 0 || s.timeNs() < oldest) {
                oldest = s.timeNs();
            }
        }
        return oldest;
    }
}
