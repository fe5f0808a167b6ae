package io.slabscope.ui.views;

import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Formats;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.data.Recording;
import io.slabscope.ui.data.Session;
import java.util.List;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.eclipse.swt.widgets.Text;

/**
 * A recording: a message line (errors and warnings in words), a timeline to move through it
 * (the Slab Caches, Fragmentation and Heap Layout views follow), and the sampled allocations at
 * that moment grouped by native stack, live bytes first: the leak candidates.
 */
public final class RecordingPanel extends Composite {
    private final Label message;
    private final Scale timeline;
    private final Label when;
    private final TableViewer sites;
    private final Text stack;
    private final Session session;
    private Recording recording;
    private int index;

    public RecordingPanel(Composite parent, Session session) {
        super(parent, SWT.NONE);
        this.session = session;
        setLayout(new GridLayout(2, false));
        message = new Label(this, SWT.WRAP);
        message.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        message.setText("Reading…");
        timeline = new Scale(this, SWT.HORIZONTAL);
        timeline.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        timeline.addListener(SWT.Selection, e -> show(timeline.getSelection()));
        when = new Label(this, SWT.NONE);
        GridData wd = new GridData(SWT.END, SWT.CENTER, false, false);
        wd.widthHint = 300;
        when.setLayoutData(wd);
        SashForm sash = new SashForm(this, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        sites = new TableViewer(sash, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        sites.getTable().setHeaderVisible(true);
        sites.getTable().setLinesVisible(true);
        sites.setContentProvider(ArrayContentProvider.getInstance());
        column("Allocation site (first frame outside the allocator)", 420, s -> s.site());
        column("Samples", 80, s -> Long.toString(s.samples()));
        column("Sampled bytes", 110, s -> Formats.bytes(s.bytes()));
        column("Live samples", 90, s -> Long.toString(s.liveSamples()));
        column("Live bytes (leak candidates)", 170, s -> Formats.bytes(s.liveBytes()));
        stack = new Text(sash, SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL | SWT.BORDER);
        sash.setWeights(new int[] {3, 1});
        sites.addSelectionChangedListener(e -> {
            Object o = ((IStructuredSelection) e.getSelection()).getFirstElement();
            stack.setText(o instanceof Recording.Site s ? s.stack() : "");
        });
        setEnabledParts(false);
    }

    private void column(String title, int width, java.util.function.Function<Recording.Site, String> text) {
        TableViewerColumn c = new TableViewerColumn(sites, SWT.NONE);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((Recording.Site) element);
            }
        });
    }

    private void setEnabledParts(boolean on) {
        timeline.setEnabled(on);
        sites.getTable().setEnabled(on);
    }

    /** Shows why the recording cannot be shown. */
    public void setError(String text) {
        recording = null;
        message.setText(text);
        message.setForeground(getDisplay().getSystemColor(SWT.COLOR_RED));
        setEnabledParts(false);
        sites.setInput(List.of());
        layout(true);
    }

    public void setRecording(Recording r) {
        recording = r;
        String m = r.name() + ": " + r.snapshots().size() + " snapshots over "
                + String.format("%.1f s", (r.endNanos() - r.startNanos()) / 1e9) + ", " + r.samples().size()
                + " sampled allocations, " + r.frees().size() + " sampled frees";
        if (r.warning() != null) {
            message.setText(r.warning() + "\n" + m);
            message.setForeground(getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        } else {
            message.setText(m);
            message.setForeground(getDisplay().getSystemColor(SWT.COLOR_WIDGET_FOREGROUND));
        }
        setEnabledParts(true);
        timeline.setMinimum(0);
        timeline.setMaximum(Math.max(1, r.snapshots().size() - 1));
        timeline.setPageIncrement(Math.max(1, r.snapshots().size() / 10));
        timeline.setSelection(r.snapshots().size() - 1);
        show(r.snapshots().size() - 1);
        layout(true);
    }

    /** Moves to snapshot {@code i}: the views show that moment, the sites table the samples up to it. */
    public void show(int i) {
        if (recording == null) {
            return;
        }
        index = Math.max(0, Math.min(recording.snapshots().size() - 1, i));
        Snapshot s = recording.snapshots().get(index);
        when.setText(String.format("%s  (+%.1f s, %d/%d)", Formats.time(s.publishTimeNs()),
                (s.publishTimeNs() - recording.startNanos()) / 1e9, index + 1, recording.snapshots().size()));
        sites.setInput(recording.sites(s.publishTimeNs()));
        session.showRecording(recording.name(), Frame.of(s),
                recording.snapshots().subList(0, index + 1).stream().map(Frame::of).toList());
    }

    public String messageText() {
        return message.getText();
    }

    /** Positions of the timeline: one per snapshot of the recording. */
    public int positions() {
        return timeline.getMaximum() - timeline.getMinimum() + 1;
    }

    /** Moves the timeline as a user would (the Scale's selection, then its Selection event). */
    public void moveTimeline(int i) {
        timeline.setSelection(i);
        timeline.notifyListeners(SWT.Selection, new org.eclipse.swt.widgets.Event());
    }

    /** The allocation sites the table shows, in its order. */
    @SuppressWarnings("unchecked")
    public List<Recording.Site> sites() {
        Object in = sites.getInput();
        return in instanceof List<?> l ? (List<Recording.Site>) l : List.of();
    }

    public int siteRows() {
        return sites.getTable().getItemCount();
    }

    public Recording recording() {
        return recording;
    }

    public int index() {
        return index;
    }
}
