package io.slabscope.ui.tests;

import java.util.function.BooleanSupplier;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;

/** A Display and Shell for plain SWT tests, and an event loop that runs until a condition holds. */
public final class Ui {
    private Ui() {
    }

    public static Display display() {
        Display d = Display.getCurrent();
        return d != null ? d : new Display();
    }

    public static Shell shell(int w, int h) {
        Shell s = new Shell(display());
        s.setLayout(new org.eclipse.swt.layout.FillLayout());
        s.setSize(w, h);
        return s;
    }

    /** Runs the event loop until {@code done} or {@code timeoutMs}; returns whether it got done. */
    public static boolean spinUntil(BooleanSupplier done, long timeoutMs) {
        Display d = display();
        long end = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                return false;
            }
            if (!d.readAndDispatch()) {
                d.timerExec(20, () -> { });
                d.sleep();
            }
        }
        return true;
    }

    /** Lets pending events (resize, paint, asyncExec) run. */
    public static void flush() {
        Display d = display();
        for (int i = 0; i < 50 && d.readAndDispatch(); i++) {
            // drain
        }
    }
}
