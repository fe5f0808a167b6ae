package io.slabscope.agent;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns native return addresses into {@code symbol+0xoff (library)} with {@code dladdr}, and
 * C++ names into readable ones with {@code __cxa_demangle} (the process's, or libstdc++.so.6's). Results
 * are cached per address (bounded, least recently used out). Not thread-safe: the agent calls
 * it from its drain thread (or under the drain lock).
 *
 * <p>Addresses without a dynamic symbol are looked up in the object's {@code .symtab}
 * ({@link ElfSymbols}), which libjvm.so keeps. Addresses no loaded object covers (JIT-compiled Java code, for instance) come out as
 * {@code 0x7f0012345678 (?)}; addresses in an object without a dynamic symbol for them as
 * {@code 0x1a2b3 (libfoo.so)}, the offset from the object's base.
 */
public final class Symbolizer {
    /**
     * Frames and stacks kept symbolised. Small on purpose: what the agent keeps is live heap that
     * every full GC of the program marks and moves (bench/jvm: a JVM whose direct buffers force
     * a System.gc() every 150-180 ms paid for each cached string), and a miss costs one dladdr and a
     * string, a few microseconds, at a few hundred samples a second.
     */
    private static final int MAX_CACHE = 1 << 13;
    /** struct Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr. */
    private static final int DL_INFO_SIZE = 32;

    private final Function dladdr;
    private final Function free;
    private Function demangle;
    private boolean demangleLooked;
    private final Memory info = new Memory(DL_INFO_SIZE);
    private final Memory status = new Memory(4);
    private final Map<Long, String> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> e) {
            return size() > MAX_CACHE;
        }
    };
    private final Map<String, String> baseNames = new HashMap<>();
    private final Map<String, ElfSymbols> elfFiles = new HashMap<>();
    private long lookups;
    private long hits;

    public Symbolizer() {
        NativeLibrary p = NativeLibrary.getProcess();
        this.dladdr = p.getFunction("dladdr");
        this.free = p.getFunction("free");
    }

    /**
     * __cxa_demangle of the process (Debian's libjvm.so links libstdc++), else of the system's
     * libstdc++.so.6 (Temurin links it statically and exports nothing), loaded on the first mangled
     * name; null if neither is there.
     */
    private Function demangler() {
        if (!demangleLooked) {
            demangleLooked = true;
            try {
                demangle = NativeLibrary.getProcess().getFunction("__cxa_demangle");
            } catch (UnsatisfiedLinkError e) {
                try {
                    demangle = NativeLibrary.getInstance("libstdc++.so.6").getFunction("__cxa_demangle");
                } catch (UnsatisfiedLinkError e2) {
                    demangle = null;             // names stay mangled
                }
            }
        }
        return demangle;
    }

    /** One frame as text. */
    public String symbolize(long addr) {
        lookups++;
        String s = cache.get(addr);
        if (s != null) {
            hits++;
            return s;
        }
        s = lookup(addr);
        cache.put(addr, s);
        return s;
    }

    /** A stack as a map key. */
    private record Frames(long[] pcs, int hash) {
        static Frames of(long[] pcs) {
            return new Frames(pcs, java.util.Arrays.hashCode(pcs));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frames f && f.hash == hash && java.util.Arrays.equals(f.pcs, pcs);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Frames, String> stacks = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Frames, String> e) {
            return size() > MAX_STACKS;
        }
    };
    private static final int MAX_STACKS = 1024;

    /** Frames, innermost first, one per line; whole stacks are cached too (samples repeat them). */
    public String stack(long[] frames) {
        if (frames.length == 0) {
            return "";
        }
        Frames key = Frames.of(frames);
        String s = stacks.get(key);
        if (s == null) {
            s = stack(frames, frames.length);
            stacks.put(key, s);
        }
        return s;
    }

    /** The first n frames, innermost first, one per line. */
    public String stack(long[] frames, int n) {
        if (n == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder(n * 48);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append('\n');
            }
            b.append(symbolize(frames[i]));
        }
        return b.toString();
    }

    public long lookups() {
        return lookups;
    }

    public long cacheHits() {
        return hits;
    }

    private String lookup(long addr) {
        // a return address points after the call: look up addr - 1 so that a call at the very
        // end of a function (noreturn callee) is attributed to it, then print the real offset
        long probe = addr == 0 ? 0 : addr - 1;
        info.clear();
        int ok = dladdr.invokeInt(new Object[] {new Pointer(probe), info});
        if (ok == 0) {
            return hex(addr) + " (?)";
        }
        Pointer fname = info.getPointer(0);
        long fbase = Pointer.nativeValue(info.getPointer(8));
        Pointer sname = info.getPointer(16);
        long saddr = Pointer.nativeValue(info.getPointer(24));
        String lib = fname == null ? "?" : baseName(fname.getString(0));
        if (sname == null || saddr == 0) {
            // not a dynamic symbol: the object's .symtab may know it (libjvm.so keeps one)
            ElfSymbols elf = fname == null ? null : elf(fname.getString(0));
            ElfSymbols.Hit hit = elf == null ? null : elf.lookup(probe - fbase);
            if (hit != null) {
                return demangled(hit.name()) + "+" + hex(addr - fbase - hit.startOffset()) + " (" + lib + ")";
            }
            return hex(addr - fbase) + " (" + lib + ")";
        }
        return demangled(sname.getString(0)) + "+" + hex(addr - saddr) + " (" + lib + ")";
    }

    private ElfSymbols elf(String path) {
        if (!elfFiles.containsKey(path)) {
            elfFiles.put(path, path.startsWith("/") ? ElfSymbols.load(java.nio.file.Path.of(path)) : null);
        }
        return elfFiles.get(path);
    }

    private String baseName(String path) {
        return baseNames.computeIfAbsent(path, p -> {
            int slash = p.lastIndexOf('/');
            return slash >= 0 ? p.substring(slash + 1) : p;
        });
    }

    private String demangled(String name) {
        if (!name.startsWith("_Z")) {
            return name;
        }
        Function demangle = demangler();
        if (demangle == null) {
            return name;
        }
        try {
            Pointer out = (Pointer) demangle.invoke(Pointer.class, new Object[] {name, null, null, status});
            if (out == null) {
                return name;
            }
            try {
                return status.getInt(0) == 0 ? out.getString(0) : name;
            } finally {
                free.invokeVoid(new Object[] {out});
            }
        } catch (RuntimeException e) {
            return name;
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
