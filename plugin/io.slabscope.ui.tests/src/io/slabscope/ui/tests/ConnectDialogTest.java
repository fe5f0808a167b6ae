package io.slabscope.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.ui.handlers.ConnectDialog;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.Test;

/**
 * The connect dialog against a JMX "server" that accepts the connection and never answers
 * (an RMI handshake that would wait for ever): Cancel in the progress dialog brings the
 * connect dialog back at once, with what happened said, and nothing connected.
 */
public class ConnectDialogTest {

    @Test
    void aHangingConnectionCanBeCancelled() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());   // kept open, never answered
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            }, "silent-jmx");
            acceptor.setDaemon(true);
            acceptor.start();

            Shell parent = Ui.shell(400, 300);
            ConnectDialog dialog = new ConnectDialog(parent);
            dialog.setBlockOnOpen(false);
            dialog.open();
            Shell shell = dialog.getShell();
            Text url = find(shell, Text.class, t -> (t.getStyle() & (SWT.PASSWORD | SWT.READ_ONLY)) == 0);
            url.setText("127.0.0.1:" + silent.getLocalPort());   // the first field; selects "Remote JMX"
            assertTrue(find(shell, Button.class, b -> b.getText().startsWith("Remote JMX")).getSelection());

            Display d = shell.getDisplay();
            boolean[] cancelled = {false};
            int[] tries = {0};
            Runnable[] pressCancel = new Runnable[1];
            pressCancel[0] = () -> {
                if (++tries[0] > 80) {                   // no Cancel for 8 s: end the hang, fail below
                    closeAll(accepted);
                    return;
                }
                for (Shell s : d.getShells()) {
                    if (s != shell && s != parent && !s.isDisposed() && s.isVisible()) {
                        Button cancel = findOrNull(s, Button.class, b -> b.getText().replace("&", "").equals("Cancel"));
                        if (cancel != null && cancel.isEnabled()) {
                            cancel.notifyListeners(SWT.Selection, null);
                            cancelled[0] = true;
                            return;
                        }
                    }
                }
                d.timerExec(100, pressCancel[0]);    // the progress dialog opens after a short delay
            };
            d.timerExec(1500, pressCancel[0]);
            long start = System.nanoTime();
            Button connect = find(shell, Button.class, b -> b.getText().equals("Connect"));
            connect.notifyListeners(SWT.Selection, null);   // returns when the progress dialog closes
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(cancelled[0], "the progress dialog offered Cancel");
            assertTrue(millis < 10_000, "back after " + millis + " ms");
            assertTrue(!accepted.isEmpty(), "the dialog did reach the silent server");
            assertEquals("Cannot connect: cancelled", dialog.getErrorMessage());
            assertTrue(!shell.isDisposed(), "the connect dialog stays open");
            assertNull(dialog.result(), "nothing connected");
            dialog.close();
            parent.dispose();
        } finally {
            closeAll(accepted);
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static <T extends Control> T find(Composite root, Class<T> type, Predicate<T> m) {
        T t = findOrNull(root, type, m);
        if (t == null) {
            throw new AssertionError("no " + type.getSimpleName() + " found");
        }
        return t;
    }

    private static <T extends Control> T findOrNull(Composite root, Class<T> type, Predicate<T> m) {
        for (Control c : root.getChildren()) {
            if (type.isInstance(c) && m.test(type.cast(c))) {
                return type.cast(c);
            }
            if (c instanceof Composite comp) {
                T t = findOrNull(comp, type, m);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }
}
