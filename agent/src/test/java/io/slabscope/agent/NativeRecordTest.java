package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** struct ss_event records as ss_events_drain writes them. */
class NativeRecordTest {

    @Test
    void decodesRecordsBackToBack() {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        NativeRecord a = new NativeRecord(NativeRecord.ALLOC, NativeRecord.TIER_SLAB, 7, 1234, 1_700_000_000_123L,
                0x7f0000001000L, 48, 524288, new long[] {0x401000L, 0x402000L, 0x403000L});
        NativeRecord f = new NativeRecord(NativeRecord.MMAP, NativeRecord.TIER_MMAP, 0, 99, 5L, 0x7f0000100000L,
                1 << 20, 0, new long[0]);
        a.encode(b);
        f.encode(b);
        assertEquals(48 + 3 * 8 + 48, b.position(), "sizeof(struct ss_event) is 48");
        b.flip();
        NativeRecord a2 = NativeRecord.decode(b);
        NativeRecord f2 = NativeRecord.decode(b);
        assertFalse(b.hasRemaining());
        assertEquals(a.type(), a2.type());
        assertEquals(a.tier(), a2.tier());
        assertEquals(7, a2.cacheId());
        assertEquals(1234, a2.tid());
        assertEquals(a.timeNs(), a2.timeNs());
        assertEquals(a.addr(), a2.addr());
        assertEquals(48, a2.size());
        assertEquals(524288, a2.weight());
        assertArrayEquals(a.frames(), a2.frames());
        assertEquals(NativeRecord.MMAP, f2.type());
        assertEquals(1 << 20, f2.size());
        assertEquals(0, f2.frames().length);
        assertEquals("slab", NativeRecord.tierName(a2.tier()));
    }

    @Test
    void rejectsWhatIsNotARecord() {
        ByteBuffer b = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 1).putShort((short) 33);             // 33 frames: more than the shim takes
        b.position(0).limit(100);
        assertNull(NativeRecord.decode(b));
        ByteBuffer short1 = ByteBuffer.allocate(40);
        assertNull(NativeRecord.decode(short1));
        ByteBuffer bad = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        bad.putShort(0, (short) 0);
        assertNull(NativeRecord.decode(bad));
        bad.putShort(0, (short) 300);
        assertNull(NativeRecord.decode(bad));
    }

    /** A corruption record carries its kind in the reserved word; a type of a later shim is decoded (and skipped). */
    @Test
    void corruptionKindAndLaterTypes() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        new NativeRecord(NativeRecord.CORRUPTION, NativeRecord.TIER_SLAB, 3, 77, 2, 9L, 0x1000, 40, 0x1028,
                new long[] {0x401000L}).encode(b);
        new NativeRecord(42, 0, 0, 1, 0L, 0, 0, 0, new long[0]).encode(b);
        new NativeRecord(NativeRecord.FREE, NativeRecord.TIER_SLAB, 3, 1, 10L, 0x2000, 16, 0, new long[0]).encode(b);
        b.flip();
        NativeRecord c = NativeRecord.decode(b);
        assertEquals(NativeRecord.CORRUPTION, c.type());
        assertEquals(2, c.detail());
        assertEquals(0x1028, c.weight());
        assertEquals("corruption", NativeRecord.typeName(c.type()));
        assertEquals(42, NativeRecord.decode(b).type());
        assertEquals(NativeRecord.FREE, NativeRecord.decode(b).type(), "the records after an unknown type are read");
        assertFalse(b.hasRemaining());
    }
}
