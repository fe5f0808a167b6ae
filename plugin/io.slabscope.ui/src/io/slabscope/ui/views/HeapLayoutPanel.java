package io.slabscope.ui.views;

import io.slabscope.model.Layout;
import io.slabscope.model.PageKind;
import io.slabscope.model.SlabCache;
import io.slabscope.ui.data.Formats;
import io.slabscope.ui.data.Frame;
import io.slabscope.ui.render.HeapMap;
import io.slabscope.ui.render.HeapMapRenderer;
import io.slabscope.ui.render.HeapMapRenderer.Viewport;
import io.slabscope.ui.render.Palette;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ScrollBar;

/**
 * The Heap Layout: the address space as a map of pages, wrapped into rows. Zoom goes from the
 * whole process (text, data, bss, heap, mmap area, stack of /proc/PID/maps, gaps shortened) to
 * single pages drawn as 64-pixel squares; the map is rendered into an offscreen ImageData. Wheel:
 * scroll; Ctrl+wheel or the buttons: zoom at the pointer; drag: pan; hover: what the page is.
 */
public final class HeapLayoutPanel extends Composite {
    public static final int MIN_ZOOM = -40;
    public static final int MAX_ZOOM = 6;

    private final Canvas canvas;
    private final Canvas legend;
    private final Label info;
    private final Button whole;
    private Frame frame;
    private HeapMap map;
    private int zoom = 0;
    private long firstRow;
    private boolean fitPending = true;
    private String highlightName;
    private int highlightId = -1;
    private ImageData imageData;
    private Map<PageKind, Long> kindCounts;
    private Image image;
    private long lastRenderNanos;
    private int dragY = -1;
    private long dragRow;

    public HeapLayoutPanel(Composite parent) {
        super(parent, SWT.NONE);
        GridLayout gl = new GridLayout(1, false);
        gl.marginWidth = 0;
        gl.marginHeight = 0;
        gl.verticalSpacing = 2;
        setLayout(gl);

        Composite bar = new Composite(this, SWT.NONE);
        bar.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        GridLayout bl = new GridLayout(6, false);
        bl.marginHeight = 0;
        bar.setLayout(bl);
        whole = new Button(bar, SWT.CHECK);
        whole.setText("Whole process");
        whole.setToolTipText("Show every mapping of /proc/PID/maps (text, data, bss, heap, mmap, stack), "
                + "not only the heap zones and large blocks");
        whole.setSelection(true);
        whole.addListener(SWT.Selection, e -> {
            rebuild();
            fit();
        });
        button(bar, "−", "Zoom out (Ctrl+wheel)", () -> zoomAt(zoom - 1, -1, -1));
        button(bar, "+", "Zoom in (Ctrl+wheel, double-click)", () -> zoomAt(zoom + 1, -1, -1));
        button(bar, "Fit", "Whole map in the view", this::fit);
        button(bar, "Pages", "One page per 16 pixels", () -> zoomAt(4, -1, -1));
        info = new Label(bar, SWT.NONE);
        info.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        canvas = new Canvas(this, SWT.DOUBLE_BUFFERED | SWT.NO_BACKGROUND | SWT.V_SCROLL);
        canvas.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        canvas.addPaintListener(e -> paint(e.gc));
        canvas.addListener(SWT.Resize, e -> {
            if (fitPending) {
                fit();
            } else {
                renderNow();
            }
        });
        canvas.addListener(SWT.MouseVerticalWheel, e -> {
            if ((e.stateMask & SWT.CTRL) != 0) {
                zoomAt(zoom + (e.count > 0 ? 1 : -1), e.x, e.y);
            } else {
                scrollTo(firstRow - e.count);
            }
            e.doit = false;
        });
        canvas.addListener(SWT.MouseDoubleClick, e -> zoomAt(zoom + 2, e.x, e.y));
        canvas.addListener(SWT.MouseDown, e -> {
            dragY = e.y;
            dragRow = firstRow;
        });
        canvas.addListener(SWT.MouseUp, e -> dragY = -1);
        canvas.addListener(SWT.MouseMove, e -> {
            if (dragY >= 0 && (e.stateMask & SWT.BUTTON1) != 0) {
                Viewport v = viewport();
                scrollTo(dragRow - (e.y - dragY) / v.cellPx());
                return;
            }
            String tip = tooltipAt(e.x, e.y);
            if (tip == null ? canvas.getToolTipText() != null : !tip.equals(canvas.getToolTipText())) {
                canvas.setToolTipText(tip);
            }
        });
        ScrollBar sb = canvas.getVerticalBar();
        sb.addListener(SWT.Selection, e -> scrollTo(sb.getSelection()));

        legend = new Canvas(this, SWT.DOUBLE_BUFFERED);
        GridData lg = new GridData(SWT.FILL, SWT.BOTTOM, true, false);
        lg.heightHint = 58;
        legend.setLayoutData(lg);
        legend.addPaintListener(e -> paintLegend(e.gc));
        addListener(SWT.Dispose, e -> {
            if (image != null) {
                image.dispose();
            }
        });
    }

