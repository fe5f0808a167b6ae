package io.slabscope.cli;

import io.slabscope.model.AddressSpace;
import io.slabscope.model.Layout;
import io.slabscope.model.Snapshot;
import io.slabscope.model.source.Processes;
import io.slabscope.model.source.ShmSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code slabscope layout PID}: the heap's pages, and the address space around them. */
final class LayoutCommand implements Command {

    @Override
    public String name() {
        return "layout";
    }

    @Override
    public String summary() {
        return "map of the heap's pages and the address space (--png: as a picture)";
    }

    @Override
    public String help() {
        return """
                usage: slabscope layout PID [--png FILE] [--width N] [--wait S] [--color | --no-color]

                Asks the process for its heap layout (every page of every zone) and draws it: one
                character per page (per group of pages for large heaps), rows of --width:
                  0-9a-d  free page, the digit is the order of its free block (2^n pages)
                  A-Z     slab page, one letter per cache (see the legend; * for the rest)
                  [ =     medium block: its first page, its other pages
                  #       allocator metadata
                then a legend, the mmap path's blocks, and the process address space from
                /proc/PID/maps (stack, mmap area, heap, bss, data, text) with the zones marked.

                The process answers from its allocation paths: an idle process answers when it
                next allocates. If no fresh layout comes within --wait, the last one is shown.

                  --png FILE   write the map as a PNG picture instead (one cell per page, colours
                               per kind and cache, with a legend)
                  --width N    cells per row (default 64 in the terminal, 128 in the picture)
                  --wait S     seconds to wait for the process (default 2)
                  --color      colour even when not writing to a terminal
                  --no-color   no colour
                """;
    }

    @Override
    public int run(List<String> raw, Io io) throws Exception {
        Args a = new Args(name(), raw, Set.of("--color", "--no-color"), Set.of("--png", "--width", "--wait"), false);
        if (a.help()) {
            io.out().print(help());
            return ExitCodes.OK;
        }
        int pid = a.pid();
        Path png = a.value("--png").map(Path::of).orElse(null);
        int width = a.intValue("--width", png == null ? 64 : 128, 8, 4096);
        double wait = a.secondsValue("--wait", 2.0);
        boolean color = a.flag("--color") || (io.terminal() && !a.flag("--no-color"));

        ShmSource src = ShmSource.open(pid);
        Layout layout = src.layout(Duration.ofMillis(Math.round(wait * 1000)));
        Snapshot snap = src.snapshot();
        if (layout.request() < snap.layoutRequest()) {
            io.err().printf("slabscope layout: process %d did not answer within %.1f s (idle?): showing its layout "
                    + "from %s ago%n", pid, wait, Units.age(Duration.between(layout.time(), java.time.Instant.now())));
        }
        if (png != null) {
            LayoutPng.Result r = LayoutPng.write(snap, layout, width, png);
            io.out().printf("wrote %s: %dx%d pixels, %d pages, %d page%s per cell%n", png, r.width(), r.height(),
                    layout.totalPages(), r.pagesPerCell(), r.pagesPerCell() == 1 ? "" : "s");
            return ExitCodes.OK;
        }
        LayoutCells cells = new LayoutCells(layout, snap, LayoutCells.pagesPerCell(layout, width, 48));
        io.out().print(LayoutText.render(snap, layout, cells, width, color));
        io.out().println();
        try {
            String maps = Files.readString(Path.of("/proc", Integer.toString(pid), "maps"));
            String exe = snap.exe().isEmpty() ? Processes.exe(pid) : snap.exe();
            io.out().print(AddressSpaceText.render(pid, AddressSpace.parse(maps, exe), layout));
        } catch (IOException | RuntimeException e) {
            io.out().println("(address space of pid " + pid + " unavailable: " + e.getMessage() + ")");
        }
        return ExitCodes.OK;
    }
}
