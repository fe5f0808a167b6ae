package io.slabscope.model.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The segments processes under the shim publish: {@code /dev/shm/slabscope.<pid>[.layout]}. */
public final class ShmDirectory {
    /** Where the shim writes (SS_SHM_PREFIX without the file prefix). */
    public static final Path DEFAULT = Path.of("/dev/shm");
    public static final String PREFIX = "slabscope.";
    public static final String LAYOUT_SUFFIX = ".layout";
    private static final Pattern SEGMENT = Pattern.compile("slabscope\\.(\\d{1,10})");

    private final Path dir;

    public ShmDirectory(Path dir) {
        this.dir = dir;
    }

    public ShmDirectory() {
        this(DEFAULT);
    }

    public Path dir() {
        return dir;
    }

    public Path segmentPath(long pid) {
        return dir.resolve(PREFIX + pid);
    }

    public Path layoutPath(long pid) {
        return dir.resolve(PREFIX + pid + LAYOUT_SUFFIX);
    }

    /** Every segment, live or stale, of any owner, by pid. */
    public List<ShmSegment> list() throws IOException {
        List<ShmSegment> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : ds) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid > Integer.MAX_VALUE) {
                    continue;
                }
                try {
                    out.add(new ShmSegment((int) pid, p, layoutPath(pid), Processes.isAlive(pid),
                            Processes.ownerUid(p), Processes.ownerName(p)));
                } catch (NoSuchFileException gone) {
                    // removed while listing
                }
            }
        }
        out.sort(Comparator.comparingInt(ShmSegment::pid));
        return out;
    }

    /**
     * Removes the segment and layout files of a process that is not running, if {@code uid}
     * owns them (readers clean up after crashed processes). Returns whether anything was removed.
     */
    public boolean removeStale(long pid, int uid) {
        if (Processes.isAlive(pid)) {
            return false;
        }
        boolean removed = false;
        for (Path p : List.of(segmentPath(pid), layoutPath(pid))) {
            try {
                if (Files.exists(p) && Processes.ownerUid(p) == uid) {
                    removed |= Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // another reader removed it, or it is not ours to remove
            }
        }
        return removed;
    }
}
