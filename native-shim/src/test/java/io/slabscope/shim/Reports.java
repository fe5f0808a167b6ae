package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** All exit reports written into one report directory: one per process that ran under the shim. */
final class Reports {

    private final Path dir;
    private final List<Report> reports;

    private Reports(Path dir, List<Report> reports) {
        this.dir = dir;
        this.reports = reports;
    }

    /**
     * Loads {@code dir/report.*}. Skips the rest of the test (instead of failing) when the
     * preloaded library is a foreign allocator that writes no reports.
     */
    static Reports load(Path dir) {
        assumeTrue(ShimLibrary.isSlabscope(), "foreign allocator preloaded: report checks skipped");
        try (Stream<Path> files = Files.list(dir)) {
            List<Report> parsed = files
                    .filter(f -> f.getFileName().toString().startsWith("report."))
                    .sorted()
                    .map(Report::parse)
                    .sorted(Comparator.comparingLong(Report::pid))
                    .collect(Collectors.toList());
            return new Reports(dir, parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Report> all() {
        return reports;
    }

    int count() {
        return reports.size();
    }

    /** The report of process {@code pid}; fails if that process wrote none. */
    Report forPid(long pid) {
        return reports.stream()
                .filter(r -> r.pid() == pid)
                .findFirst()
                .orElseGet(() -> fail("no report for pid " + pid + " in " + dir + "; reports from pids "
                        + reports.stream().map(r -> Long.toString(r.pid())).collect(Collectors.joining(", "))));
    }

    /** Sum of {@code key} over all processes. */
    long total(String key) {
        return reports.stream().mapToLong(r -> r.get(key)).sum();
    }

    Reports assertAtLeast(int processes) {
        if (reports.size() < processes) {
            fail("expected reports from at least " + processes + " processes in " + dir + ", found "
                    + reports.size());
        }
        return this;
    }

    /** No process saw a free() of a pointer the shim did not hand out. */
    Reports assertNoInvalidFrees() {
        for (Report r : reports) {
            r.assertEqual("invalid_frees", 0);
            r.assertEqual("corruptions", 0);
        }
        return this;
    }
}
