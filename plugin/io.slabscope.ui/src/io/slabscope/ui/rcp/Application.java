package io.slabscope.ui.rcp;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.PlatformUI;

/**
 * The Slabscope RCP application. Options after the launcher's arguments:
 * <pre>
 *   -slabscope.pid PID          connect to a local process at start (shared memory, else JMX)
 *   -slabscope.jmx URL          connect to a JMX agent (host:port or service:jmx:...)
 *   -slabscope.open FILE.jfr    open a recording
 *   -slabscope.tour SECONDS     maximise each view in turn (screenshots): prints "SHOT name" each time
 * </pre>
 */
public final class Application implements IApplication {
    @Override
    public Object start(IApplicationContext context) {
        String[] args = (String[]) context.getArguments().get(IApplicationContext.APPLICATION_ARGS);
        Display display = PlatformUI.createDisplay();
        try {
            int rc = PlatformUI.createAndRunWorkbench(display, new SlabscopeWorkbenchAdvisor(args));
            return rc == PlatformUI.RETURN_RESTART ? IApplication.EXIT_RESTART : IApplication.EXIT_OK;
        } finally {
            display.dispose();
        }
    }

    @Override
    public void stop() {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        IWorkbench wb = PlatformUI.getWorkbench();
        Display d = wb.getDisplay();
        d.syncExec(() -> {
            if (!d.isDisposed()) {
                wb.close();
            }
        });
    }
}
