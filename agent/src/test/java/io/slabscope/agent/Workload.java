package io.slabscope.agent;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A JVM workload that allocates native memory in the ways Java programs do: direct ByteBuffers,
 * sun.misc.Unsafe.allocateMemory/reallocateMemory/freeMemory, java.util.zip Deflater/Inflater,
 * and libc malloc/calloc/realloc/free called through JNA. Run by the agent tests in a child JVM
 * under libslabscope.so, and by bench/jvm.
 *
 * <pre>
 *   Workload mixed MILLIS [slabinfo]   run the mix for MILLIS ms, say how the agent is; then print the shim's slabinfo
 *   Workload serve                      read commands from stdin (see {@link #serve})
 *   Workload bench ROUNDS               -Dbench.warmup=N untimed rounds (default ROUNDS/2; bench/jvm gives 3 ROUNDS), then ROUNDS timed
 *   Workload sleep MILLIS               nothing native (no JNA): for the agent's own messages
 *   Workload samplecost N               what a sample costs the allocating thread (shim, no agent)
 * </pre>
 */
public final class Workload {
    private static final Random RANDOM = new Random(42);
    private static Object unsafe;
    private static Method allocateMemory;
    private static Method reallocateMemory;
    private static Method freeMemory;
    private static Method putByte;
    private static Method invokeCleaner;
    /**
     * How the direct buffers leave the window: "gc" leaves them to the GC (their Cleaner frees
     * the memory; once MaxDirectMemorySize is reached, Bits.reserveMemory calls System.gc()),
     * "free" frees them at once with Unsafe.invokeCleaner, as pooling libraries (Netty) and the
     * JDK's own temporary-buffer cache do. System property workload.direct; default "gc".
     */
    private static final boolean FREE_DIRECT = "free".equals(System.getProperty("workload.direct", "gc"));
    private static Function malloc;
    private static Function calloc;
    private static Function realloc;
    private static Function free;
    private static final List<Long> held = new ArrayList<>();
    private static long checksum;

    private Workload() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("sleep")) {
            Thread.sleep(Long.parseLong(args[1]));         // no JNA, no Unsafe: nothing to warn about
            System.out.println("slept");
            return;
        }
        init();
        switch (args.length == 0 ? "" : args[0]) {
            case "mixed" -> {
                long millis = Long.parseLong(args[1]);
                Stats s = mixed(Duration.ofMillis(millis));
                System.out.println("workload done " + s);
                System.out.println("agent " + System.getProperty(Agent.STATE_PROPERTY, "absent"));
                if (args.length > 2 && args[2].equals("slabinfo")) {
                    printSlabinfo();
                }
            }
            case "bench" -> {
                int rounds = Integer.parseInt(args[1]);
                var os = (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                Stats s = new Stats();
                int warmup = Integer.getInteger("bench.warmup", rounds / 2);
                for (int r = 0; r < warmup; r++) {
                    round(s, r);                              // warm-up, not timed: JIT, agent start-up
                }
                s = new Stats();
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long a0 = agentCpu(threads);
                Map<Integer, ThreadCpu> before = threadCpu();
                Map<String, Long> allocBefore = allocatedBytes(threads);
                Map<String, Long> gcsBefore = collections();
                System.err.println("bench: timed rounds from JVM uptime "
                        + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
                long m0 = threads.getCurrentThreadCpuTime();
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    round(s, r);
                }
                long ns = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - c0;     // every thread: the agent's and JFR's too
                long main = threads.getCurrentThreadCpuTime() - m0;
                Map<Integer, ThreadCpu> after = threadCpu();
                Map<String, Long> allocAfter = allocatedBytes(threads);
                Map<String, Long> gcsAfter = collections();
                long agent = agentCpu(threads) - a0;
                System.out.printf("bench rounds=%d ms=%.1f cpu=%.1f agent=%.1f main=%.1f checksum=%d %s%n", rounds,
                        ns / 1e6, cpu / 1e6, agent / 1e6, main / 1e6, checksum, s);
                System.out.println("threads " + threadGroups(before, after, cpu));
                System.out.println("allocated " + deltas(allocBefore, allocAfter,      // MiB of Java heap per thread group
                        d -> String.format(java.util.Locale.ROOT, "%.1f", d / 1048576.0)));
                System.out.println("collections " + deltas(gcsBefore, gcsAfter, String::valueOf)); // young and full GCs
                System.out.println("live " + liveHeapAfterGc() / 1024);  // KiB: the agent's share of every full GC
                System.out.println("rss " + peakRssKiB());               // the process's peak RSS so far (VmHWM)
                long pause = Long.getLong("bench.pause", 0);            // time for a jcmd GC.class_histogram
                if (pause > 0) {
                    System.err.println("bench: pausing " + pause + " ms, pid " + ProcessHandle.current().pid());
                    Thread.sleep(pause);
                }
            }
            case "samplecost" -> sampleCost(Integer.parseInt(args[1]));
            case "serve" -> serve(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            default -> {
                System.err.println("usage: Workload mixed MILLIS [slabinfo] | serve | bench ROUNDS");
                System.exit(2);
            }
        }
        System.out.flush();
    }

    /** VmHWM of /proc/self/status: the most this process has had resident, in KiB (0 if unknown). */
    private static long peakRssKiB() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static final Map<String, Pointer> namedCaches = new java.util.HashMap<>();

    /** Allocates COUNT objects from the named cache NAME of SIZE bytes (made with FLAGS), then frees them all; returns COUNT. */
    private static int fillAndEmpty(String name, long size, int count, int flags) {
        NativeLibrary shim = NativeLibrary.getProcess();
        Pointer cache = namedCaches.computeIfAbsent(name, n -> (Pointer) shim.getFunction("ss_kmem_cache_create")
                .invoke(Pointer.class, new Object[] {n, size, 0L, flags, null}));
        if (cache == null) {
            throw new IllegalStateException("ss_kmem_cache_create(" + name + ", " + size + ") failed");
        }
        Function alloc = shim.getFunction("ss_kmem_cache_alloc");
        Function free = shim.getFunction("ss_kmem_cache_free");
        List<Pointer> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            objects.add((Pointer) alloc.invoke(Pointer.class, new Object[] {cache}));
        }
        for (Pointer o : objects) {
            free.invokeVoid(new Object[] {cache, o});
        }
        return count;
    }

    /** "key=after-before,..." over the keys of {@code after}, each difference formatted. */
    private static String deltas(Map<String, Long> before, Map<String, Long> after,
            java.util.function.LongFunction<String> format) {
        StringBuilder b = new StringBuilder();
        for (var e : after.entrySet()) {
            b.append(b.length() == 0 ? "" : ",").append(e.getKey()).append('=')
                    .append(format.apply(e.getValue() - before.getOrDefault(e.getKey(), 0L)));
        }
        return b.toString();
    }

    /** Collections so far per collector ("PS Scavenge", "PS MarkSweep", ...), commas left out. */
    private static Map<String, Long> collections() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            counts.put(gc.getName().replace(",", ""), gc.getCollectionCount());
        }
        return counts;
    }

    /** One thread's name (as Linux has it: at most 15 characters) and CPU time so far. */
    record ThreadCpu(String name, long ns) {
    }

    /**
     * Every thread of this process, JVM-internal ones (GC, JIT compilers, JFR, VM Thread) too,
     * with its CPU time: clock_gettime on the thread's CPU clock (nanoseconds; the clock id of a
     * thread of this process is (~tid << 3) | 6), or utime+stime of /proc/self/task/TID/stat
     * (clock ticks) if that fails.
     */
    static Map<Integer, ThreadCpu> threadCpu() {
        Map<Integer, ThreadCpu> m = new TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return m;
        }
        Function clockGettime = NativeLibrary.getProcess().getFunction("clock_gettime");
        try (com.sun.jna.Memory ts = new com.sun.jna.Memory(16)) {
            for (java.io.File task : tasks) {
                int tid;
                try {
                    tid = Integer.parseInt(task.getName());
                } catch (NumberFormatException e) {
                    continue;
                }
                try {
                    String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                    long ns;
                    if (clockGettime.invokeInt(new Object[] {(~tid << 3) | 6, ts}) == 0) {
                        ns = ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
                    } else {
                        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ns = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;   // USER_HZ=100
                    }
                    m.put(tid, new ThreadCpu(name, ns));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return m;
    }

    /** The group a thread's CPU time is counted in. */
    static String threadGroup(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("VM Periodic") || name.startsWith("G1 ")
                || name.startsWith("GC ")) {
            return name.startsWith("VM Periodic") ? "vm" : "gc";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return name.startsWith("C1") ? "c1" : "c2";
        }
        return switch (name) {
            case "main", "java" -> "main";
            case "slabscope-agent" -> "agent";
            case "JFR Recorder Th" -> "jfr-recorder";
            case "JFR Periodic Ta" -> "jfr-periodic";
            case "VM Thread" -> "vm";
            default -> name.startsWith("JFR") ? "jfr-other" : "other";
        };
    }

    /**
     * CPU time (ms) per group between two snapshots, as "group=ms,...", with "exited" for what
     * the process used and no thread still alive accounts for (threads that ended meanwhile).
     */
    static String threadGroups(Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after, long processNs) {
        Map<String, Long> groups = new TreeMap<>();
        long sum = 0;
        for (var e : after.entrySet()) {
            ThreadCpu b = before.get(e.getKey());
            long d = e.getValue().ns() - (b == null ? 0 : b.ns());
            groups.merge(threadGroup(e.getValue().name()), d, Long::sum);
            sum += d;
            if (d > 0) {
                System.err.printf(java.util.Locale.ROOT, "thread %d %s %.1f ms%n", e.getKey(), e.getValue().name(), d / 1e6);
            }
        }
        groups.put("exited", Math.max(0, processNs - sum));
        StringBuilder sb = new StringBuilder();
        for (var e : groups.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append('=')
                    .append(String.format(java.util.Locale.ROOT, "%.1f", e.getValue() / 1e6));
        }
        return sb.toString();
    }

    /** Java heap bytes allocated so far by the live Java threads, per group (see threadGroup). */
    static Map<String, Long> allocatedBytes(java.lang.management.ThreadMXBean threads) {
        Map<String, Long> m = new TreeMap<>();
        if (!(threads instanceof com.sun.management.ThreadMXBean t)) {
            return m;
        }
        for (var info : threads.dumpAllThreads(false, false)) {
            long b = t.getThreadAllocatedBytes(info.getThreadId());
            if (b > 0) {
                String name = info.getThreadName();
                m.merge(threadGroup(name.length() > 15 ? name.substring(0, 15) : name), b, Long::sum);
            }
        }
        return m;
    }

    /** CPU time of the agent's thread so far (0 without the agent). */
    static long agentCpu(java.lang.management.ThreadMXBean threads) {
        for (var t : threads.dumpAllThreads(false, false)) {
            if (t.getThreadName().equals("slabscope-agent")) {
                return threads.getThreadCpuTime(t.getThreadId());
            }
        }
        return 0;
    }

    static void init() throws Exception {
        Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = f.get(null);
        allocateMemory = unsafe.getClass().getMethod("allocateMemory", long.class);
        reallocateMemory = unsafe.getClass().getMethod("reallocateMemory", long.class, long.class);
        freeMemory = unsafe.getClass().getMethod("freeMemory", long.class);
        putByte = unsafe.getClass().getMethod("putByte", long.class, byte.class);
        invokeCleaner = unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class);
        NativeLibrary libc = NativeLibrary.getProcess();
        malloc = libc.getFunction("malloc");
        calloc = libc.getFunction("calloc");
        realloc = libc.getFunction("realloc");
        free = libc.getFunction("free");
    }

    /** What one run did. */
    static final class Stats {
        long rounds;
        long directBuffers;
        long unsafeAllocs;
        long zipStreams;
        long jnaCalls;

        @Override
        public String toString() {
            return "rounds=" + rounds + " direct=" + directBuffers + " unsafe=" + unsafeAllocs + " zip=" + zipStreams
                    + " jna=" + jnaCalls;
        }
    }

    static Stats mixed(Duration d) throws Exception {
        Stats s = new Stats();
        long end = System.nanoTime() + d.toNanos();
        int r = 0;
        while (System.nanoTime() < end) {
            round(s, r++);
        }
        return s;
    }

    /**
     * Java heap in use after a full GC once the rounds' own objects are dropped: the JVM, JFR and
     * the agent (what a full GC has to mark and move besides the program's data).
     */
    private static long liveHeapAfterGc() {
        directs.clear();
        for (long p : unsafeBlocks) {
            try {
                freeMemory.invoke(unsafe, p);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        unsafeBlocks.clear();
        held.clear();
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {                      // the least of three: Cleaners, references
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static final Deque<ByteBuffer> directs = new ArrayDeque<>();
    private static final Deque<Long> unsafeBlocks = new ArrayDeque<>();
    private static final int[] DIRECT_SIZES = {64, 1000, 4096, 16_000, 70_000, 300_000, 2 << 20};

    /** One round of every kind of native allocation. */
    static void round(Stats s, int r) throws Exception {
        // direct ByteBuffers: a window of the last 48; older ones go to the GC (its Cleaner frees
        // them) or are freed at once (FREE_DIRECT)
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(DIRECT_SIZES[(r * 4 + i) % DIRECT_SIZES.length]);
            b.put(0, (byte) r);
            directs.addLast(b);
            s.directBuffers++;
            if (directs.size() > 48) {
                ByteBuffer old = directs.removeFirst();
                checksum += old.get(0);
                if (FREE_DIRECT) {
                    invokeCleaner.invoke(unsafe, old);
                }
            }
        }
        // Unsafe: allocate, grow some, free the oldest
        for (int i = 0; i < 16; i++) {
            long size = 16 + RANDOM.nextInt(i == 0 ? 200_000 : 3000);
            long p = (long) allocateMemory.invoke(unsafe, size);
            if (i % 4 == 0) {
                p = (long) reallocateMemory.invoke(unsafe, p, size * 2);
            }
            unsafeBlocks.addLast(p);
            s.unsafeAllocs++;
            if (unsafeBlocks.size() > 256) {
                freeMemory.invoke(unsafe, unsafeBlocks.removeFirst());
            }
        }
        // zip: deflate and inflate 32 KiB (zlib state lives in native memory)
        byte[] input = new byte[32 * 1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ((i * 31 + r) % 61);
        }
        Deflater def = new Deflater(r % 9);
        byte[] packed = new byte[input.length + 64];
        int n;
        try {
            def.setInput(input);
            def.finish();
            n = def.deflate(packed);
        } finally {
            def.end();
        }
        Inflater inf = new Inflater();
        try {
            inf.setInput(packed, 0, n);
            byte[] out = new byte[input.length];
            checksum += inf.inflate(out);
        } catch (DataFormatException e) {
            throw new IllegalStateException(e);
        } finally {
            inf.end();
        }
        s.zipStreams += 2;
        // JNA: libc malloc/calloc/realloc/free
        for (int i = 0; i < 200; i++) {
            long size = 8 + RANDOM.nextInt(i % 50 == 0 ? 40_000 : 1024);
            long p = malloc.invokeLong(new Object[] {size});
            if (i % 10 == 0) {
                p = Pointer.nativeValue((Pointer) realloc.invoke(Pointer.class, new Object[] {new Pointer(p), size * 3}));
                s.jnaCalls++;
            }
            free.invokeVoid(new Object[] {new Pointer(p)});
            s.jnaCalls += 2;
        }
        long c = calloc.invokeLong(new Object[] {64L, 32L});
        free.invokeVoid(new Object[] {new Pointer(c)});
        s.jnaCalls += 2;
        s.rounds++;
    }

    /**
     * What one sample costs the allocating thread: N malloc(100)+free pairs through JNA with
     * sampling off and with every allocation sampled (ss_set_sampling(1), called directly: run
     * under the shim without the agent), thread CPU time per pair; the records are drained and
     * dropped as the agent would drain them. Prints the best of three rounds of each.
     */
    static void sampleCost(int n) {
        NativeLibrary p = NativeLibrary.getProcess();
        Function set = p.getFunction("ss_set_sampling");
        Function drain = p.getFunction("ss_events_drain");
        com.sun.jna.Memory buf = new com.sun.jna.Memory(1 << 22);
        var tm = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 2; k++) {
                set.invokeVoid(new Object[] {k == 0 ? 0L : 1L});
                long c0 = tm.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    long q = malloc.invokeLong(new Object[] {100L});
                    free.invokeVoid(new Object[] {new Pointer(q)});
                    if ((i & 1023) == 0) {
                        drain.invokeLong(new Object[] {buf, buf.size()});
                    }
                }
                best[k] = Math.min(best[k], (tm.getCurrentThreadCpuTime() - c0) / 1e3 / n);
            }
        }
        set.invokeVoid(new Object[] {0L});
        System.out.printf("samplecost pairs=%d off=%.3fus sampled=%.3fus per-sample=%.3fus%n", n, best[0], best[1],
                best[1] - best[0]);
    }

    /** The shim's /proc/slabinfo text, between markers, on stdout. */
    static void printSlabinfo() {
        Function write = NativeLibrary.getProcess().getFunction("ss_write_slabinfo");
        System.out.println("--- slabinfo");
        System.out.flush();
        write.invokeVoid(new Object[] {1});
        System.out.println("--- end");
        System.out.flush();
    }

    /**
     * Commands, one per line; each answers one line (or a block ended by "--- end"):
     * <pre>
     *   pid                 the process id
     *   malloc SIZE         malloc(SIZE) through JNA, kept: "ok 0xADDR"
     *   free                frees what malloc kept: "ok N"
     *   waste COUNT SIZE    COUNT mallocs of SIZE bytes, each freed at once: "ok COUNT"
     *   overflow SIZE       Unsafe.allocateMemory(SIZE), one byte written at offset SIZE (past the end),
     *                       freeMemory: "ok 0xADDR" (debug mode finds the damage at the free)
     *   overflow-keep SIZE  the same without the free: "ok 0xADDR" (for ss_validate to find)
     *   mixed MILLIS        the mixed workload: "ok STATS"
     *   stream MILLIS JFC   a RecordingStream with that settings file: "ok NAME=COUNT ..."
     *   slabinfo            the shim's slabinfo text
     *   exit                exits 0
     * </pre>
     */
    static void serve(Reader in) throws Exception {
        BufferedReader r = new BufferedReader(in);
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        String line;
        while ((line = r.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            switch (w[0]) {
                case "pid" -> System.out.println("ok " + ProcessHandle.current().pid());
                case "malloc" -> {
                    long p = malloc.invokeLong(new Object[] {Long.parseLong(w[1])});
                    if (p != 0) {
                        new Pointer(p).setByte(0, (byte) 1);
                        held.add(p);
                    }
                    System.out.println("ok 0x" + Long.toHexString(p));
                }
                case "free" -> {
                    for (long p : held) {
                        free.invokeVoid(new Object[] {new Pointer(p)});
                    }
                    System.out.println("ok " + held.size());
                    held.clear();
                }
                case "waste" -> {
                    // COUNT mallocs of SIZE bytes, freed at once: SIZE just above a size class wastes the rest
                    long count = Long.parseLong(w[1]);
                    long size = Long.parseLong(w[2]);
                    for (long i = 0; i < count; i++) {
                        free.invokeVoid(new Object[] {new Pointer(malloc.invokeLong(new Object[] {size}))});
                    }
                    System.out.println("ok " + count);
                }
                case "overflow", "overflow-keep" -> {
                    long size = Long.parseLong(w[1]);
                    long p = (long) allocateMemory.invoke(unsafe, size);
                    putByte.invoke(unsafe, p + size, (byte) 0x41);
                    if (w[0].equals("overflow")) {
                        freeMemory.invoke(unsafe, p);
                    }
                    System.out.println("ok 0x" + Long.toHexString(p));
                }
                case "mixed" -> System.out.println("ok " + mixed(Duration.ofMillis(Long.parseLong(w[1]))));
                case "stream" -> System.out.println("ok " + stream(Long.parseLong(w[1]), w[2]));
                case "slabinfo" -> printSlabinfo();
                case "cache" -> {
                    // cache NAME SIZE COUNT [FLAGS]: a named kmem_cache of the shim (made at the first use
                    // of NAME, with those SS_SLAB_* flags), COUNT objects allocated, then all freed: a
                    // SLAB cache keeps one empty slab
                    int flags = w.length > 4 ? Integer.parseInt(w[4]) : 0;
                    System.out.println("ok " + fillAndEmpty(w[1], Long.parseLong(w[2]), Integer.parseInt(w[3]), flags));
                }
                case "platform-server" -> System.out.println("ok "
                        + java.lang.management.ManagementFactory.getPlatformMBeanServer().getMBeanCount());
                case "jfr-initialized" -> System.out.println("ok " + jdk.jfr.FlightRecorder.isInitialized());
                case "exit" -> {
                    System.out.println("ok bye");
                    System.out.flush();
                    return;
                }
                default -> System.out.println("error unknown command " + w[0]);
            }
            System.out.flush();
        }
    }

    /** Counts io.slabscope events seen by a RecordingStream in the given time, running the mix meanwhile. */
    static String stream(long millis, String jfc) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        var config = jdk.jfr.Configuration.create(java.nio.file.Path.of(jfc));
        try (var rs = new jdk.jfr.consumer.RecordingStream(config)) {
            rs.onEvent(e -> {
                String name = e.getEventType().getName();
                if (name.startsWith("io.slabscope.")) {
                    synchronized (counts) {
                        counts.merge(name.substring("io.slabscope.".length()), 1, Integer::sum);
                    }
                }
            });
            rs.startAsync();
            mixed(Duration.ofMillis(millis));
            Thread.sleep(1200);                    // a period and the stream's flush
        }
        StringBuilder b = new StringBuilder();
        synchronized (counts) {
            counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        }
        return b.toString();
    }
}
