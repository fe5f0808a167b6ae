package io.slabscope.ui.handlers;

import io.slabscope.ui.data.Session;
import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;

/** Slabscope > Disconnect. */
public final class DisconnectHandler extends AbstractHandler {
    @Override
    public Object execute(ExecutionEvent event) {
        Session.getDefault().disconnect();
        return null;
    }
}
