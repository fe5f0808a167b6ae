package io.slabscope.cli;

import io.slabscope.model.SlabinfoFormat;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.ShmSource;
import java.util.List;
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

                  --json   every field of every cache record (slab states, traffic, colouring)
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
        io.out().print(a.flag("--json") ? SlabinfoFormat.json(s) : SlabinfoFormat.text(s));
        return ExitCodes.OK;
    }
}
