package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.model.Fragmentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.DataAmount;
import jdk.jfr.EventType;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Percentage;
import jdk.jfr.Timespan;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * A child JVM under the shim with the agent and a recording (-XX:StartFlightRecording) runs the
 * native-allocation workload; the .jfr is read back with jdk.jfr.consumer and with JDK Mission
 * Control's parser, and its figures are held against the shim's own: the exit report
 * (SLABSCOPE_REPORT) and the slabinfo text the workload prints last.
 */
@Timeout(150)
class JfrRecordingTest {
    static final String NS = "io.slabscope.";
    static final Path JFC = Path.of("src/main/resources/slabscope.jfc").toAbsolutePath();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void recordingAgreesWithTheAllocator(String jdk) throws Exception {
        Path jfr = dir.resolve("rec.jfr");
        Path report = dir.resolve("report.txt");
        Child c = Child.jvm(jdk)
                .agent("period=500ms,sampling=256k,max-sample-rate=0")
                .jvm("-XX:StartFlightRecording:settings=default,settings=" + JFC + ",filename=" + jfr)
                .env("SLABSCOPE_REPORT", report.toString())
                .main("io.slabscope.agent.Workload", "mixed", "5000", "slabinfo")
                .run(dir);
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals(List.of(), c.agentLines(), "the agent had something to say:\n" + c.stderr());
        assertTrue(Files.size(jfr) > 0);

        List<RecordedEvent> all = RecordingFile.readAllEvents(jfr);
        Map<String, List<RecordedEvent>> byType = all.stream()
                .filter(e -> e.getEventType().getName().startsWith(NS))
                .collect(Collectors.groupingBy(e -> e.getEventType().getName().substring(NS.length()), TreeMap::new,
                        Collectors.toList()));
        for (String t : List.of("HeapSummary", "SlabCache", "BuddyZone", "BuddyFreeList", "Fragmentation",
                "LiveSampledMemory", "EventsDropped", "Flush", "NativeAllocationSample", "NativeFreeSample", "Mmap",
                "Munmap", "HeapGrow")) {
            assertTrue(byType.containsKey(t), "no " + t + " events; got " + counts(byType));
        }
        assertTrue(all.stream().anyMatch(e -> e.getEventType().getName().startsWith("jdk.")),
                "settings=default kept the JDK's events");

        metadata(all);
        Map<String, Long> rep = Child.report(report);
        List<RecordedEvent> heaps = byType.get("HeapSummary");
        // period=500ms reached the recording, whose settings named no period for these events (the
        // events' own is 1 s): the recording's settings say so (jdk.ActiveSetting, written when
        // they change), and the events come twice as often: at 1 s, 5 s give at most 5 and the
        // final flush's one. The agent may set the period a moment after the recording started.
        List<RecordedEvent> periods = all.stream().filter(e -> e.getEventType().getName().equals("jdk.ActiveSetting"))
                .filter(e -> e.getString("name").equals("period")
                        && e.getLong("id") == heaps.get(0).getEventType().getId())
                .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        assertEquals("500 ms", periods.get(periods.size() - 1).getString("value"), periods.toString());
        assertTrue(heaps.size() >= 7, "HeapSummary every 500 ms over 5 s, got " + heaps.size() + " at "
                + heaps.stream().map(e -> e.getStartTime().toString()).sorted().toList());
        RecordedEvent last = heaps.stream().max(Comparator.comparingLong(e -> e.getLong("snapshotNanos"))).get();
        againstExitReport(last, rep);
        long snap = last.getLong("snapshotNanos");
        consistentSnapshot(last, byType, snap);
        againstSlabinfo(byType.get("SlabCache").stream().filter(e -> e.getLong("snapshotNanos") == snap).toList(),
                slabinfo(c.stdout()));
        samples(byType, all, 256 * 1024);
        tiers(byType, rep);
        drops(byType);
        jmc(jfr, byType, last);
    }

