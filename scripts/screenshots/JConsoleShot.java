import java.awt.Component;
import java.awt.Container;
import java.awt.Frame;
import java.awt.Window;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JInternalFrame;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTree;
import javax.swing.SwingUtilities;
import javax.swing.tree.DefaultMutableTreeNode;
import javax.swing.tree.TreeNode;
import javax.swing.tree.TreePath;

/**
 * Drives JConsole for scripts/screenshots/jconsole.sh: connects it to PID, opens the MBeans tab,
 * expands io.slabscope and shows the attributes of io.slabscope:type=Allocator (or of the MBean
 * named by the second argument, a path of tree labels separated by '/'), then prints READY and
 * waits to be killed while the script takes the screenshot.
 *
 *   java --add-exports jdk.jconsole/sun.tools.jconsole=ALL-UNNAMED JConsoleShot.java PID [PATH]
 */
public class JConsoleShot {
    public static void main(String[] args) throws Exception {
        String pid = args[0];
        String[] path = (args.length > 1 ? args[1] : "io.slabscope/Allocator/Attributes").split("/");
        sun.tools.jconsole.JConsole.main(new String[] {"-interval=1", pid});

        // a local connection without SSL: JConsole asks first ("Secure connection failed. Retry insecurely?")
        try {
            waitFor(() -> {
                JButton insecure = find(JButton.class, b -> "Insecure connection".equals(b.getText()));
                if (insecure != null) {
                    insecure.doClick();
                }
                return insecure;
            }, 20);
        } catch (IllegalStateException e) {
            // connected without asking
        }
        JTabbedPane tabs = waitFor(() -> find(JTabbedPane.class, t -> indexOf(t, "MBeans") >= 0));
        SwingUtilities.invokeAndWait(() -> {
            for (Frame f : Frame.getFrames()) {
                if (f instanceof JFrame && f.isVisible()) {
                    f.setBounds(0, 0, 1280, 860);
                }
            }
            JInternalFrame inner = (JInternalFrame) SwingUtilities.getAncestorOfClass(JInternalFrame.class, tabs);
            if (inner != null) {
                try {
                    inner.setMaximum(true);
                } catch (java.beans.PropertyVetoException e) {
                    // stays as it is
                }
            }
            tabs.setSelectedIndex(indexOf(tabs, "MBeans"));
        });

        // the MBean tree fills in once the tab is shown
        JTree tree = waitFor(() -> find(JTree.class, t -> node(t, new String[] {path[0]}) != null));
        for (int i = 1; i <= path.length; i++) {
            String[] prefix = java.util.Arrays.copyOf(path, i);
            DefaultMutableTreeNode n = waitFor(() -> node(tree, prefix));
            SwingUtilities.invokeAndWait(() -> tree.expandPath(new TreePath(n.getPath())));
        }
        // show the slab caches too
        DefaultMutableTreeNode caches = node(tree, new String[] {path[0], "SlabCache"});
        SwingUtilities.invokeAndWait(() -> {
            if (caches != null) {
                tree.expandPath(new TreePath(caches.getPath()));
            }
            DefaultMutableTreeNode target = node(tree, path);
            TreePath tp = new TreePath(target.getPath());
            tree.setSelectionPath(tp);
            tree.scrollPathToVisible(tp);
            JSplitPane split = (JSplitPane) SwingUtilities.getAncestorOfClass(JSplitPane.class, tree);
            if (split != null) {
                split.setDividerLocation(300);
            }
        });
        Thread.sleep(4000);                         // two refreshes of the attribute values
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    static <T> T waitFor(Probe<T> probe) throws Exception {
        return waitFor(probe, 60);
    }

    static <T> T waitFor(Probe<T> probe, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            AtomicReference<T> r = new AtomicReference<>();
            SwingUtilities.invokeAndWait(() -> {
                try {
                    r.set(probe.get());
                } catch (Exception e) {
                    // not yet
                }
            });
            if (r.get() != null) {
                return r.get();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("JConsole did not show what was expected in time");
    }

    static int indexOf(JTabbedPane t, String title) {
        for (int i = 0; i < t.getTabCount(); i++) {
            if (title.equals(t.getTitleAt(i))) {
                return i;
            }
        }
        return -1;
    }

    static <T extends Component> T find(Class<T> type, java.util.function.Predicate<T> p) {
        List<Component> all = new ArrayList<>();
        for (Window w : Window.getWindows()) {
            collect(w, all);
        }
        for (Component c : all) {
            if (type.isInstance(c) && c.isShowing() && p.test(type.cast(c))) {
                return type.cast(c);
            }
        }
        return null;
    }

    static void collect(Component c, List<Component> out) {
        out.add(c);
        if (c instanceof Container k) {
            for (Component child : k.getComponents()) {
                collect(child, out);
            }
        }
        if (c instanceof JInternalFrame f) {
            collect(f.getContentPane(), out);
        }
    }

    /** The node reached by following labels from the root, or null. */
    static DefaultMutableTreeNode node(JTree tree, String[] labels) {
        Object root = tree.getModel().getRoot();
        if (!(root instanceof DefaultMutableTreeNode n)) {
            return null;
        }
        for (String label : labels) {
            DefaultMutableTreeNode next = null;
            for (Enumeration<TreeNode> e = n.children(); e.hasMoreElements();) {
                TreeNode c = e.nextElement();
                if (c instanceof DefaultMutableTreeNode d && label.equals(String.valueOf(d.getUserObject()))) {
                    next = d;
                }
            }
            if (next == null) {
                return null;
            }
            n = next;
        }
        return n;
    }
}
