package io.slabscope.ui.data;

import io.slabscope.model.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Flight Recorder file of the Slabscope agent, decoded: the allocator's periodic state as
 * snapshots (one per agent period), and the sampled allocations with their native stacks and the
 * frees matched to them.
 *
 * @param name      file name
 * @param snapshots the periodic state, oldest first
 * @param samples   sampled allocations, oldest first
 * @param frees     frees of sampled blocks, oldest first
 * @param events    Slabscope events read
 * @param warning   what went wrong while reading (a truncated file still shows what was read), or null
 */
public record Recording(String name, List<Snapshot> snapshots, List<Sample> samples, List<Free> frees, long events,
        String warning) {

    public Recording {
        snapshots = List.copyOf(snapshots);
        samples = List.copyOf(samples);
        frees = List.copyOf(frees);
    }

    /** A sampled allocation (io.slabscope.NativeAllocationSample). */
    public record Sample(long timeNs, long address, long size, long weight, String tier, String cache, String stack,
            int threadId) {
    }

    /** The free of a sampled block (io.slabscope.NativeFreeSample). */
    public record Free(long timeNs, long address) {
    }

    /**
     * Sampled allocations grouped by native stack.
     *
     * @param stack       the whole stack, innermost first, one frame per line
     * @param site        the first frame outside the allocator (what the table shows)
     * @param samples     samples of this stack up to the moment
     * @param bytes       the weight of those samples: estimated bytes allocated there
     * @param liveSamples samples not freed at the moment
     * @param liveBytes   their weight: estimated live bytes, the leak candidates
     */
    public record Site(String stack, String site, long samples, long bytes, long liveSamples, long liveBytes) {
    }

    public long startNanos() {
        return snapshots.isEmpty() ? 0 : snapshots.get(0).publishTimeNs();
    }

    public long endNanos() {
        return snapshots.isEmpty() ? 0 : snapshots.get(snapshots.size() - 1).publishTimeNs();
    }

    /** Index of the last snapshot at or before {@code timeNs} (0 if none is). */
    public int indexAt(long timeNs) {
        int lo = 0;
        int hi = snapshots.size() - 1;
        int best = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (snapshots.get(mid).publishTimeNs() <= timeNs) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /**
     * Allocation sites at {@code timeNs}: samples taken up to then grouped by stack, a sample live
     * when its free (matched by address, after it) had not come yet; by live bytes, then bytes.
     */
    public List<Site> sites(long timeNs) {
        // frees up to the moment, per address, in time order: a free ends the latest earlier sample
        Map<Long, List<Long>> freeTimes = new HashMap<>();
        for (Free f : frees) {
            if (f.timeNs() <= timeNs) {
                freeTimes.computeIfAbsent(f.address(), k -> new ArrayList<>()).add(f.timeNs());
            }
        }
        Map<String, long[]> acc = new HashMap<>();
        Map<Long, Sample> liveByAddress = new HashMap<>();
        Set<Sample> dead = new HashSet<>();
        // replay in time order: allocation makes the address live, a later free kills it
        List<Object[]> timeline = new ArrayList<>();
        for (Sample s : samples) {
            if (s.timeNs() <= timeNs) {
                timeline.add(new Object[] {s.timeNs(), 1, s});
            }
        }
        freeTimes.forEach((addr, times) -> times.forEach(t -> timeline.add(new Object[] {t, 0, addr})));
        timeline.sort((a, b) -> {
            int c = Long.compare((Long) a[0], (Long) b[0]);
            return c != 0 ? c : Integer.compare((Integer) b[1], (Integer) a[1]);
        });
        for (Object[] e : timeline) {
            if ((Integer) e[1] == 1) {
                Sample s = (Sample) e[2];
                Sample prev = liveByAddress.put(s.address(), s);
                if (prev != null) {
                    dead.add(prev); // its free was not recorded: the address was reused
                }
            } else {
                Sample s = liveByAddress.remove((Long) e[2]);
                if (s != null) {
                    dead.add(s);
                }
            }
        }
        Map<String, String> siteOf = new HashMap<>();
        for (Sample s : samples) {
            if (s.timeNs() > timeNs) {
                continue;
            }
            long[] a = acc.computeIfAbsent(s.stack(), k -> new long[4]);
            a[0]++;
            a[1] += s.weight();
            if (!dead.contains(s)) {
                a[2]++;
                a[3] += s.weight();
            }
            siteOf.computeIfAbsent(s.stack(), Recording::siteOf);
        }
        List<Site> out = new ArrayList<>();
        acc.forEach((stack, a) -> out.add(new Site(stack, siteOf.get(stack), a[0], a[1], a[2], a[3])));
        out.sort((x, y) -> x.liveBytes() != y.liveBytes() ? Long.compare(y.liveBytes(), x.liveBytes())
                : Long.compare(y.bytes(), x.bytes()));
        return Collections.unmodifiableList(out);
    }

    /** The first frame of a stack that is not the allocator itself (libslabscope, malloc family). */
    static String siteOf(String stack) {
        if (stack == null || stack.isBlank()) {
            return "(no stack)";
        }
        String first = null;
        for (String line : stack.split("\n")) {
            String f = line.trim();
            if (f.isEmpty()) {
                continue;
            }
            if (first == null) {
                first = f;
            }
            if (!f.contains("libslabscope") && !f.matches("^(malloc|calloc|realloc|free|ss_\\w+|posix_memalign|"
                    + "aligned_alloc|memalign|valloc|operator new)\\b.*")) {
                return f;
            }
        }
        return first == null ? "(no stack)" : first;
    }
}
