// Reads a recording made with the Slabscope agent back (jdk.jfr.consumer) and prints a short
// summary: events per type, the final heap figures, and the top native allocation sites by
// sampled bytes still alive at the end (leak candidates).
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

public class RecordingSummary {
    public static void main(String[] args) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        Map<Long, RecordedEvent> liveSamples = new HashMap<>();
        RecordedEvent lastHeap = null;
        // in the order things happened in the process: a recording keeps events per thread buffer
        List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
        events.sort(Comparator.comparingLong(RecordingSummary::nativeNanos));
        for (RecordedEvent e : events) {
            String name = e.getEventType().getName();
            if (!name.startsWith("io.slabscope."))
                continue;
            counts.merge(name, 1, Integer::sum);
            switch (name) {
                case "io.slabscope.HeapSummary" -> lastHeap = e;
                case "io.slabscope.NativeAllocationSample" -> liveSamples.put(e.getLong("address"), e);
                case "io.slabscope.NativeFreeSample" -> liveSamples.remove(e.getLong("address"));
                default -> { }
            }
        }
        System.out.println("   events in the recording:");
        counts.forEach((k, v) -> System.out.printf("     %-40s %6d%n", k, v));
        if (lastHeap != null)
            System.out.printf("   at the end: heap %.1f MiB (resident %.1f MiB), %d live allocations, "
                    + "internal fragmentation %.1f%%%n", lastHeap.getLong("heapBytes") / 1048576.0,
                    lastHeap.getLong("heapResidentBytes") / 1048576.0, lastHeap.getLong("liveAllocations"),
                    lastHeap.getDouble("internalFragmentation") * 100);
        Map<String, long[]> sites = new HashMap<>();
        // a sampled block still allocated at the end of the recording
        for (RecordedEvent e : liveSamples.values()) {
            String stack = e.getString("nativeStack");
            String site = stack == null ? "?" : stack.lines().filter(l -> !l.contains("libslabscope"))
                    .limit(3).reduce((a, b) -> a + " < " + b).orElse("?");
            long[] s = sites.computeIfAbsent(site, k -> new long[2]);
            s[0] += e.getLong("weight");
            s[1]++;
        }
        System.out.println("   native allocation sites still holding sampled memory (leak candidates):");
        sites.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(5)
                .forEach(s -> System.out.printf("     %8.1f KiB in %3d samples  %s%n", s.getValue()[0] / 1024.0,
                        s.getValue()[1], s.getKey().length() > 110 ? s.getKey().substring(0, 110) + "…" : s.getKey()));
    }

    /** The native time of sampled events, the JFR start time of the others. */
    private static long nativeNanos(RecordedEvent e) {
        if (e.hasField("nativeTimeNanos"))
            return e.getLong("nativeTimeNanos");
        java.time.Instant t = e.getStartTime();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
