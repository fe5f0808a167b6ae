package io.slabscope.cli;

import io.slabscope.model.BuddyinfoFormat;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.ShmSource;
import java.util.List;
import java.util.Set;

/** {@code slabscope buddyinfo PID}: the free lists as /proc/buddyinfo, and fragmentation. */
final class BuddyinfoCommand implements Command {

    @Override
    public String name() {
        return "buddyinfo";
    }

    @Override
    public String summary() {
        return "free blocks per order, as /proc/buddyinfo (--frag: fragmentation indexes)";
    }

    @Override
    public String help() {
        return """
                usage: slabscope buddyinfo PID [--frag] [--json]

                Prints the buddy allocator's free lists of a process under the shim in the format
                of /proc/buddyinfo: one line per zone (Brk: the brk heap; Mmap<n>: mmap zones),
                the number of free blocks of each order (order n = 2^n pages).

                  --frag   also the kernel's fragmentation figures per order, as in
                           /sys/kernel/debug/extfrag, per zone and for all zones together:
                           unusable free space index (the fraction of free memory that cannot
                           serve a request of that order) and fragmentation index (-1.000: the
                           request would succeed; near 0: it would fail for lack of memory; near 1:
                           for fragmentation)
                  --json   zones, free lists and both indexes as JSON
                """;
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of("--json", "--frag"), Set.of(), false);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        Snapshot s = ShmSource.open(a.pid()).snapshot();
        if (a.flag("--json")) {
            io.out().print(BuddyinfoFormat.json(s));
        } else if (a.flag("--frag")) {
            io.out().print(BuddyinfoFormat.textWithFragmentation(s));
        } else {
            io.out().print(BuddyinfoFormat.text(s));
        }
        return ExitCodes.OK;
    }
}
