package io.slabscope.ui.render;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

/**
 * A line chart over time drawn on a Canvas (no chart library): a title, a y axis with a few
 * labelled grid lines, one polyline per series, a legend. Series are replaced as a whole by
 * {@link #setData}; the canvas is double buffered.
 */
public final class TimeChart extends Canvas {
    /** Formats y values for the axis. */
    public interface YFormat {
        String format(double v);
    }

    /** A series: a name, a colour (0xRRGGBB) and one value per time. */
    public record Series(String name, int colour, double[] values) {
    }

    private final String title;
    private final YFormat yFormat;
    private final Double fixedMin;
    private final Double fixedMax;
    private long[] times = new long[0];
    private List<Series> series = new ArrayList<>();
    private String note = "";

    public TimeChart(Composite parent, String title, YFormat yFormat, Double fixedMin, Double fixedMax) {
        super(parent, SWT.DOUBLE_BUFFERED);
        this.title = title;
        this.yFormat = yFormat;
        this.fixedMin = fixedMin;
        this.fixedMax = fixedMax;
        setBackground(getDisplay().getSystemColor(SWT.COLOR_WHITE));
        addPaintListener(e -> paint(e.gc));
    }

    public String title() {
        return title;
    }

    /** Replaces the data and redraws. {@code times} are ns since the epoch, one per value. */
    public void setData(long[] times, List<Series> series, String note) {
        this.times = times.clone();
        this.series = List.copyOf(series);
        this.note = note == null ? "" : note;
        redraw();
    }

    public List<Series> series() {
        return series;
    }

    /** Points of series {@code i}. */
    public int pointCount(int i) {
        return series.get(i).values().length;
    }

    @Override
    public Point computeSize(int wHint, int hHint, boolean changed) {
        return new Point(wHint == SWT.DEFAULT ? 360 : wHint, hHint == SWT.DEFAULT ? 160 : hHint);
    }

    private void paint(GC gc) {
        var area = getClientArea();
        gc.setAntialias(SWT.ON);
        int left = 64;
        int right = 8;
        int top = 20;
        boolean ramp = series.size() > 6;
        int bottom = 18 + (ramp ? 14 : 14 * ((series.size() + 3) / 4));
        int w = Math.max(10, area.width - left - right);
        int h = Math.max(10, area.height - top - bottom);
        Color fg = getDisplay().getSystemColor(SWT.COLOR_BLACK);
        Color grid = getDisplay().getSystemColor(SWT.COLOR_GRAY);
        gc.setForeground(fg);
        gc.drawString(title + (note.isEmpty() ? "" : "  —  " + note), 4, 2, true);
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min == Double.MAX_VALUE) {
            min = 0;
            max = 1;
        }
        if (fixedMin != null) {
            min = fixedMin;
        } else {
            min = Math.min(0, min);
        }
        if (fixedMax != null) {
            max = fixedMax;
        }
        if (max <= min) {
            max = min + 1;
        }
        // grid and y labels
        gc.setLineWidth(1);
        for (int i = 0; i <= 4; i++) {
            double v = min + (max - min) * i / 4;
            int y = top + h - (int) Math.round(h * (double) i / 4);
            gc.setForeground(grid);
            gc.setLineStyle(SWT.LINE_DOT);
            gc.drawLine(left, y, left + w, y);
            gc.setLineStyle(SWT.LINE_SOLID);
            gc.setForeground(fg);
            String label = yFormat.format(v);
            Point ext = gc.textExtent(label);
            gc.drawString(label, left - 4 - ext.x, y - ext.y / 2, true);
        }
        gc.drawRectangle(left, top, w, h);
        int n = times.length;
        if (n > 0) {
            long t0 = times[0];
            long t1 = times[n - 1];
            double span = Math.max(1, t1 - t0);
            for (Series s : series) {
                double[] vs = s.values();
                int[] pts = new int[2 * vs.length];
                int m = 0;
                for (int i = 0; i < vs.length && i < n; i++) {
                    if (Double.isNaN(vs[i])) {
                        continue;
                    }
                    int x = left + (n == 1 ? w : (int) Math.round(w * (times[i] - t0) / span));
                    int y = top + h - (int) Math.round(h * (vs[i] - min) / (max - min));
                    pts[m++] = x;
                    pts[m++] = Math.max(top, Math.min(top + h, y));
                }
                Color c = new Color(new RGB((s.colour() >> 16) & 0xff, (s.colour() >> 8) & 0xff, s.colour() & 0xff));
                gc.setForeground(c);
                gc.setBackground(c);
                gc.setLineWidth(2);
                if (m >= 4) {
                    int[] p = new int[m];
                    System.arraycopy(pts, 0, p, 0, m);
                    gc.drawPolyline(p);
                } else if (m == 2) {
                    gc.fillOval(pts[0] - 2, pts[1] - 2, 5, 5);
                }
            }
            gc.setLineWidth(1);
            gc.setForeground(fg);
            String span0 = n > 1 ? String.format("last %.0f s", (t1 - t0) / 1e9) : "1 sample";
            gc.drawString(span0, left + w - gc.textExtent(span0).x, top + h + 2, true);
        } else {
            gc.drawString("no data", left + 8, top + 8, true);
        }
        // legend: a colour ramp when there are many series (one per order)
        if (ramp) {
            int ly = top + h + 16;
            int lx = left;
            gc.setForeground(fg);
            gc.drawString(series.get(0).name(), lx, ly, true);
            lx += gc.textExtent(series.get(0).name()).x + 4;
            int rw = Math.min(200, w / 2);
            for (int i = 0; i < series.size(); i++) {
                int c = series.get(i).colour();
                gc.setBackground(new Color(new RGB((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff)));
                gc.fillRectangle(lx + i * rw / series.size(), ly + 3, rw / series.size() + 1, 9);
            }
            String last = series.get(series.size() - 1).name();
            gc.drawString(last, lx + rw + 4, ly, true);
            return;
        }
        int lx = left;
        int ly = top + h + 16;
        int col = 0;
        for (Series s : series) {
            Color c = new Color(new RGB((s.colour() >> 16) & 0xff, (s.colour() >> 8) & 0xff, s.colour() & 0xff));
            gc.setBackground(c);
            gc.fillRectangle(lx, ly + 4, 10, 6);
            gc.setForeground(fg);
            gc.drawString(s.name(), lx + 14, ly, true);
            lx += Math.max(90, w / 4);
            if (++col % 4 == 0) {
                lx = left;
                ly += 14;
            }
        }
    }
}
