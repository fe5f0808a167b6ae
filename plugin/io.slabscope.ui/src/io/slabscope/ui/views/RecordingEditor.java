package io.slabscope.ui.views;

import io.slabscope.ui.data.Recording;
import io.slabscope.ui.data.RecordingReader;
import io.slabscope.ui.data.Session;
import java.net.URI;
import java.nio.file.Path;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorSite;
import org.eclipse.ui.IPathEditorInput;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.part.EditorPart;

/**
 * The editor of *.jfr files: reads the recording in a Job and shows it in a {@link RecordingPanel}.
 * Takes any input that names a local file (RCP's RecordingEditorInput, the IDE's workspace
 * files and external files).
 */
public final class RecordingEditor extends EditorPart {
    public static final String ID = "io.slabscope.ui.editors.recording";
    private RecordingPanel panel;
    private Path file;

    @Override
    public void init(IEditorSite site, IEditorInput input) throws PartInitException {
        setSite(site);
        setInput(input);
        file = pathOf(input);
        if (file == null) {
            throw new PartInitException("Slabscope opens .jfr files on the local file system only: " + input.getName());
        }
        setPartName(input.getName());
    }

    static Path pathOf(IEditorInput input) {
        if (input instanceof RecordingEditorInput r) {
            return r.file();
        }
        if (input instanceof IPathEditorInput p) {
            return p.getPath().toFile().toPath();
        }
        try {
            // the IDE's external files (FileStoreEditorInput): IURIEditorInput of org.eclipse.ui.ide
            Object o = input.getClass().getMethod("getURI").invoke(input);
            if (o instanceof URI uri && "file".equals(uri.getScheme())) {
                return Path.of(uri);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a URI input
        }
        IPathEditorInput p = input.getAdapter(IPathEditorInput.class);
        return p == null ? null : p.getPath().toFile().toPath();
    }

    @Override
    public void createPartControl(Composite parent) {
        panel = new RecordingPanel(parent, Session.getDefault());
        load();
    }

    private void load() {
        Job job = new Job("Reading " + file.getFileName()) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                monitor.beginTask("Reading " + file.getFileName(), IProgressMonitor.UNKNOWN);
                try {
                    Recording r = RecordingReader.read(file, RecordingReader.stall(), new RecordingReader.Progress() {
                        @Override
                        public void eventsRead(long events) {
                            monitor.subTask(String.format("%,d events", events));
                        }

                        @Override
                        public boolean cancelled() {
                            return monitor.isCanceled();
                        }
                    });
                    asyncShow(() -> panel.setRecording(r));
                } catch (RecordingReader.RecordingException e) {
                    asyncShow(() -> panel.setError(e.getMessage()));
                    if (monitor.isCanceled()) {
                        return Status.CANCEL_STATUS;
                    }
                } catch (RuntimeException e) {
                    asyncShow(() -> panel.setError("Cannot read " + file.getFileName() + ": " + e));
                } finally {
                    monitor.done();
                }
                return Status.OK_STATUS;
            }
        };
        job.setUser(false);
        job.schedule();
    }

    private void asyncShow(Runnable r) {
        if (panel.isDisposed()) {
            return;
        }
        panel.getDisplay().asyncExec(() -> {
            if (!panel.isDisposed()) {
                r.run();
            }
        });
    }

    public RecordingPanel panel() {
        return panel;
    }

    @Override
    public void setFocus() {
        panel.setFocus();
    }

    @Override
    public void doSave(IProgressMonitor monitor) {
    }

    @Override
    public void doSaveAs() {
    }

    @Override
    public boolean isDirty() {
        return false;
    }

    @Override
    public boolean isSaveAsAllowed() {
        return false;
    }
}
