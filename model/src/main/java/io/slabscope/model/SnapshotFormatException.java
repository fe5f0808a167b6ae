package io.slabscope.model;

import java.io.IOException;

/** The bytes are not a snapshot (or layout) this reader can decode; the message says why. */
public class SnapshotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(String message) {
        super(message);
    }
}
