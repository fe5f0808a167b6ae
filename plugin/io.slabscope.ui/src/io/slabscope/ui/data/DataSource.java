package io.slabscope.ui.data;

import java.io.IOException;

/** A live target: polled by the session's job, never on the UI thread. */
public interface DataSource extends AutoCloseable {

    /** Short description for the status banner, e.g. "pid 1234 /usr/bin/python3 (shared memory)". */
    String describe();

    /** The current state of the target. Throws when the target went away or cannot be read. */
    Frame poll() throws IOException;

    /** Opens the same target again after a failure (a new connection). */
    DataSource reopen() throws IOException;

    @Override
    void close();
}
