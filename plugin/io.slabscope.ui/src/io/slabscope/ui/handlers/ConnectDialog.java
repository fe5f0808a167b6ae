package io.slabscope.ui.handlers;

import io.slabscope.ui.data.DataSource;
import io.slabscope.ui.data.JmxDataSource;
import io.slabscope.ui.data.LocalTargets;
import io.slabscope.ui.data.LocalTargets.Target;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.ProgressMonitorDialog;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;

/**
 * Connect to a target, as jconsole does: a local process (under the shim: read through /dev/shm;
 * a JVM: JMX through the Attach API) or a remote JMX URL with user and password.
 */
public final class ConnectDialog extends TitleAreaDialog {
    private Button localRadio;
    private Button remoteRadio;
    private Table table;
    private Text url;
    private Text user;
    private Text password;
    private List<Target> targets = List.of();
    private DataSource result;

    public ConnectDialog(Shell parent) {
        super(parent);
    }

    public DataSource result() {
        return result;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Slabscope: Connect");
    }

    @Override
    protected boolean isResizable() {
        return true;
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle("Connect to a process");
        setMessage("A local process under libslabscope.so (shared memory: counters, caches and page layout), a "
                + "local JVM with the Slabscope agent, or a remote JMX agent.");
        Composite c = new Composite(area, SWT.NONE);
        c.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        c.setLayout(new GridLayout(2, false));
        localRadio = new Button(c, SWT.RADIO);
        localRadio.setText("Local process:");
        localRadio.setSelection(true);
        localRadio.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Button refresh = new Button(c, SWT.PUSH);
        refresh.setText("Refresh");
        refresh.addListener(SWT.Selection, e -> fill());
        table = new Table(c, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        table.setHeaderVisible(true);
        GridData td = new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1);
        td.heightHint = 200;
        td.widthHint = 640;
        table.setLayoutData(td);
        for (String[] col : new String[][] {{"PID", "70"}, {"Program", "420"}, {"Read through", "150"}}) {
            TableColumn tc = new TableColumn(table, SWT.NONE);
            tc.setText(col[0]);
            tc.setWidth(Integer.parseInt(col[1]));
        }
        table.addListener(SWT.Selection, e -> localRadio.setSelection(true));
        table.addListener(SWT.DefaultSelection, e -> okPressed());
        if (!LocalTargets.attachAvailable()) {
            Label l = new Label(c, SWT.WRAP);
            l.setText("The Attach API (jdk.attach) is not visible here: only processes under the shim are listed.");
            l.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        }
        remoteRadio = new Button(c, SWT.RADIO);
        remoteRadio.setText("Remote JMX (service:jmx:… URL or host:port):");
        remoteRadio.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        url = field(c, "URL:", SWT.BORDER);
        user = field(c, "User:", SWT.BORDER);
        password = field(c, "Password:", SWT.BORDER | SWT.PASSWORD);
        url.addListener(SWT.Modify, e -> {
            remoteRadio.setSelection(true);
            localRadio.setSelection(false);
        });
        fill();
        return area;
    }

    private static Text field(Composite c, String label, int style) {
        Label l = new Label(c, SWT.NONE);
        l.setText(label);
        Text t = new Text(c, style);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        return t;
    }

    private void fill() {
        targets = LocalTargets.list();
        table.removeAll();
        for (Target t : targets) {
            TableItem it = new TableItem(table, SWT.NONE);
            it.setText(new String[] {Integer.toString(t.pid()), t.name(), t.how()});
        }
        if (!targets.isEmpty()) {
            table.select(0);
        }
    }

    @Override
    protected void okPressed() {
        try {
            if (remoteRadio.getSelection()) {
                String u = url.getText().trim();
                if (u.isEmpty()) {
                    setErrorMessage("Enter a JMX service URL or host:port");
                    return;
                }
                String us = user.getText();
                String pw = password.getText();
                result = busy(() -> JmxDataSource.connect(u, us, pw));
            } else {
                int i = table.getSelectionIndex();
                if (i < 0 || i >= targets.size()) {
                    setErrorMessage("Select a process (none listed? start one under the shim: slabscope run -- CMD)");
                    return;
                }
                Target t = targets.get(i);
                result = busy(() -> LocalTargets.open(t));
            }
        } catch (IOException | RuntimeException e) {
            setErrorMessage("Cannot connect: " + e.getMessage());
            return;
        }
        super.okPressed();
    }

    private interface Opener {
        DataSource open() throws IOException;
    }

    /**
     * Opens the source off the UI thread, under a progress dialog: a JMX connection can take
     * seconds (an RMI handshake, then up to JmxDataSource.AGENT_WAIT_MILLIS for the agent's MBeans,
     * which it registers once the attach has made the platform MBean server), and an
     * unreachable host until the network gives up. Cancel returns to this dialog at once; a
     * connection that still comes about later is closed.
     */
    private DataSource busy(Opener o) throws IOException {
        CompletableFuture<DataSource> opening = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                opening.complete(o.open());
            } catch (IOException | RuntimeException e) {
                opening.completeExceptionally(e);
            }
        }, "slabscope-connect");
        t.setDaemon(true);
        t.start();
        try {
            new ProgressMonitorDialog(getShell()).run(true, true, monitor -> {
                monitor.beginTask("Connecting", IProgressMonitor.UNKNOWN);
                try {
                    while (!opening.isDone()) {
                        if (monitor.isCanceled()) {
                            throw new InterruptedException("cancelled");
                        }
                        try {
                            opening.get(100, TimeUnit.MILLISECONDS);
                        } catch (TimeoutException | ExecutionException e) {
                            // still waiting, or failed: looked at below
                        }
                    }
                } finally {
                    monitor.done();
                }
            });
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            opening.thenAccept(DataSource::close);          // too late: not wanted any more
            throw new IOException("cancelled", e);
        }
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, IDialogConstants.OK_ID, "Connect", true);
        createButton(parent, IDialogConstants.CANCEL_ID, IDialogConstants.CANCEL_LABEL, false);
    }
}
