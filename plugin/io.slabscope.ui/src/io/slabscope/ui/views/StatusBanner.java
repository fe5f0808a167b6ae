package io.slabscope.ui.views;

import io.slabscope.ui.data.Session;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/**
 * The line at the top of each Slabscope view: what is shown (target, time) or, in red, that the
 * target went away, with a Reconnect button.
 */
public final class StatusBanner extends Composite {
    private final Label text;
    private final Button reconnect;
    private final Session session;

    public StatusBanner(Composite parent, Session session) {
        super(parent, SWT.NONE);
        this.session = session;
        GridLayout gl = new GridLayout(2, false);
        gl.marginHeight = 2;
        gl.marginWidth = 4;
        setLayout(gl);
        text = new Label(this, SWT.NONE);
        text.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        reconnect = new Button(this, SWT.PUSH);
        reconnect.setText("Reconnect");
        reconnect.setLayoutData(new GridData(SWT.END, SWT.CENTER, false, false));
        reconnect.addListener(SWT.Selection, e -> session.reconnect());
        update(session);
    }

    /** Shows the session's state (UI thread). */
    public void update(Session s) {
        if (isDisposed()) {
            return;
        }
        Session.State st = s.state();
        text.setText(s.message());
        text.setToolTipText(s.message());
        int colour = switch (st) {
            case DISCONNECTED -> SWT.COLOR_RED;
            case RECORDING -> SWT.COLOR_DARK_BLUE;
            case CONNECTED -> SWT.COLOR_DARK_GREEN;
            default -> SWT.COLOR_DARK_GRAY;
        };
        text.setForeground(getDisplay().getSystemColor(colour));
        boolean show = st == Session.State.DISCONNECTED;
        reconnect.setVisible(show);
        ((GridData) reconnect.getLayoutData()).exclude = !show;
        layout(true);
    }

    public String text() {
        return text.getText();
    }

    public boolean disconnectedShown() {
        return session.state() == Session.State.DISCONNECTED && reconnect.getVisible();
    }
}
