package io.slabscope.cli;

import io.slabscope.model.JsonWriter;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.Processes;
import io.slabscope.model.source.ShmDirectory;
import io.slabscope.model.source.ShmSegment;
import io.slabscope.model.source.ShmSource;
import io.slabscope.model.source.SourceException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code slabscope ps}: the processes running under the shim. */
final class PsCommand implements Command {

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String summary() {
        return "list processes running under the shim";
    }

    @Override
    public String help() {
        return """
                usage: slabscope ps [--json]

                Lists the processes of this user (every user's, for root) that run under
                libslabscope.so, from their segments /dev/shm/slabscope.<pid>:
                  PID      process id
                  HEAP     bytes of the allocator's zones (brk heap and mmap zones)
                  LIVE     allocations not yet freed
                  SLAB     bytes in slabs
                  MMAP     bytes of blocks with their own mapping
                  AGE      time since the process last published its figures (it publishes
                           from its allocation paths, at most every 50 ms: an idle process ages)
                  PROGRAM  the executable
                Segments left behind by processes that died are removed.

                  --json   the same as a JSON array
                """;
    }

    record Row(int pid, Snapshot snapshot) {
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of("--json"), Set.of(), false);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        if (!a.positional().isEmpty()) {
            throw new UsageException("takes no arguments");
        }
        int uid = Processes.currentUid();
        ShmDirectory dir = new ShmDirectory();
        List<Row> rows = new ArrayList<>();
        for (ShmSegment s : dir.list()) {
            if (!s.alive()) {
                dir.removeStale(s.pid(), uid);
                continue;
            }
            if (s.ownerUid() != uid && uid != 0) {
                continue;
            }
            try {
                rows.add(new Row(s.pid(), ShmSource.open(s.pid()).snapshot()));
            } catch (SourceException e) {
                // exited meanwhile, or not readable
            } catch (IOException e) {
                io.err().println("slabscope ps: " + s.pid() + ": " + e.getMessage());
            }
        }
        Instant now = Instant.now();
        if (a.flag("--json")) {
            JsonWriter w = new JsonWriter().beginArray();
            for (Row r : rows) {
                Snapshot s = r.snapshot();
                w.beginObject()
                        .member("pid", r.pid())
                        .member("exe", s.exe())
                        .member("heap_bytes", s.global().heapBytes())
                        .member("live_allocs", s.global().liveAllocs())
                        .member("slab_bytes", s.global().slabBytes())
                        .member("mmap_bytes", s.global().mmapBytes())
                        .member("threads", s.global().threads())
                        .member("start_time_ns", s.startTimeNs())
                        .member("publish_time_ns", s.publishTimeNs())
                        .member("age_ms", s.age(now).toMillis())
                        .endObject();
            }
            io.out().print(w.endArray());
            return ExitCodes.OK;
        }
        io.out().printf(Locale.ROOT, "%7s %8s %10s %8s %8s %7s  %s%n", "PID", "HEAP", "LIVE", "SLAB", "MMAP", "AGE",
                "PROGRAM");
        for (Row r : rows) {
            Snapshot s = r.snapshot();
            io.out().printf(Locale.ROOT, "%7d %8s %10d %8s %8s %7s  %s%n", r.pid(), Units.bytes(s.global().heapBytes()),
                    s.global().liveAllocs(), Units.bytes(s.global().slabBytes()), Units.bytes(s.global().mmapBytes()),
                    Units.age(s.age(now)), s.exe());
        }
        return ExitCodes.OK;
    }
}