    private static void button(Composite bar, String text, String tip, Runnable r) {
        Button b = new Button(bar, SWT.PUSH);
        b.setText(text);
        b.setToolTipText(tip);
        b.addListener(SWT.Selection, e -> r.run());
    }

    /** Shows a frame (UI thread): the map is rebuilt and drawn again at the same place. */
    public void setFrame(Frame f) {
        boolean first = frame == null;
        frame = f;
        rebuild();
        legend.redraw();
        if (first || fitPending) {
            fit();
        } else {
            renderNow();
        }
    }

    /** Highlights the pages of the cache of that name (null: none). */
    public void setHighlight(String cacheName) {
        highlightName = cacheName;
        resolveHighlight();
        renderNow();
    }

    public void setWholeProcess(boolean on) {
        whole.setSelection(on);
        rebuild();
        fit();
    }

    private void resolveHighlight() {
        highlightId = -1;
        if (highlightName != null && frame != null) {
            frame.snapshot().cache(highlightName).ifPresent(c -> highlightId = c.id());
        }
    }

    private void rebuild() {
        map = frame == null ? null : HeapMap.of(frame, whole.getSelection());
        kindCounts = frame == null || frame.layout() == null ? null : countByKind(frame.layout());
        resolveHighlight();
    }

    /** Pages by kind, counted without boxing (a 1 GiB heap has 262,144 pages). */
    static Map<PageKind, Long> countByKind(Layout l) {
        long[] n = new long[16];
        for (var z : l.zones()) {
            for (int i = 0, np = z.npages(); i < np; i++) {
                n[z.entry(i) & 0xf]++;
            }
        }
        Map<PageKind, Long> m = new java.util.EnumMap<>(PageKind.class);
        for (PageKind k : PageKind.values()) {
            m.put(k, k.code() >= 0 ? n[k.code()] : 0L);
        }
        return m;
    }

    public HeapMap heapMap() {
        return map;
    }

    public Viewport viewport() {
        Rectangle r = canvas.getClientArea();
        return new Viewport(Math.max(1, r.width), Math.max(1, r.height), zoom, firstRow);
    }

    public int zoom() {
        return zoom;
    }

    /** The last rendered image (tests read its pixels). */
    public ImageData imageData() {
        return imageData;
    }

    public long lastRenderNanos() {
        return lastRenderNanos;
    }

    public Canvas canvas() {
        return canvas;
    }

