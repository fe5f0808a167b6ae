package io.slabscope.ui.rcp;

import io.slabscope.ui.data.DataSource;
import io.slabscope.ui.data.JmxDataSource;
import io.slabscope.ui.data.LocalTargets;
import io.slabscope.ui.data.Session;
import io.slabscope.ui.handlers.OpenRecordingHandler;
import io.slabscope.ui.views.FragmentationView;
import io.slabscope.ui.views.HeapLayoutView;
import io.slabscope.ui.views.SlabCachesView;
import java.nio.file.Path;
import org.eclipse.jface.action.IMenuManager;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.Separator;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbenchActionConstants;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.actions.ActionFactory;
import org.eclipse.ui.application.ActionBarAdvisor;
import org.eclipse.ui.application.IActionBarConfigurer;
import org.eclipse.ui.application.IWorkbenchConfigurer;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;

/** The RCP workbench: one window in the Slabscope perspective, File and Slabscope menus. */
public final class SlabscopeWorkbenchAdvisor extends WorkbenchAdvisor {
    private final String[] args;

    public SlabscopeWorkbenchAdvisor(String[] args) {
        this.args = args == null ? new String[0] : args;
    }

    @Override
    public void initialize(IWorkbenchConfigurer configurer) {
        configurer.setSaveAndRestore(false);
    }

    @Override
    public String getInitialWindowPerspectiveId() {
        return SlabscopePerspective.ID;
    }

    @Override
    public WorkbenchWindowAdvisor createWorkbenchWindowAdvisor(IWorkbenchWindowConfigurer configurer) {
        return new WorkbenchWindowAdvisor(configurer) {
            @Override
            public void preWindowOpen() {
                IWorkbenchWindowConfigurer c = getWindowConfigurer();
                c.setInitialSize(new Point(1400, 900));
                c.setShowMenuBar(true);
                c.setShowStatusLine(true);
                c.setShowCoolBar(false);
                c.setTitle("Slabscope");
            }

            @Override
            public ActionBarAdvisor createActionBarAdvisor(IActionBarConfigurer abc) {
                return new ActionBarAdvisor(abc) {
                    @Override
                    protected void fillMenuBar(IMenuManager menuBar) {
                        IWorkbenchWindow w = getActionBarConfigurer().getWindowConfigurer().getWindow();
                        MenuManager file = new MenuManager("&File", IWorkbenchActionConstants.M_FILE);
                        file.add(new Separator("open.ext"));
                        file.add(new Separator(IWorkbenchActionConstants.MB_ADDITIONS));
                        file.add(new Separator());
                        var quit = ActionFactory.QUIT.create(w);
                        register(quit);
                        file.add(quit);
                        menuBar.add(file);
                        menuBar.add(new Separator(IWorkbenchActionConstants.MB_ADDITIONS));
                    }
                };
            }

            @Override
            public void postWindowOpen() {
                IWorkbenchWindow w = getWindowConfigurer().getWindow();
                Thread t = new Thread(() -> applyArguments(w), "slabscope-arguments");
                t.setDaemon(true);
                t.start();
            }
        };
    }

    /**
     * The start-up arguments, in order, off the UI thread: opening a source may wait for a
     * JMX connection and for the agent's MBeans (seconds), which must not freeze the window.
     * What touches the workbench (a recording, the tour) runs on the UI thread.
     */
    private void applyArguments(IWorkbenchWindow w) {
        Display d = w.getShell().getDisplay();
        for (int i = 0; i + 1 < args.length; i++) {
            String v = args[i + 1];
            try {
                switch (args[i]) {
                    case "-slabscope.pid" -> connect(LocalTargets.list().stream()
                            .filter(t -> t.pid() == Integer.parseInt(v)).findFirst()
                            .map(t -> {
                                try {
                                    return LocalTargets.open(t);
                                } catch (java.io.IOException e) {
                                    throw new IllegalStateException(e.getMessage(), e);
                                }
                            }).orElseThrow(() -> new IllegalStateException("no process " + v
                                    + " under the shim or JVM")));
                    case "-slabscope.jmx" -> connect(JmxDataSource.connect(v, null, null));
                    case "-slabscope.open" -> onUiThread(d, () -> OpenRecordingHandler.open(w, Path.of(v)));
                    case "-slabscope.tour" -> onUiThread(d, () -> tour(w, Integer.parseInt(v)));
                    default -> {
                    }
                }
            } catch (Exception e) {
                System.err.println("slabscope: " + args[i] + " " + v + ": " + e.getMessage());
            }
        }
    }

    /** Session.connect is thread-safe: the views pick the new source up on their own. */
    private static void connect(DataSource s) {
        Session.getDefault().connect(s);
    }

    private static void onUiThread(Display d, Runnable r) {
        RuntimeException[] failure = {null};
        if (d.isDisposed()) {
            return;
        }
        d.syncExec(() -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Maximises each view in turn for {@code seconds}, saying so on stdout (the screenshot script waits for it). */
    private static void tour(IWorkbenchWindow w, int seconds) {
        String[] ids = {null, HeapLayoutView.ID, SlabCachesView.ID, FragmentationView.ID};
        String[] names = {"perspective", "heap-layout", "slab-caches", "fragmentation"};
        Display d = w.getShell().getDisplay();
        Runnable[] step = new Runnable[1];
        int[] i = {0};
        step[0] = () -> {
            IWorkbenchPage page = w.getActivePage();
            if (page == null || w.getShell().isDisposed()) {
                return;
            }
            if (i[0] > 0) {
                page.resetPerspective();
            }
            if (i[0] >= ids.length) {
                System.out.println("TOUR DONE");
                System.out.flush();
                return;
            }
            if (ids[i[0]] != null) {
                var ref = page.findViewReference(ids[i[0]]);
                if (ref != null) {
                    page.activate(ref.getPart(true));
                    page.setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
                }
            }
            String name = names[i[0]];
            i[0]++;
            // let the view repaint with a fresh frame first
            d.timerExec(seconds * 1000, () -> {
                System.out.println("SHOT " + name);
                System.out.flush();
                d.timerExec(1500, step[0]);
            });
        };
        d.timerExec(seconds * 1000, step[0]);
    }

    static boolean running() {
        return PlatformUI.isWorkbenchRunning();
    }
}
