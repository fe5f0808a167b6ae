package io.slabscope.testing;

import io.slabscope.model.LayoutParser;
import io.slabscope.model.SnapshotParser;
import io.slabscope.model.source.ShmDirectory;
import io.slabscope.model.source.ShmSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Valid snapshots and layouts the fuzz tests start from: the hand-built samples (the current
 * format and the first release's, without the appended counters), and, when the shim is built,
 * the segment and layout file of a real process (ground_truth) under it. Each comes with the
 * fields of its format that hold counts, sizes and offsets.
 */
public final class FuzzSeeds {
    /** A valid snapshot with the layout of the same process (null: the same as the previous seed's), and its page size. */
    public record Seed(String name, byte[] snapshot, byte[] layout, int pageSize) {
        public Mutations snapshotMutations() {
            return new Mutations(name + " snapshot", snapshot, snapshotFields(snapshot));
        }

        public Mutations layoutMutations() {
            return new Mutations(name + " layout", layout, layoutFields(layout));
        }
    }

    private FuzzSeeds() {
    }

    /** The samples, and a real process's segment when the shim and ground_truth are built. */
    public static List<Seed> all() throws Exception {
        List<Seed> seeds = new ArrayList<>();
        SnapshotBytes old = SnapshotBytes.sample();
        old.globalSize = 360;
        byte[] layout = LayoutBytes.sample().build();
        seeds.add(new Seed("sample", SnapshotBytes.sample().build(), layout, 4096));
        seeds.add(new Seed("first-release sample", old.build(), null, 4096));
        if (realAvailable()) {
            seeds.add(real());
        }
        return seeds;
    }

    public static boolean realAvailable() {
        return Files.isRegularFile(LiveChild.LIBRARY) && LiveChild.exportsSnapshot(LiveChild.LIBRARY)
                && Files.isExecutable(LiveChild.GROUND_TRUTH);
    }

    /** ground_truth's segment and layout file, copied while it is idle (so consistent). */
    public static Seed real() throws Exception {
        try (LiveChild child = new LiveChild()) {
            ShmSource src = ShmSource.open(child.pid);
            try (AutoCloseable pub = child.publishing(20)) {
                src.layout(Duration.ofSeconds(10));
            }
            child.publish();                    // idle from here on: the files stay as they are
            byte[] snapshot = Files.readAllBytes(child.segment());
            byte[] layout = Files.readAllBytes(new ShmDirectory().layoutPath(child.pid));
            int pageSize = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN).getInt(28);
            SnapshotParser.parse(ByteBuffer.wrap(snapshot));
            LayoutParser.parse(ByteBuffer.wrap(layout), pageSize);
            child.finish();
            return new Seed("ground_truth", snapshot, layout, pageSize);
        }
    }

    /** The header fields of struct ss_shm_header, and every field of the first and last cache and zone records. */
    public static List<Mutations.Field> snapshotFields(byte[] snapshot) {
        List<Mutations.Field> f = new ArrayList<>();
        String[] names = {"magic", "version", "header_size", "seq", "pid", "page_size", "start_time_ns",
            "publish_time_ns", "publish_count", "total_size", "nr_caches", "cache_record_size", "caches_offset",
            "nr_zones", "zone_record_size", "zones_offset", "nr_orders", "global_size", "global_offset",
            "layout_request", "layout_seq"};
        int[] widths = {8, 4, 4, 8, 4, 4, 8, 8, 8, 8, 4, 4, 8, 4, 4, 8, 4, 4, 8, 8, 8};
        headerFields(f, "", names, widths);
        ByteBuffer b = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        int nrCaches = b.getInt(64);
        int cacheSize = b.getInt(68);
        long cachesOffset = b.getLong(72);
        int nrZones = b.getInt(80);
        int zoneSize = b.getInt(84);
        long zonesOffset = b.getLong(88);
        for (int i : nrCaches == 0 ? new int[0] : new int[] {0, nrCaches - 1}) {
            int o = (int) cachesOffset + i * cacheSize;
            for (int k = 32; k < 64; k += 4) {
                f.add(new Mutations.Field("cache " + i + " u32 at +" + k, o + k, 4));
            }
            for (int k = 64; k < 152; k += 8) {
                f.add(new Mutations.Field("cache " + i + " u64 at +" + k, o + k, 8));
            }
            f.add(new Mutations.Field("cache " + i + " flags", o + 152, 4));
            f.add(new Mutations.Field("cache " + i + " id", o + 156, 4));
        }
        for (int i : nrZones == 0 ? new int[0] : new int[] {0, nrZones - 1}) {
            int o = (int) zonesOffset + i * zoneSize;
            f.add(new Mutations.Field("zone " + i + " id", o, 4));
            f.add(new Mutations.Field("zone " + i + " kind", o + 4, 4));
            for (int k = 8; k < zoneSize; k += 8) {
                f.add(new Mutations.Field("zone " + i + " u64 at +" + k, o + k, 8));
            }
        }
        return f;
    }

    /** Consecutive header fields from offset 0, named with a prefix. */
    private static void headerFields(List<Mutations.Field> f, String prefix, String[] names, int[] widths) {
        int off = 0;
        for (int i = 0; i < names.length; i++) {
            f.add(new Mutations.Field(prefix + names[i], off, widths[i]));
            off += widths[i];
        }
    }

    /** The header fields of struct ss_layout_header, every zone record's, and the first and last large block's. */
    public static List<Mutations.Field> layoutFields(byte[] layout) {
        List<Mutations.Field> f = new ArrayList<>();
        String[] names = {"magic", "version", "header_size", "seq", "request", "time_ns", "total_size", "nr_zones",
            "nr_large", "zones_offset", "large_offset"};
        int[] widths = {8, 4, 4, 8, 8, 8, 8, 4, 4, 8, 8};
        headerFields(f, "layout ", names, widths);
        ByteBuffer b = ByteBuffer.wrap(layout).order(ByteOrder.LITTLE_ENDIAN);
        int nrZones = b.getInt(48);
        int nrLarge = b.getInt(52);
        long zonesOffset = b.getLong(56);
        long largeOffset = b.getLong(64);
        for (int i = 0; i < nrZones; i++) {
            int o = (int) zonesOffset + 32 * i;
            f.add(new Mutations.Field("layout zone " + i + " id", o, 4));
            f.add(new Mutations.Field("layout zone " + i + " kind", o + 4, 4));
            f.add(new Mutations.Field("layout zone " + i + " base", o + 8, 8));
            f.add(new Mutations.Field("layout zone " + i + " npages", o + 16, 8));
            f.add(new Mutations.Field("layout zone " + i + " pages_offset", o + 24, 8));
        }
        for (int i : nrLarge == 0 ? new int[0] : new int[] {0, nrLarge - 1}) {
            int o = (int) largeOffset + 24 * i;
            f.add(new Mutations.Field("large " + i + " addr", o, 8));
            f.add(new Mutations.Field("large " + i + " map_len", o + 8, 8));
            f.add(new Mutations.Field("large " + i + " size", o + 16, 8));
        }
        return f;
    }
}
