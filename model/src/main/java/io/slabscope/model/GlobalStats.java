package io.slabscope.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every counter of the process ({@code struct ss_shm_global}), all uint64 in the format.
 * Values are Java longs: counters and byte figures never reach 2^63 in practice, addresses
 * ({@code brkBase}, {@code brkTop}) are user-space addresses below 2^47.
 *
 * <p>The first release had {@value #FIRST_RELEASE_FIELD_COUNT} fields; later ones append
 * ({@code corruptions}, {@code faults_injected}, then {@code reap_bytes}, {@code reaped_objects}, then
 * {@code thread_cache_bytes}, {@code full_thread_caches}).
 * A segment's {@code global_size} says how many it holds; fields it does not hold read as 0.
 */
public record GlobalStats(
        long mallocCalls,
        long freeCalls,
        long callocCalls,
        long reallocCalls,
        long memalignCalls,
        long trimCalls,
        long bytesRequested,
        long bytesAllocated,
        long slabAllocs,
        long slabFrees,
        long mediumAllocs,
        long mediumFrees,
        long mediumBytes,
        long mmapAllocs,
        long mmapFrees,
        long mmapBlocks,
        long mmapBytes,
        long mmapPeakBytes,
        long brkGrows,
        long brkTrims,
        long brkFailures,
        long bytesTrimmed,
        long heapBytes,
        long brkBytes,
        long brkBase,
        long brkTop,
        long heapPeakBytes,
        long heapFreeBytes,
        long heapDirtyBytes,
        long topFreeBytes,
        long pagesReleased,
        long mmapZones,
        long liveAllocs,
        long allocFailures,
        long invalidFrees,
        long mmapThreshold,
        long trimThreshold,
        long topPad,
        long dirtyMax,
        long decayMs,
        long slabBytes,
        long slabActiveBytes,
        long heapResidentBytes,
        long mmapResidentBytes,
        long threads,
        long corruptions,
        long faultsInjected,
        long reapBytes,
        long reapedObjects,
        long threadCacheBytes,
        long fullThreadCaches) {

    /** Names of the fields in format order, as in slabscope_shm.h (snake case). */
    public static final List<String> FIELD_NAMES = List.of(
            "malloc_calls", "free_calls", "calloc_calls", "realloc_calls", "memalign_calls",
            "trim_calls", "bytes_requested", "bytes_allocated", "slab_allocs", "slab_frees",
            "medium_allocs", "medium_frees", "medium_bytes", "mmap_allocs", "mmap_frees",
            "mmap_blocks", "mmap_bytes", "mmap_peak_bytes", "brk_grows", "brk_trims",
            "brk_failures", "bytes_trimmed", "heap_bytes", "brk_bytes", "brk_base", "brk_top",
            "heap_peak_bytes", "heap_free_bytes", "heap_dirty_bytes", "top_free_bytes",
            "pages_released", "mmap_zones", "live_allocs", "alloc_failures", "invalid_frees",
            "mmap_threshold", "trim_threshold", "top_pad", "dirty_max", "decay_ms", "slab_bytes",
            "slab_active_bytes", "heap_resident_bytes", "mmap_resident_bytes", "threads", "corruptions",
            "faults_injected", "reap_bytes", "reaped_objects", "thread_cache_bytes", "full_thread_caches");

    /** Number of uint64 fields this reader knows ({@value}). */
    public static final int FIELD_COUNT = 51;

    /** Number of uint64 fields of the first release ({@value}, 360 bytes): the least a segment holds. */
    public static final int FIRST_RELEASE_FIELD_COUNT = 45;

    /**
     * Builds the record from the fields in format order: {@link #FIRST_RELEASE_FIELD_COUNT} to
     * {@link #FIELD_COUNT} values, the missing appended ones 0.
     */
    public static GlobalStats of(long[] values) {
        if (values.length < FIRST_RELEASE_FIELD_COUNT || values.length > FIELD_COUNT) {
            throw new IllegalArgumentException("need " + FIRST_RELEASE_FIELD_COUNT + " to " + FIELD_COUNT
                    + " values, got " + values.length);
        }
        long[] v = java.util.Arrays.copyOf(values, FIELD_COUNT);
        return new GlobalStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
                v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22], v[23], v[24],
                v[25], v[26], v[27], v[28], v[29], v[30], v[31], v[32], v[33], v[34], v[35], v[36],
                v[37], v[38], v[39], v[40], v[41], v[42], v[43], v[44], v[45], v[46], v[47], v[48], v[49],
                v[50]);
    }

    /** The fields in format order. */
    public long[] toArray() {
        return new long[] {mallocCalls, freeCalls, callocCalls, reallocCalls, memalignCalls, trimCalls,
                bytesRequested, bytesAllocated, slabAllocs, slabFrees, mediumAllocs, mediumFrees,
                mediumBytes, mmapAllocs, mmapFrees, mmapBlocks, mmapBytes, mmapPeakBytes, brkGrows,
                brkTrims, brkFailures, bytesTrimmed, heapBytes, brkBytes, brkBase, brkTop,
                heapPeakBytes, heapFreeBytes, heapDirtyBytes, topFreeBytes, pagesReleased,
                mmapZones, liveAllocs, allocFailures, invalidFrees, mmapThreshold, trimThreshold,
                topPad, dirtyMax, decayMs, slabBytes, slabActiveBytes, heapResidentBytes,
                mmapResidentBytes, threads, corruptions, faultsInjected, reapBytes, reapedObjects,
                threadCacheBytes, fullThreadCaches};
    }

    /** Field name (snake case, as in the C header) to value, in format order. */
    public Map<String, Long> asMap() {
        long[] v = toArray();
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(FIELD_NAMES.get(i), v[i]);
        }
        return m;
    }
}
