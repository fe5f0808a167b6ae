package io.slabscope.cli;

import io.slabscope.model.SlabCache;
import io.slabscope.model.SlabDebug;
import io.slabscope.model.SlabinfoFormat;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.ShmSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;

/** {@code slabscope slabinfo PID}: the process's caches as /proc/slabinfo 2.1. */
final class SlabinfoCommand implements Command {

    @Override
    public String name() {
        return "slabinfo";
    }

    @Override
    public String summary() {
        return "the process's caches, as /proc/slabinfo 2.1";
    }

    @Override
    public String help() {
        return """
                usage: slabscope slabinfo PID [--json]

                Prints the caches of a process under the shim in the format of /proc/slabinfo
                version 2.1, as the kernel prints it under SLUB (tunables 0): name, active_objs,
                num_objs, objsize, objperslab, pagesperslab, slabdata active_slabs num_slabs.

                  --json   every field of every cache record (slab states, traffic, colouring,
                           debug flags)

                A process in debug mode (slabscope run --debug) gets a last line per set of debug
                flags: "# debug FZPU: all 41 caches" or "# debug FZ: kmalloc-64, my_obj".
                """;
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of("--json"), Set.of(), false);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        Snapshot s = ShmSource.open(a.pid()).snapshot();
        if (a.flag("--json")) {
            io.out().print(SlabinfoFormat.json(s));
        } else {
            io.out().print(SlabinfoFormat.text(s));
            io.out().print(debugLines(s));
        }
        return ExitCodes.OK;
    }

    /** "# debug FLAGS: caches" per set of debug flags in use; "" when no cache is debugging. */
    static String debugLines(Snapshot s) {
        Map<String, List<String>> byFlags = new TreeMap<>();
        for (SlabCache c : s.caches()) {
            if (c.debugFlags() != 0) {
                byFlags.computeIfAbsent(SlabDebug.letters(c.debugFlags()), k -> new ArrayList<>()).add(c.name());
            }
        }
        StringBuilder b = new StringBuilder();
        byFlags.forEach((flags, caches) -> b.append("# debug ").append(flags).append(": ")
                .append(caches.size() == s.caches().size() ? "all " + caches.size() + " caches"
                        : String.join(", ", caches))
                .append('\n'));
        return b.toString();
    }
}
