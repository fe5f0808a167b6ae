package io.slabscope.ui.views;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import io.slabscope.ui.data.Formats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IElementComparer;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.jface.viewers.ViewerFilter;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.Text;

/**
 * Slab Caches: every cache as slabtop shows it (name, objsize, active/total objects, use, slabs,
 * objects and pages per slab, cache size), sortable by any column, filtered by name, refreshed in
 * place (selection, sort and scroll position stay). Selecting a cache tells the listener (the
 * Heap Layout highlights its pages).
 */
public final class SlabCachesPanel extends Composite {
    /** A column: header, text of a cell, sort key. */
    public record Column(String header, int width, int align, Function<SlabCache, String> text,
            Comparator<SlabCache> order) {
    }

    public static final List<Column> COLUMNS = List.of(
            new Column("Name", 180, SWT.LEFT, SlabCache::name, Comparator.comparing(SlabCache::name)),
            new Column("Objsize", 70, SWT.RIGHT, c -> Integer.toString(c.size()),
                    Comparator.comparingInt(SlabCache::size)),
            new Column("Active", 90, SWT.RIGHT, c -> Long.toString(c.activeObjs()),
                    Comparator.comparingLong(SlabCache::activeObjs)),
            new Column("Total", 90, SWT.RIGHT, c -> Long.toString(c.numObjs()),
                    Comparator.comparingLong(SlabCache::numObjs)),
            new Column("Use", 64, SWT.RIGHT, c -> Formats.percent(c.usagePercent()),
                    Comparator.comparingDouble(SlabCache::usagePercent)),
            new Column("Obj/slab", 70, SWT.RIGHT, c -> Integer.toString(c.objPerSlab()),
                    Comparator.comparingInt(SlabCache::objPerSlab)),
            new Column("Slabs", 90, SWT.RIGHT, c -> c.activeSlabs() + "/" + c.numSlabs(),
                    Comparator.comparingLong(SlabCache::numSlabs)),
            new Column("Pages/slab", 80, SWT.RIGHT, c -> Integer.toString(c.pagesPerSlab()),
                    Comparator.comparingInt(SlabCache::pagesPerSlab)),
            new Column("Cache size", 100, SWT.RIGHT, c -> Formats.bytes(c.cacheSizeBytes()),
                    Comparator.comparingLong(SlabCache::cacheSizeBytes)),
            new Column("Active bytes", 100, SWT.RIGHT, c -> Formats.bytes(c.activeBytes()),
                    Comparator.comparingLong(SlabCache::activeBytes)),
            new Column("Policy", 60, SWT.LEFT, SlabCache::policy, Comparator.comparing(SlabCache::policy)));

    private final TableViewer viewer;
    private final Text filter;
    private final Label summary;
    private GlobalStats global;
    private List<SlabCache> caches = new ArrayList<>();
    private int sortColumn = 8;
    private boolean descending = true;
    private Consumer<String> selectionListener = n -> { };
    private boolean updating;

