package io.slabscope.ui.views;

import io.slabscope.ui.data.Frame;
import java.util.Objects;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;

/** The Heap Layout view. */
public final class HeapLayoutView extends SessionView {
    public static final String ID = "io.slabscope.ui.views.heapLayout";
    private HeapLayoutPanel panel;
    private String shownHighlight;

    @Override
    protected Control createBody(Composite parent) {
        panel = new HeapLayoutPanel(parent);
        return panel;
    }

    @Override
    protected void showFrame() {
        Frame f = session.frame();
        if (f != null) {
            panel.setFrame(f);
        }
    }

    @Override
    protected void showSelection() {
        String sel = session.selectedCache();
        if (!Objects.equals(sel, shownHighlight)) {
            shownHighlight = sel;
            panel.setHighlight(sel);
        }
    }

    public HeapLayoutPanel panel() {
        return panel;
    }
}
