package io.slabscope.ui.views;

import io.slabscope.ui.data.Session;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.ui.part.ViewPart;

/** A Slabscope view: the status banner above a panel that follows the session. */
public abstract class SessionView extends ViewPart implements Session.Listener {
    protected final Session session = Session.getDefault();
    private StatusBanner banner;
    private UiRefresh refresh;
    private Control body;
    private volatile boolean frameDirty = true;

    @Override
    public final void createPartControl(Composite parent) {
        GridLayout gl = new GridLayout(1, false);
        gl.marginWidth = 0;
        gl.marginHeight = 0;
        gl.verticalSpacing = 0;
        parent.setLayout(gl);
        banner = new StatusBanner(parent, session);
        banner.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        body = createBody(parent);
        body.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        refresh = new UiRefresh(body, this::refreshUi);
        session.addListener(this);
        refreshUi();
    }

    protected abstract Control createBody(Composite parent);

    /** Shows the session's current frame (UI thread). */
    protected abstract void showFrame();

    /** The selected cache changed (UI thread). */
    protected void showSelection() {
    }

    @Override
    public void sessionChanged(Session s, boolean frameChanged) {
        if (frameChanged) {
            frameDirty = true;
        }
        refresh.request();
    }

    private void refreshUi() {
        banner.update(session);
        if (frameDirty) {
            frameDirty = false;
            showFrame();
        }
        showSelection();
    }

    @Override
    public void setFocus() {
        body.setFocus();
    }

    @Override
    public void dispose() {
        session.removeListener(this);
        super.dispose();
    }
}
