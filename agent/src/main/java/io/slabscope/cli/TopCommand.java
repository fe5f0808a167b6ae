package io.slabscope.cli;

import io.slabscope.model.Snapshot;
import io.slabscope.model.source.ProcessGoneException;
import io.slabscope.model.source.ShmSource;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** {@code slabscope top PID}: a live, slabtop-like view of the process's caches. */
final class TopCommand implements Command {

    @Override
    public String name() {
        return "top";
    }

    @Override
    public String summary() {
        return "live view of the process's caches, like slabtop";
    }

    @Override
    public String help() {
        return """
                usage: slabscope top PID [--sort KEY] [--delay S] [--once]

                Shows the caches of a process under the shim, refreshed every few seconds, as
                slabtop shows the kernel's: a summary (objects, slabs, caches, sizes, heap, mmap
                path, unusable free space index per order), then a table
                  OBJS ACTIVE USE OBJ SIZE SLABS OBJ/SLAB CACHE SIZE NAME

                  --sort KEY  initial order (default o):
                                a active objects    b objects per slab   c cache size
                                l slabs             v active slabs        n name
                                o objects           p pages per slab      s object size
                                u use
                  --delay S   seconds between refreshes (default 3)
                  --once      print one frame (every cache) and exit

                Keys while running: the sort letters above, space to refresh now, q to quit.
                """;
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of("--once"), Set.of("--sort", "--delay"), false);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        int pid = a.pid();
        SortKey key = a.value("--sort").isPresent() ? SortKey.parse(a.value("--sort").get()) : SortKey.OBJECTS;
        long delayMs = Math.round(a.secondsValue("--delay", 3.0) * 1000);
        ShmSource src = ShmSource.open(pid);
        if (a.flag("--once")) {
            io.out().print(TopView.frame(src.snapshot(), key, Integer.MAX_VALUE, 0, false, Instant.now()));
            return ExitCodes.OK;
        }
        AutoCloseable raw2 = null;
        if (io.terminal()) {
            try {
                raw2 = Terminal.rawMode();
            } catch (IOException e) {
                // no key input then
            }
        }
        try {
            while (true) {
                Snapshot s;
                try {
                    s = src.snapshot();
                } catch (ProcessGoneException e) {
                    io.out().println();
                    throw e;
                }
                int[] size = io.terminal() ? Terminal.size() : new int[] {Integer.MAX_VALUE, 0};
                int rows = Math.max(1, size[0] - TopView.HEADER_LINES - 1);
                String frame = TopView.frame(s, key, rows, size[1], io.terminal(), Instant.now());
                io.out().print(io.terminal() ? Terminal.CLEAR + frame : frame + "\n");
                io.out().flush();
                long end = System.currentTimeMillis() + delayMs;
                boolean redraw = false;
                while (!redraw && System.currentTimeMillis() < end) {
                    if (raw2 != null && io.in().available() > 0) {
                        int c = io.in().read();
                        if (c == 'q' || c == 'Q' || c == 4 || c < 0) {
                            return ExitCodes.OK;
                        }
                        SortKey k = SortKey.ofKey(Character.toLowerCase(c));
                        if (k != null) {
                            key = k;
                        }
                        redraw = k != null || c == ' ';
                    } else {
                        Thread.sleep(50);
                    }
                }
            }
        } finally {
            if (raw2 != null) {
                raw2.close();
            }
        }
    }
}
