package io.slabscope.ui.views;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;

/**
 * Hands an update to the UI thread with asyncExec, at most one pending at a time: a burst of
 * session events costs one repaint, and the polling thread never waits for the UI.
 */
public final class UiRefresh {
    private final Control control;
    private final Runnable work;
    private final AtomicBoolean pending = new AtomicBoolean();

    public UiRefresh(Control control, Runnable work) {
        this.control = control;
        this.work = work;
    }

    public void request() {
        if (control.isDisposed() || !pending.compareAndSet(false, true)) {
            return;
        }
        Display d = control.getDisplay();
        d.asyncExec(() -> {
            pending.set(false);
            if (!control.isDisposed()) {
                work.run();
            }
        });
    }
}
