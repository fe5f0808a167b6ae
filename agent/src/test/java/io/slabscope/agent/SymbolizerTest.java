package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** dladdr and .symtab look-ups in the test JVM itself. */
class SymbolizerTest {

    @Test
    void namesADynamicSymbol() {
        long malloc = Pointer.nativeValue(NativeLibrary.getProcess().getFunction("malloc"));
        Symbolizer s = new Symbolizer();
        String frame = s.symbolize(malloc + 5);             // a return address 5 bytes into malloc
        assertTrue(frame.matches("\\S*malloc\\+0x5 \\(.+\\)"), frame);
        assertEquals(frame, s.symbolize(malloc + 5));
        assertEquals(1, s.cacheHits());
        assertEquals("0x10 (?)", s.symbolize(0x10));
        assertEquals("", s.stack(new long[0], 0));
    }

    @Test
    void readsTheSymtabOfLibjvm() {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
        if (!Files.isRegularFile(libjvm)) {
            return;
        }
        ElfSymbols elf = ElfSymbols.load(libjvm);
        assertNotNull(elf, "libjvm.so keeps its .symtab");
        assertTrue(elf.count() > 10_000, "functions: " + elf.count());
        ElfSymbols.Hit first = elf.lookup(elf.startOffset(100));
        assertEquals(elf.startOffset(100), first.startOffset());
        assertTrue(!elf.nameAt(100).isEmpty());
        ElfSymbols.Hit inside = elf.lookup(elf.startOffset(100) + 1);
        assertTrue(inside == null || inside.startOffset() <= elf.startOffset(100) + 1);
        assertEquals(null, ElfSymbols.load(Path.of("/proc/self/status")));
    }
}
