package io.slabscope.ui.handlers;

import io.slabscope.ui.views.RecordingEditor;
import io.slabscope.ui.views.RecordingEditorInput;
import java.nio.file.Path;
import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;

/** File > Open Recording…: a .jfr file in the recording editor. */
public final class OpenRecordingHandler extends AbstractHandler {
    @Override
    public Object execute(ExecutionEvent event) {
        IWorkbenchWindow w = HandlerUtil.getActiveWorkbenchWindow(event);
        FileDialog fd = new FileDialog(w.getShell(), SWT.OPEN);
        fd.setText("Open a Flight Recording");
        fd.setFilterExtensions(new String[] {"*.jfr", "*"});
        fd.setFilterNames(new String[] {"Flight Recordings (*.jfr)", "All files"});
        String f = fd.open();
        if (f != null) {
            open(w, Path.of(f));
        }
        return null;
    }

    public static RecordingEditor open(IWorkbenchWindow w, Path file) {
        try {
            ShowViews.show(w);
            return (RecordingEditor) w.getActivePage().openEditor(new RecordingEditorInput(file), RecordingEditor.ID);
        } catch (PartInitException e) {
            org.eclipse.jface.dialogs.MessageDialog.openError(w.getShell(), "Slabscope", e.getMessage());
            return null;
        }
    }
}
