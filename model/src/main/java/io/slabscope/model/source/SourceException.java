package io.slabscope.model.source;

import java.io.IOException;

/** A process cannot be read: the subclasses say why, in a message fit for one line. */
public abstract class SourceException extends IOException {
    private static final long serialVersionUID = 1L;

    protected SourceException(String message) {
        super(message);
    }
}
