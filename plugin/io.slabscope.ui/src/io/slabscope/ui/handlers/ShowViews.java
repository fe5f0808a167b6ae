package io.slabscope.ui.handlers;

import io.slabscope.ui.rcp.SlabscopePerspective;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.WorkbenchException;

/** Brings up the Slabscope perspective. */
final class ShowViews {
    private ShowViews() {
    }

    static void show(IWorkbenchWindow w) {
        if (w == null || w.getActivePage() == null) {
            return;
        }
        try {
            var p = w.getActivePage().getPerspective();
            if (p == null || !SlabscopePerspective.ID.equals(p.getId())) {
                w.getWorkbench().showPerspective(SlabscopePerspective.ID, w);
            }
        } catch (WorkbenchException e) {
            // stay in the current perspective
        }
    }
}