    private static String counts(Map<String, List<RecordedEvent>> byType) {
        return byType.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size())
                .collect(Collectors.joining(", "));
    }

    /** Category, labels, content types; no Java stack where it would be the agent's. */
    private static void metadata(List<RecordedEvent> all) {
        Map<String, EventType> types = new HashMap<>();
        for (RecordedEvent e : all) {
            types.putIfAbsent(e.getEventType().getName(), e.getEventType());
        }
        for (EventType t : types.values()) {
            if (!t.getName().startsWith(NS)) {
                continue;
            }
            assertEquals(List.of("Native Memory", "Slabscope"), t.getCategoryNames(), t.getName());
            assertNotNull(t.getLabel(), t.getName());
            assertNotNull(t.getDescription(), t.getName());
            for (ValueDescriptor v : t.getFields()) {
                assertNotNull(v.getLabel(), t.getName() + "." + v.getName());
            }
        }
        EventType heap = types.get(NS + "HeapSummary");
        assertNotNull(heap.getField("bytesRequested").getAnnotation(DataAmount.class));
        assertNotNull(heap.getField("internalFragmentation").getAnnotation(Percentage.class));
        assertNotNull(heap.getField("brkBase").getAnnotation(MemoryAddress.class));
        assertNotNull(heap.getField("decay").getAnnotation(Timespan.class));
        assertEquals("jdk.jfr.Percentage", heap.getField("internalFragmentation").getContentType());
        EventType sample = types.get(NS + "NativeAllocationSample");
        assertNotNull(sample.getField("address").getAnnotation(MemoryAddress.class));
        assertNotNull(sample.getField("weight").getAnnotation(DataAmount.class));
        for (RecordedEvent e : all) {
            if (e.getEventType().getName().startsWith(NS)) {
                assertNull(e.getStackTrace(), e.getEventType().getName() + " has a Java stack trace");
            }
        }
    }

    /** The last heap summary (the flush at recording stop, during exit) against the exit report. */
    private static void againstExitReport(RecordedEvent h, Map<String, Long> rep) {
        assertEquals(rep.get("mmap_threshold"), h.getLong("mmapThreshold"), "mmap_threshold");
        assertEquals(rep.get("trim_threshold"), h.getLong("trimThreshold"), "trim_threshold");
        // what the JVM did after the recording stopped is in the report only: a little more
        for (String[] f : new String[][] {{"malloc_calls", "mallocCalls"}, {"free_calls", "freeCalls"},
                {"calloc_calls", "callocCalls"}, {"realloc_calls", "reallocCalls"},
                {"bytes_requested", "bytesRequested"}, {"slab_allocs", "slabAllocs"}, {"slab_frees", "slabFrees"},
                {"medium_allocs", "mediumAllocs"}, {"mmap_allocs", "mmapAllocs"}, {"mmap_frees", "mmapFrees"},
                {"brk_grows", "brkGrows"}, {"heap_peak_bytes", "heapPeakBytes"}, {"live_allocs", "liveAllocations"},
                {"heap_bytes", "heapBytes"}, {"mmap_peak_bytes", "mmapPeakBytes"}}) {
            long r = rep.get(f[0]);
            long j = h.getLong(f[1]);
            boolean cumulative = !f[0].equals("live_allocs") && !f[0].equals("heap_bytes");
            if (cumulative) {
                assertTrue(j <= r, f[0] + ": JFR " + j + " > exit report " + r);
            }
            long tolerance = Math.max(r * 3 / 100, f[0].contains("bytes") ? 8L << 20 : 2000);
            assertTrue(Math.abs(r - j) <= tolerance, f[0] + ": JFR " + j + " vs exit report " + r);
        }
        assertTrue(h.getLong("mallocCalls") > 100_000, "the workload's JNA mallocs are counted");
        // 1 - requested / allocated, 0 when realloc in place made the requested bytes the larger
        double waste = h.getDouble("internalFragmentation");
        assertEquals(Math.max(0, 1.0 - (double) h.getLong("bytesRequested") / h.getLong("bytesAllocated")), waste,
                1e-9);
        assertTrue(waste >= 0 && waste < 0.5, "internal fragmentation " + waste);
    }

    /** The periodic events written from one snapshot agree with each other to the byte. */
    private static void consistentSnapshot(RecordedEvent h, Map<String, List<RecordedEvent>> byType, long snap) {
        List<RecordedEvent> caches = of(byType, "SlabCache", snap);
        List<RecordedEvent> zones = of(byType, "BuddyZone", snap);
        List<RecordedEvent> lists = of(byType, "BuddyFreeList", snap);
        List<RecordedEvent> frag = of(byType, "Fragmentation", snap);
        assertFalse(caches.isEmpty());
        assertFalse(zones.isEmpty());
        long active = caches.stream().mapToLong(e -> e.getLong("activeObjs") * e.getInt("objSize")).sum();
        long slab = caches.stream().mapToLong(e -> e.getLong("numObjs") * e.getInt("objSize")).sum();
        assertEquals(h.getLong("slabActiveBytes"), active, "slab active bytes = sum of the caches'");
        assertEquals(h.getLong("slabBytes"), slab, "slab bytes = sum of the caches'");
        for (RecordedEvent c : caches) {
            long num = c.getLong("numObjs");
            assertEquals(num == 0 ? 0.0 : (double) c.getLong("activeObjs") / num, c.getDouble("usage"), 1e-12);
        }
        assertEquals(h.getLong("heapBytes"), zones.stream().mapToLong(e -> e.getLong("size")).sum());
        assertEquals(h.getLong("heapFreeBytes"), zones.stream().mapToLong(e -> e.getLong("free")).sum());
        assertEquals(h.getLong("heapFreeBytes"), lists.stream().mapToLong(e -> e.getLong("freeBytes")).sum());
        // the fragmentation events are the kernel's formulas over the free lists
        int orders = (int) lists.stream().mapToInt(e -> e.getInt("order")).max().getAsInt() + 1;
        long[] sum = new long[orders];
        for (RecordedEvent l : lists) {
            sum[l.getInt("order")] += l.getLong("freeBlocks");
        }
        Fragmentation f = new Fragmentation("All", sum);
        List<RecordedEvent> allZones = frag.stream().filter(e -> e.getString("zone").equals("All")).toList();
        assertEquals(orders, allZones.size());
        for (RecordedEvent e : allZones) {
            int o = e.getInt("order");
            assertEquals(f.unusableIndex(o), e.getDouble("unusableIndex"), 0.0, "unusable index, order " + o);
            assertEquals(f.fragmentationIndex(o), e.getDouble("fragmentationIndex"), 0.0, "frag index, order " + o);
            assertEquals(f.freePages(), e.getLong("freePages"));
        }
    }

    private static List<RecordedEvent> of(Map<String, List<RecordedEvent>> byType, String t, long snap) {
        return byType.get(t).stream().filter(e -> e.getLong("snapshotNanos") == snap).toList();
    }

    /** name → {active_objs, num_objs, objsize, objperslab, pagesperslab} from the slabinfo text. */
    static Map<String, long[]> slabinfo(String stdout) {
        Map<String, long[]> m = new TreeMap<>();
        boolean in = false;
        for (String l : stdout.lines().toList()) {
            if (l.equals("--- slabinfo")) {
                in = true;
            } else if (l.equals("--- end")) {
                in = false;
            } else if (in && !l.startsWith("slabinfo") && !l.startsWith("#")) {
                String[] w = l.trim().split("\\s+");
                m.put(w[0], new long[] {Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                    Long.parseLong(w[4]), Long.parseLong(w[5])});
            }
        }
        assertFalse(m.isEmpty(), "no slabinfo in the workload's output:\n" + stdout);
        return m;
    }

    /** The last SlabCache events (at exit) against the slabinfo the workload printed just before. */
    private static void againstSlabinfo(List<RecordedEvent> caches, Map<String, long[]> slabinfo) {
        Set<String> names = new HashSet<>();
        for (RecordedEvent c : caches) {
            String name = c.getString("name");
            names.add(name);
            long[] s = slabinfo.get(name);
            assertNotNull(s, "cache " + name + " is not in slabinfo " + slabinfo.keySet());
            assertEquals(s[2], c.getInt("objSize"), name + " objsize");
            assertEquals(s[3], c.getInt("objPerSlab"), name + " objperslab");
            assertEquals(s[4], c.getInt("pagesPerSlab"), name + " pagesperslab");
            long tolerance = Math.max(s[0] / 10, 200);
            assertTrue(Math.abs(s[0] - c.getLong("activeObjs")) <= tolerance,
                    name + " active_objs: JFR " + c.getLong("activeObjs") + " vs slabinfo " + s[0]);
            assertTrue(Math.abs(s[1] - c.getLong("numObjs")) <= Math.max(s[1] / 10, 500),
                    name + " num_objs: JFR " + c.getLong("numObjs") + " vs slabinfo " + s[1]);
        }
        assertEquals(slabinfo.keySet(), names, "the same caches");
    }

    /** Sampled allocations: sizes, weights, stacks, threads, tiers; frees matched by address. */
    private static void samples(Map<String, List<RecordedEvent>> byType, List<RecordedEvent> all, long interval) {
        List<RecordedEvent> allocs = byType.get("NativeAllocationSample");
        List<RecordedEvent> frees = byType.get("NativeFreeSample");
        assertTrue(allocs.size() > 50, "samples: " + allocs.size());
        Instant start = allocs.stream().map(RecordedEvent::getStartTime).min(Comparator.naturalOrder()).get();
        Map<Long, List<RecordedEvent>> byAddr = new HashMap<>();
        int jvm = 0;
        int jna = 0;
        int named = 0;
        Set<String> tiers = new HashSet<>();
        for (RecordedEvent e : allocs) {
            long size = e.getLong("size");
            long weight = e.getLong("weight");
            assertEquals(Math.max(size, interval), weight, "weight = max(size, interval)");
            String tier = e.getString("tier");
            assertTrue(Set.of("slab", "medium", "mmap").contains(tier), tier);
            tiers.add(tier);
            if (tier.equals("slab")) {
                assertTrue(e.getString("cache").startsWith("kmalloc-"), e.getString("cache"));
            }
            String stack = e.getString("nativeStack");
            assertEquals(e.getInt("frames"), stack.isEmpty() ? 0 : stack.split("\n").length);
            for (String frame : stack.isEmpty() ? new String[0] : stack.split("\n")) {
                assertTrue(frame.matches("(\\S.*\\+0x[0-9a-f]+|0x[0-9a-f]+) \\(.+\\)"), "frame '" + frame + "'");
            }
            jvm += stack.contains("(libjvm.so)") && stack.contains("::") ? 1 : 0;
            jna += stack.contains("ffi_call") ? 1 : 0;
            named += e.getString("nativeThreadName").isEmpty() ? 0 : 1;
            assertTrue(e.getInt("nativeThreadId") > 0);
            Instant t = e.getInstant("nativeTime");
            assertTrue(!t.isAfter(e.getStartTime().plusSeconds(1)), "happened before it was drained");
            assertTrue(t.isAfter(start.minusSeconds(5)), "native time " + t);
            assertEquals(e.getLong("nativeTimeNanos") / 1_000_000, t.toEpochMilli());
            byAddr.computeIfAbsent(e.getLong("address"), k -> new ArrayList<>()).add(e);
        }
        assertTrue(jvm > 0, "HotSpot frames are named (libjvm.so .symtab)");
        assertTrue(jna > 0, "JNA's malloc calls are sampled with their native stack");
        assertTrue(named > allocs.size() / 2, "thread names");
        assertTrue(tiers.containsAll(Set.of("slab", "medium", "mmap")), "tiers " + tiers);
        // sampling starts with the recording (the agent samples only while one records samples)
        long first = allocs.stream().mapToLong(e -> e.getLong("nativeTimeNanos")).min().getAsLong();
        Instant recordingStart = all.stream().map(RecordedEvent::getStartTime).min(Comparator.naturalOrder()).get();
        assertTrue(first >= recordingStart.minusMillis(50).toEpochMilli() * 1_000_000L,
                "first sample " + first + " before the recording began " + recordingStart);

        int matched = 0;
        int before = 0;
        for (RecordedEvent f : frees) {
            if (!f.getBoolean("matched")) {
                continue;
            }
            matched++;
            // the allocation it matched: the last sample at that address before the free
            long freed = f.getLong("nativeTimeNanos");
            RecordedEvent a = byAddr.getOrDefault(f.getLong("address"), List.of()).stream()
                    .filter(x -> x.getLong("nativeTimeNanos") <= freed)
                    .max(Comparator.comparingLong(x -> x.getLong("nativeTimeNanos"))).orElse(null);
            if (a == null) {
                before++;                          // sampled before the recording started
                continue;
            }
            assertEquals(a.getLong("size"), f.getLong("allocationSize"));
            assertEquals(freed - a.getLong("nativeTimeNanos"), f.getLong("lifetime")); // >= 0: a is not after the free
            assertEquals(a.getString("tier"), f.getString("tier"));
        }
        assertTrue(matched > 10, "matched frees: " + matched);
        assertTrue(before <= matched / 10, before + " of " + matched + " matched frees lack their allocation");
        RecordedEvent live = byType.get("LiveSampledMemory").stream()
                .max(Comparator.comparing(RecordedEvent::getStartTime)).get();
        long counted = live.getLong("samples");
        // the agent counts from its start, the recording from a little later
        assertTrue(Math.abs(counted - allocs.size()) <= counted / 20 + 50,
                "LiveSampledMemory.samples " + counted + " vs " + allocs.size() + " sample events");
        assertEquals(interval, live.getLong("samplingInterval"));
        assertTrue(live.getLong("liveSamples") <= counted);
    }

    /** mmap events carry what was mapped; the shim counted at least as many. */
    private static void tiers(Map<String, List<RecordedEvent>> byType, Map<String, Long> rep) {
        List<RecordedEvent> mmaps = byType.get("Mmap");
        assertTrue(mmaps.size() <= rep.get("mmap_allocs"), "Mmap events " + mmaps.size() + " vs mmap_allocs "
                + rep.get("mmap_allocs"));
        for (RecordedEvent m : mmaps) {
            assertTrue(m.getLong("size") >= 128 * 1024, "mapped " + m.getLong("size"));
            assertEquals(0, m.getLong("address") & 0xfff, "page aligned");
        }
        assertTrue(byType.get("HeapGrow").size() <= rep.get("brk_grows"));
    }

    private static void drops(Map<String, List<RecordedEvent>> byType) {
        List<RecordedEvent> d = byType.get("EventsDropped");
        assertTrue(d.size() >= 4, "every period, zeros included");
        RecordedEvent last = d.stream().max(Comparator.comparing(RecordedEvent::getStartTime)).get();
        assertEquals(d.stream().mapToLong(e -> e.getLong("nativeDropped")).sum(), last.getLong("nativeDroppedTotal"));
        assertEquals(0, last.getLong("agentDroppedTotal"), "the agent lost nothing");
        assertTrue(last.getLong("drained") > 0);
    }

    /** JDK Mission Control's parser sees the same events and values. */
    private static void jmc(Path jfr, Map<String, List<RecordedEvent>> byType, RecordedEvent last) throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        Map<String, Long> counts = new TreeMap<>();
        List<IItem> heaps = new ArrayList<>();
        IType<IItem> heapType = null;
        String label = null;
        for (IItemIterable it : items) {
            IType<IItem> t = it.getType();
            if (!t.getIdentifier().startsWith(NS)) {
                continue;
            }
            if (it.getItemCount() > 0) {   // JMC lists every type of the metadata, registered but unused ones too
                counts.merge(t.getIdentifier().substring(NS.length()), it.getItemCount(), Long::sum);
            }
            if (t.getIdentifier().equals(NS + "HeapSummary")) {
                heapType = t;
                label = t.getName();
                it.forEach(heaps::add);
            }
        }
        Map<String, Long> expected = new TreeMap<>();
        byType.forEach((k, v) -> expected.put(k, (long) v.size()));
        assertEquals(expected, counts, "JMC and jdk.jfr.consumer count the same events");
        assertEquals("Native Heap Summary", label);
        IMemberAccessor<?, IItem> snapshot = accessor(heapType, "snapshotNanos");
        IMemberAccessor<?, IItem> malloc = accessor(heapType, "mallocCalls");
        IMemberAccessor<?, IItem> requested = accessor(heapType, "bytesRequested");
        IMemberAccessor<?, IItem> waste = accessor(heapType, "internalFragmentation");
        IItem jmcLast = heaps.stream().max(Comparator.comparingLong(i -> number(snapshot.getMember(i)))).get();
        assertEquals(last.getLong("mallocCalls"), number(malloc.getMember(jmcLast)));
        assertEquals(last.getLong("bytesRequested"), number(requested.getMember(jmcLast)));
        IQuantity w = (IQuantity) waste.getMember(jmcLast);
        assertEquals(last.getDouble("internalFragmentation") * 100, w.doubleValueIn(
                org.openjdk.jmc.common.unit.UnitLookup.PERCENT), 1e-6, "JMC reads the percentage");
    }

    private static IMemberAccessor<?, IItem> accessor(IType<IItem> type, String field) {
        for (IAccessorKey<?> k : type.getAccessorKeys().keySet()) {
            if (k.getIdentifier().equals(field)) {
                return type.getAccessor(k);
            }
        }
        throw new AssertionError("JMC sees no field " + field + " in " + type.getIdentifier());
    }

    private static long number(Object member) {
        if (member instanceof IQuantity q) {
            return q.longValue();
        }
        if (member instanceof Number n) {
            return n.longValue();
        }
        throw new AssertionError("not a number: " + member);
    }
}
