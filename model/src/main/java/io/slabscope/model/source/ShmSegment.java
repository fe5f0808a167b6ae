package io.slabscope.model.source;

import java.nio.file.Path;

/**
 * A snapshot segment in /dev/shm.
 *
 * @param pid        process that writes it
 * @param path       {@code /dev/shm/slabscope.<pid>}
 * @param layoutPath {@code /dev/shm/slabscope.<pid>.layout} (may not exist)
 * @param alive      whether the process is running
 * @param ownerUid   uid owning the segment
 * @param owner      user name owning the segment
 */
public record ShmSegment(int pid, Path path, Path layoutPath, boolean alive, int ownerUid, String owner) {
}