    /** Zooms so the whole map fits. */
    public void fit() {
        Rectangle r = canvas.getClientArea();
        if (map == null || r.width <= 1 || r.height <= 1) {
            fitPending = true;
            renderNow();
            return;
        }
        fitPending = false;
        zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, Viewport.fitZoom(map.totalPages(), r.width, r.height)));
        firstRow = 0;
        renderNow();
    }

    /** Sets the zoom keeping the page under (x, y) in place ((-1, -1): the view's centre). */
    public void zoomAt(int newZoom, int x, int y) {
        newZoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, newZoom));
        Viewport v = viewport();
        if (x < 0) {
            x = v.width() / 2;
            y = v.height() / 2;
        }
        long page = map == null ? 0 : Math.max(0, v.pageAt(Math.min(x, v.columns() * v.cellPx() - 1), y));
        fitPending = false;
        zoom = newZoom;
        Viewport nv = viewport();
        long row = page / nv.pagesPerCell() / nv.columns();
        firstRow = row - y / nv.cellPx();
        scrollTo(firstRow);
    }

    /** Shows the row holding linear page {@code page} near the top. */
    public void reveal(long page) {
        Viewport v = viewport();
        scrollTo(page / v.pagesPerCell() / v.columns() - 2);
    }

    public void scrollTo(long row) {
        Viewport v = viewport();
        long rows = map == null ? 0 : v.rows(map.totalPages());
        long max = Math.max(0, rows - v.visibleRows() + 1);
        firstRow = Math.max(0, Math.min(max, row));
        renderNow();
    }

    /** Renders the map into the offscreen image and repaints (UI thread). */
    public void renderNow() {
        if (canvas.isDisposed()) {
            return;
        }
        long t0 = System.nanoTime();
        Viewport v = viewport();
        if (imageData == null || imageData.width != v.width() || imageData.height != v.height()) {
            imageData = new ImageData(v.width(), v.height(), 24, HeapMapRenderer.PALETTE);
        }
        if (map != null) {
            HeapMapRenderer.render(map, v, highlightId, imageData);
        } else {
            HeapMapRenderer.render(HeapMap.empty(), v, -1, imageData);
        }
        if (image != null) {
            image.dispose();
        }
        image = new Image(getDisplay(), imageData);
        updateScrollBar(v);
        updateInfo(v);
        canvas.redraw();
        lastRenderNanos = System.nanoTime() - t0;
    }

    private void updateScrollBar(Viewport v) {
        ScrollBar sb = canvas.getVerticalBar();
        long rows = map == null ? 0 : v.rows(map.totalPages());
        int max = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(1, rows));
        sb.setValues((int) Math.min(firstRow, max), 0, max + 1, Math.max(1, Math.min(max, v.visibleRows())), 1,
                Math.max(1, v.visibleRows() - 1));
    }

    private void updateInfo(Viewport v) {
        if (map == null) {
            info.setText("no data");
            return;
        }
        String scale = v.zoom() >= 0 ? v.cellPx() + " px per page" : v.pagesPerCell() + " pages ("
                + Formats.bytes((double) v.pagesPerCell() * map.pageSize()) + ") per pixel";
        StringBuilder b = new StringBuilder(scale);
        Layout l = frame.layout();
        if (l != null) {
            Map<PageKind, Long> k = kindCounts;
            b.append("   heap pages: ").append(l.totalPages()).append(" — free ").append(k.get(PageKind.FREE))
                    .append(", slab ").append(k.get(PageKind.SLAB)).append(", medium ")
                    .append(k.get(PageKind.MEDIUM_HEAD) + k.get(PageKind.MEDIUM_TAIL)).append(", large blocks ")
                    .append(l.large().size());
        } else {
            b.append("   no page layout from this source: zones only");
        }
        if (highlightId >= 0) {
            b.append("   highlight: ").append(highlightName);
        }
        info.setText(b.toString());
        info.getParent().layout(true);
    }

    private void paint(GC gc) {
        if (image != null) {
            gc.drawImage(image, 0, 0);
        }
    }

    /** The tooltip at pixel (x, y), or null. */
    public String tooltipAt(int x, int y) {
        if (map == null) {
            return null;
        }
        long p = viewport().pageAt(x, y);
        if (p < 0 || p >= map.totalPages()) {
            return null;
        }
        String d = map.describe(p);
        Viewport v = viewport();
        if (d != null && v.pagesPerCell() > 1) {
            d += "\n(one pixel: " + v.pagesPerCell() + " pages; zoom in for single pages)";
        }
        return d;
    }

    private void paintLegend(GC gc) {
        List<Object[]> items = new ArrayList<>();
        for (int o = 0; o <= 13; o += 1) {
            items.add(new Object[] {Palette.free(o), o == 0 ? "free o0" : "o" + o});
        }
        items.add(new Object[] {Palette.freeClean(0), "free, released"});
        items.add(new Object[] {Palette.MEDIUM_HEAD, "medium head"});
        items.add(new Object[] {Palette.MEDIUM_TAIL, "medium tail"});
        items.add(new Object[] {Palette.METADATA, "metadata"});
        items.add(new Object[] {Palette.ABSENT, "absent"});
        items.add(new Object[] {Palette.LARGE, "large block (mmap)"});
        if (frame != null) {
            List<SlabCache> top = new ArrayList<>(frame.snapshot().caches());
            top.sort((a, b) -> Long.compare(b.numSlabs() * b.pagesPerSlab(), a.numSlabs() * a.pagesPerSlab()));
            for (int i = 0; i < Math.min(6, top.size()); i++) {
                if (top.get(i).numSlabs() > 0) {
                    items.add(new Object[] {Palette.cache(top.get(i).id()), "slab " + top.get(i).name()});
                }
            }
        }
        items.add(new Object[] {Palette.slab(0, 0.1), "pale: slab mostly empty"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.TEXT, false, false), "text"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.DATA, false, false), "data"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.BSS, false, false), "bss"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.HEAP, false, false), "[heap] outside zones"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.MMAP, false, false), "mmap file"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.MMAP, true, false), "mmap anon"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.STACK, false, false), "stack"});
        items.add(new Object[] {Palette.region(io.slabscope.model.Region.MMAP, true, true), "reserved ---p"});
        items.add(new Object[] {Palette.GAP, "unmapped"});
        int x = 4;
        int y = 2;
        int width = legend.getClientArea().width;
        for (Object[] it : items) {
            String label = (String) it[1];
            Point ext = gc.textExtent(label);
            int w = 14 + ext.x + 10;
            if (x + w > width && x > 4) {
                x = 4;
                y += ext.y + 2;
            }
            int c = (Integer) it[0];
            Color col = new Color(new RGB((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff));
            gc.setBackground(col);
            gc.fillRectangle(x, y + 3, 11, 11);
            gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_WIDGET_FOREGROUND));
            gc.drawString(label, x + 14, y, true);
            x += w;
        }
    }
}
