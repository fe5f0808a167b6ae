package io.slabscope.ui.data;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

/**
 * What the Slabscope views show: the current frame and the history of one target, live or from a
 * recording, and the cache selected in the Slab Caches view. Live targets are polled by a
 * {@link Job} (never the UI thread); when the target goes away the session says so and tries to
 * reopen it every {@link #RECONNECT_MS} ms. Listeners are called on the polling thread: views
 * hand the work to the UI thread with asyncExec.
 */
public final class Session {
    public static final long DEFAULT_INTERVAL_MS = 1000;
    public static final long RECONNECT_MS = 2000;
    public static final int HISTORY = 600;

    /** Where the session stands. */
    public enum State {
        /** Nothing connected. */
        IDLE,
        /** A live target answered the last poll. */
        CONNECTED,
        /** The live target went away or cannot be read; reconnecting. */
        DISCONNECTED,
        /** Showing a moment of a recording. */
        RECORDING
    }

    /** Called (on any thread) when the frame, the state or the selected cache changed. */
    public interface Listener {
        void sessionChanged(Session session, boolean frameChanged);
    }

    private static final Session DEFAULT = new Session();

    /** A session of its own (tests); the workbench uses {@link #getDefault()}. */
    public Session() {
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile History history = new History(HISTORY);
    private volatile Frame frame;
    private volatile State state = State.IDLE;
    private volatile String message = "Not connected: Slabscope > Connect… or File > Open Recording…";
    private volatile String target = "";
    private volatile String selectedCache;
    private volatile long intervalMs = DEFAULT_INTERVAL_MS;
    private volatile long lastPollNanos;
    private Poller poller;

    /** The workbench's session. */
    public static Session getDefault() {
        return DEFAULT;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    public Frame frame() {
        return frame;
    }

    public History history() {
        return history;
    }

    public State state() {
        return state;
    }

    public String message() {
        return message;
    }

    public String target() {
        return target;
    }

    public String selectedCache() {
        return selectedCache;
    }

    /** How long the last poll took, ns. */
    public long lastPollNanos() {
        return lastPollNanos;
    }

    public void setInterval(long ms) {
        this.intervalMs = Math.max(50, ms);
    }

    public long interval() {
        return intervalMs;
    }

    public void selectCache(String name) {
        String old = selectedCache;
        selectedCache = name;
        if (old == null ? name != null : !old.equals(name)) {
            fire(false);
        }
    }

    /** Starts polling a live source (the previous one is closed). */
    public synchronized void connect(DataSource source) {
        stopPolling();
        history = new History(HISTORY);
        frame = null;
        target = source.describe();
        state = State.CONNECTED;
        message = "Connecting to " + target + "…";
        fire(true);
        poller = new Poller(source);
        poller.schedule();
    }

    /** Stops polling and forgets the target. */
    public synchronized void disconnect() {
        stopPolling();
        state = State.IDLE;
        message = "Disconnected from " + target + ": Slabscope > Connect… to pick a target";
        fire(false);
    }

    /** Tries the live target again now. */
    public synchronized void reconnect() {
        if (poller != null) {
            poller.cancel();
            poller.schedule();
        }
    }

    /** Shows one moment of a recording: its frame, and its history up to that moment. */
    public synchronized void showRecording(String name, Frame f, List<Frame> upTo) {
        stopPolling();
        history = new History(upTo);
        frame = f;
        target = name;
        state = State.RECORDING;
        message = "Recording " + name + " at " + Formats.time(f.timeNanos());
        fire(true);
    }

    /** Shows a single frame (tests, screenshots of a known state). */
    public synchronized void showFrame(String name, Frame f) {
        stopPolling();
        history.add(f);
        frame = f;
        target = name;
        state = State.CONNECTED;
        message = name;
        fire(true);
    }

    private void stopPolling() {
        if (poller != null) {
            poller.stop();
            poller = null;
        }
    }

    /** Blocks until the poller has stopped (tests). */
    public void join() throws InterruptedException {
        Poller p;
        synchronized (this) {
            p = poller;
        }
        if (p != null) {
            p.join();
        }
    }

    private void fire(boolean frameChanged) {
        for (Listener l : listeners) {
            try {
                l.sessionChanged(this, frameChanged);
            } catch (RuntimeException e) {
                // a broken view must not stop the others
                e.printStackTrace();
            }
        }
    }

    /** Polls the source; after a failure closes it and tries to reopen it every RECONNECT_MS. */
    private final class Poller extends Job {
        private final DataSource origin;
        private volatile DataSource source;
        private volatile boolean stopped;

        Poller(DataSource source) {
            super("Slabscope: polling " + source.describe());
            this.origin = source;
            this.source = source;
            setSystem(true);
        }

        void stop() {
            stopped = true;
            cancel();
            DataSource s = source;
            if (s != null) {
                s.close();
            }
        }

        @Override
        protected IStatus run(IProgressMonitor monitor) {
            if (stopped) {
                return Status.CANCEL_STATUS;
            }
            if (source == null) {
                try {
                    source = origin.reopen();
                } catch (IOException | RuntimeException e) {
                    disconnected(e);
                    return Status.OK_STATUS;
                }
            }
            long t0 = System.nanoTime();
            try {
                Frame f = source.poll();
                lastPollNanos = System.nanoTime() - t0;
                if (stopped) {
                    return Status.CANCEL_STATUS;
                }
                history.add(f);
                frame = f;
                state = State.CONNECTED;
                message = "Connected to " + target + ", updated " + Formats.time(f.timeNanos());
                fire(true);
                schedule(intervalMs);
            } catch (IOException | RuntimeException e) {
                DataSource s = source;
                source = null;
                if (s != null) {
                    s.close();
                }
                disconnected(e);
            }
            return Status.OK_STATUS;
        }

        private void disconnected(Exception e) {
            if (stopped) {
                return;
            }
            state = State.DISCONNECTED;
            message = "Disconnected from " + target + ": " + describe(e) + " (retrying every "
                    + RECONNECT_MS / 1000 + " s)";
            fire(false);
            schedule(RECONNECT_MS);
        }

        @Override
        public boolean belongsTo(Object family) {
            return family == Session.this;
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
