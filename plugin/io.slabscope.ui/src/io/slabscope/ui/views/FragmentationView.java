package io.slabscope.ui.views;

import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;

/** The Fragmentation view: charts over the session's history. */
public final class FragmentationView extends SessionView {
    public static final String ID = "io.slabscope.ui.views.fragmentation";
    private FragmentationPanel panel;

    @Override
    protected Control createBody(Composite parent) {
        panel = new FragmentationPanel(parent);
        return panel;
    }

    @Override
    protected void showFrame() {
        panel.setHistory(session.history().frames());
    }

    public FragmentationPanel panel() {
        return panel;
    }
}
