package io.slabscope.ui.views;

import io.slabscope.ui.data.Frame;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;

/** The Slab Caches view: slabtop for the target; the selection highlights pages in Heap Layout. */
public final class SlabCachesView extends SessionView {
    public static final String ID = "io.slabscope.ui.views.slabCaches";
    private SlabCachesPanel panel;

    @Override
    protected Control createBody(Composite parent) {
        panel = new SlabCachesPanel(parent);
        panel.onSelection(session::selectCache);
        return panel;
    }

    @Override
    protected void showFrame() {
        Frame f = session.frame();
        panel.setSnapshot(f == null ? null : f.snapshot());
    }

    public SlabCachesPanel panel() {
        return panel;
    }
}
