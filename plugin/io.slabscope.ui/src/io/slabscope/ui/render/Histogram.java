package io.slabscope.ui.render;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

/** The buddy free lists as bars: free blocks per order, the free bytes they hold written above. */
public final class Histogram extends Canvas {
    private String title;
    private long[] counts = new long[0];
    private String[] labels = new String[0];
    private String[] notes = new String[0];

    public Histogram(Composite parent, String title) {
        super(parent, SWT.DOUBLE_BUFFERED);
        this.title = title;
        setBackground(getDisplay().getSystemColor(SWT.COLOR_WHITE));
        addPaintListener(e -> paint(e.gc));
    }

    public void setData(String title, long[] counts, String[] labels, String[] notes) {
        this.title = title;
        this.counts = counts.clone();
        this.labels = labels.clone();
        this.notes = notes.clone();
        redraw();
    }

    public int bars() {
        return counts.length;
    }

    public long count(int i) {
        return counts[i];
    }

    @Override
    public Point computeSize(int wHint, int hHint, boolean changed) {
        return new Point(wHint == SWT.DEFAULT ? 360 : wHint, hHint == SWT.DEFAULT ? 160 : hHint);
    }

    private void paint(GC gc) {
        var area = getClientArea();
        int left = 40;
        int top = 20;
        int bottom = 30;
        int w = Math.max(10, area.width - left - 8);
        int h = Math.max(10, area.height - top - bottom);
        Color fg = getDisplay().getSystemColor(SWT.COLOR_BLACK);
        gc.setForeground(fg);
        gc.drawString(title, 4, 2, true);
        long max = 1;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        gc.drawLine(left, top + h, left + w, top + h);
        gc.drawString(Long.toString(max), 2, top, true);
        gc.drawString("0", 2, top + h - 12, true);
        int n = counts.length;
        if (n == 0) {
            gc.drawString("no data", left + 8, top + 8, true);
            return;
        }
        int slot = w / n;
        for (int i = 0; i < n; i++) {
            int bh = (int) Math.round((double) h * counts[i] / max);
            if (counts[i] > 0) {
                bh = Math.max(bh, 1);
            }
            int x = left + i * slot + 2;
            int c = Palette.free(i);
            Color col = new Color(new RGB((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff));
            gc.setBackground(col);
            gc.fillRectangle(x, top + h - bh, Math.max(1, slot - 4), bh);
            gc.setForeground(fg);
            String l = i < labels.length ? labels[i] : Integer.toString(i);
            gc.drawString(l, x + Math.max(0, (slot - 4 - gc.textExtent(l).x) / 2), top + h + 2, true);
            String v = Long.toString(counts[i]);
            if (slot > gc.textExtent(v).x) {
                gc.drawString(v, x + Math.max(0, (slot - 4 - gc.textExtent(v).x) / 2), top + h - bh - 14, true);
            }
            if (i < notes.length && notes[i] != null && slot > gc.textExtent(notes[i]).x) {
                gc.drawString(notes[i], x + Math.max(0, (slot - 4 - gc.textExtent(notes[i]).x) / 2), top + h + 14, true);
            }
        }
    }
}
