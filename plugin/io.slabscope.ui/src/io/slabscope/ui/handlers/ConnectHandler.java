package io.slabscope.ui.handlers;

import io.slabscope.ui.data.Session;
import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.jface.window.Window;
import org.eclipse.ui.handlers.HandlerUtil;

/** Slabscope > Connect…: pick a target, the views follow it. */
public final class ConnectHandler extends AbstractHandler {
    @Override
    public Object execute(ExecutionEvent event) {
        ConnectDialog d = new ConnectDialog(HandlerUtil.getActiveShell(event));
        if (d.open() == Window.OK && d.result() != null) {
            Session.getDefault().connect(d.result());
            ShowViews.show(HandlerUtil.getActiveWorkbenchWindow(event));
        }
        return null;
    }
}
