package io.slabscope.testing;

/** A /proc/PID/maps of a small program (/opt/prog) under the shim. */
public final class SampleMaps {
    private SampleMaps() {
    }

    public static final String MAPS = """
            55660cbfc000-55660cbfd000 r--p 00000000 08:01 1234   /opt/prog
            55660cbfd000-55660cbfe000 r-xp 00001000 08:01 1234   /opt/prog
            55660cbfe000-55660cc00000 r--p 00002000 08:01 1234   /opt/prog
            55660cc00000-55660cc01000 rw-p 00004000 08:01 1234   /opt/prog
            55660cc01000-55660cc19000 rw-p 00000000 00:00 0
            55663f92f000-556640400000 rw-p 00000000 00:00 0      [heap]
            7fea5b600000-7fea5b800000 rw-p 00000000 00:00 0
            7fea5ee97000-7fea5f06c000 r-xp 00028000 08:01 99     /usr/lib/x86_64-linux-gnu/libc.so.6
            7fea5f0a3000-7fea5f0a7000 r--p 00000000 00:00 0      [vvar]
            7fea5f0a9000-7fea5f0ab000 r-xp 00000000 00:00 0      [vdso]
            7ffd1a23c000-7ffd1a25d000 rw-p 00000000 00:00 0      [stack]
            7ffd1a25d000-7ffd1a260000 rw-p 00000000 00:00 0      /tmp/a file with spaces (deleted)
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]
            """;
}