    public SlabCachesPanel(Composite parent) {
        super(parent, SWT.NONE);
        GridLayout gl = new GridLayout(2, false);
        gl.marginWidth = 0;
        gl.marginHeight = 0;
        setLayout(gl);
        Label fl = new Label(this, SWT.NONE);
        fl.setText("Filter:");
        filter = new Text(this, SWT.BORDER | SWT.SEARCH | SWT.ICON_CANCEL);
        filter.setMessage("cache name contains…");
        filter.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        viewer = new TableViewer(this, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        Table t = viewer.getTable();
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        t.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        viewer.setUseHashlookup(true);
        viewer.setComparer(new IElementComparer() {
            @Override
            public boolean equals(Object a, Object b) {
                return a instanceof SlabCache x && b instanceof SlabCache y ? x.name().equals(y.name()) : a == b;
            }

            @Override
            public int hashCode(Object o) {
                return o instanceof SlabCache c ? c.name().hashCode() : o.hashCode();
            }
        });
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        for (int i = 0; i < COLUMNS.size(); i++) {
            Column c = COLUMNS.get(i);
            TableViewerColumn vc = new TableViewerColumn(viewer, c.align());
            TableColumn tc = vc.getColumn();
            tc.setText(c.header());
            tc.setWidth(c.width());
            tc.setMoveable(true);
            vc.setLabelProvider(new ColumnLabelProvider() {
                @Override
                public String getText(Object element) {
                    return c.text().apply((SlabCache) element);
                }
            });
            int index = i;
            tc.addListener(SWT.Selection, e -> sortBy(index, index == sortColumn ? !descending : index != 0));
        }
        viewer.setComparator(new ViewerComparator() {
            @Override
            public int compare(Viewer v, Object a, Object b) {
                int r = COLUMNS.get(sortColumn).order().compare((SlabCache) a, (SlabCache) b);
                if (r == 0) {
                    r = ((SlabCache) a).name().compareTo(((SlabCache) b).name());
                    return r;
                }
                return descending ? -r : r;
            }
        });
        viewer.addFilter(new ViewerFilter() {
            @Override
            public boolean select(Viewer v, Object parentElement, Object element) {
                String f = filter.getText().trim().toLowerCase(Locale.ROOT);
                return f.isEmpty() || ((SlabCache) element).name().toLowerCase(Locale.ROOT).contains(f);
            }
        });
        filter.addListener(SWT.Modify, e -> {
            viewer.refresh();
            updateSummary();
        });
        viewer.addSelectionChangedListener(e -> {
            if (!updating) {
                Object o = ((IStructuredSelection) e.getSelection()).getFirstElement();
                selectionListener.accept(o instanceof SlabCache c ? c.name() : null);
            }
        });
        summary = new Label(this, SWT.NONE);
        summary.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        viewer.setInput(caches);
        markSort();
    }

    public void onSelection(Consumer<String> listener) {
        this.selectionListener = listener;
    }

    /** Shows the caches of a snapshot, in place (UI thread). */
    public void setSnapshot(Snapshot s) {
        List<SlabCache> next = s == null ? List.of() : s.caches();
        global = s == null ? null : s.global();
        updating = true;
        try {
            Table t = viewer.getTable();
            int top = t.getTopIndex();
            IStructuredSelection sel = viewer.getStructuredSelection();
            String selected = sel.getFirstElement() instanceof SlabCache c ? c.name() : null;
            caches = new ArrayList<>(next);
            t.setRedraw(false);
            viewer.setInput(caches);
            if (selected != null) {
                for (SlabCache c : caches) {
                    if (c.name().equals(selected)) {
                        viewer.setSelection(new StructuredSelection(c), false);
                    }
                }
            }
            t.setTopIndex(top);
            t.setRedraw(true);
        } finally {
            updating = false;
        }
        updateSummary();
    }

    private void updateSummary() {
        long active = 0;
        long total = 0;
        long slabs = 0;
        long bytes = 0;
        for (SlabCache c : caches) {
            active += c.activeObjs();
            total += c.numObjs();
            slabs += c.numSlabs();
            bytes += c.cacheSizeBytes();
        }
        String text = String.format("%d caches (%d shown) — active/total objects %d/%d (%.1f%%), slabs %d, size %s",
                caches.size(), viewer.getTable().getItemCount(), active, total,
                total == 0 ? 0.0 : active * 100.0 / total, slabs, Formats.bytes(bytes));
        summary.setText(text + threadCaches(global));
    }

    /**
     * Active objects include those the threads' caches keep free for their own thread: how
     * many threads have a cache, how many of them are full, what they keep (empty for a
     * snapshot from before these counters).
     */
    static String threadCaches(GlobalStats g) {
        if (g == null || g.threads() == 0) {
            return "";
        }
        return String.format(" — %d thread caches (%d full) keep %s of them free", g.threads(),
                g.fullThreadCaches(), Formats.bytes(g.threadCacheBytes()));
    }

    public void sortBy(int column, boolean desc) {
        sortColumn = column;
        descending = desc;
        markSort();
        viewer.refresh();
    }

    private void markSort() {
        Table t = viewer.getTable();
        t.setSortColumn(t.getColumn(sortColumn));
        t.setSortDirection(descending ? SWT.DOWN : SWT.UP);
    }

    public void setFilter(String text) {
        filter.setText(text);
    }

    /** Selects a cache by name (as a click would). */
    public void select(String name) {
        for (SlabCache c : caches) {
            if (c.name().equals(name)) {
                viewer.setSelection(new StructuredSelection(c), true);
                return;
            }
        }
    }

    public TableViewer viewer() {
        return viewer;
    }

    /** The rows as shown (filtered, sorted): the cells' text. */
    public List<String[]> rows() {
        Table t = viewer.getTable();
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < t.getItemCount(); i++) {
            var item = t.getItem(i);
            String[] r = new String[COLUMNS.size()];
            for (int c = 0; c < r.length; c++) {
                r[c] = item.getText(c);
            }
            out.add(r);
        }
        return out;
    }

    public String summaryText() {
        return summary.getText();
    }
}
