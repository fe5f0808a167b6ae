package io.slabscope.ui.views;

import io.slabscope.model.BuddyInfo;
import io.slabscope.model.Fragmentation;
import io.slabscope.model.GlobalStats;
import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Formats;
import io.slabscope.ui.render.Histogram;
import io.slabscope.ui.render.Palette;
import io.slabscope.ui.render.TimeChart;
import io.slabscope.ui.render.TimeChart.Series;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;

/**
 * Fragmentation over time, drawn on Canvases: internal fragmentation (bytes requested against
 * bytes handed out), the kernel's unusable free space index and fragmentation index per order
 * (all zones), heap size against resident bytes, the mmap path's bytes; and the buddy free lists
 * now as a histogram per order.
 */
public final class FragmentationPanel extends Composite {
    private final TimeChart internal;
    private final TimeChart unusable;
    private final TimeChart fragIndex;
    private final TimeChart heap;
    private final TimeChart mmap;
    private final Histogram freeLists;

    public FragmentationPanel(Composite parent) {
        super(parent, SWT.NONE);
        GridLayout gl = new GridLayout(2, true);
        gl.marginWidth = 0;
        gl.marginHeight = 0;
        setLayout(gl);
        internal = chart(new TimeChart(this, "Internal fragmentation: bytes requested vs allocated", Formats::bytes,
                null, null));
        heap = chart(new TimeChart(this, "Heap size vs resident", Formats::bytes, null, null));
        unusable = chart(new TimeChart(this, "Unusable free space index per order (all zones)",
                v -> String.format("%.2f", v), 0.0, 1.0));
        fragIndex = chart(new TimeChart(this, "Fragmentation index per order (all zones; -1: a block exists)",
                v -> String.format("%.2f", v), -1.0, 1.0));
        mmap = chart(new TimeChart(this, "mmap path", Formats::bytes, null, null));
        freeLists = new Histogram(this, "Buddy free lists: free blocks per order");
        freeLists.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
    }

    private static TimeChart chart(TimeChart c) {
        c.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        return c;
    }

    /** Shows a history (oldest first; the last snapshot is "now"). UI thread. */
    public void setHistory(List<io.slabscope.ui.data.Frame> frames) {
        List<Snapshot> history = frames.stream().map(io.slabscope.ui.data.Frame::snapshot).toList();
        int n = history.size();
        long[] t = new long[n];
        double[] req = new double[n];
        double[] alloc = new double[n];
        double[] heapBytes = new double[n];
        double[] resident = new double[n];
        double[] mmapBytes = new double[n];
        double[] mmapResident = new double[n];
        int orders = 0;
        for (Snapshot s : history) {
            orders = Math.max(orders, s.nrOrders());
        }
        double[][] unus = new double[orders][n];
        double[][] frag = new double[orders][n];
        for (int i = 0; i < n; i++) {
            Snapshot s = history.get(i);
            GlobalStats g = s.global();
            t[i] = frames.get(i).timeNanos();
            req[i] = g.bytesRequested();
            alloc[i] = g.bytesAllocated();
            heapBytes[i] = g.heapBytes();
            resident[i] = g.heapResidentBytes();
            mmapBytes[i] = g.mmapBytes();
            mmapResident[i] = g.mmapResidentBytes();
            Fragmentation all = Fragmentation.sum("All", s.zones(), Math.max(1, s.nrOrders()));
            for (int o = 0; o < orders; o++) {
                if (o < s.nrOrders()) {
                    unus[o][i] = all.unusableIndex(o);
                    frag[o][i] = all.fragmentationIndex(o);
                } else {
                    unus[o][i] = Double.NaN;
                    frag[o][i] = Double.NaN;
                }
            }
        }
        String internalNote = "";
        if (n > 0) {
            GlobalStats g = history.get(n - 1).global();
            double pct = g.bytesAllocated() <= 0 ? 0 : 100.0 * (1 - (double) g.bytesRequested() / g.bytesAllocated());
            internalNote = String.format("%.1f%% of allocated bytes unrequested", Math.max(0, pct));
        }
        internal.setData(t, List.of(new Series("requested", Palette.SERIES[0], req),
                new Series("allocated", Palette.SERIES[1], alloc)), internalNote);
        List<Series> us = new ArrayList<>();
        List<Series> fs = new ArrayList<>();
        for (int o = 0; o < orders; o++) {
            us.add(new Series("o" + o, Palette.order(o, orders), unus[o]));
            fs.add(new Series("o" + o, Palette.order(o, orders), frag[o]));
        }
        unusable.setData(t, us, "");
        fragIndex.setData(t, fs, "");
        heap.setData(t, List.of(new Series("heap size", Palette.SERIES[0], heapBytes),
                new Series("resident", Palette.SERIES[2], resident)),
                n == 0 ? "" : Formats.bytes(heapBytes[n - 1]) + " / " + Formats.bytes(resident[n - 1]));
        mmap.setData(t, List.of(new Series("mmap bytes", Palette.SERIES[3], mmapBytes),
                new Series("mmap resident", Palette.SERIES[4], mmapResident)),
                n == 0 ? "" : Formats.bytes(mmapBytes[n - 1]));
        if (n == 0) {
            freeLists.setData("Buddy free lists: free blocks per order", new long[0], new String[0], new String[0]);
        } else {
            Snapshot now = history.get(n - 1);
            BuddyInfo bi = now.buddyInfo();
            Fragmentation all = bi.all();
            long[] counts = all.nrFree();
            String[] labels = new String[counts.length];
            String[] notes = new String[counts.length];
            for (int o = 0; o < counts.length; o++) {
                labels[o] = Integer.toString(o);
                notes[o] = Formats.bytes((double) (counts[o] << o) * now.pageSize()).replace(".0 ", " ");
            }
            freeLists.setData("Buddy free lists now: free blocks per order (" + bi.zones().size() + " zone(s), "
                    + Formats.bytes((double) all.freePages() * now.pageSize()) + " free)", counts, labels, notes);
        }
    }

    public TimeChart internalChart() {
        return internal;
    }

    public TimeChart unusableChart() {
        return unusable;
    }

    public TimeChart fragmentationChart() {
        return fragIndex;
    }

    public TimeChart heapChart() {
        return heap;
    }

    public TimeChart mmapChart() {
        return mmap;
    }

    public Histogram freeListHistogram() {
        return freeLists;
    }
}
