package io.slabscope.model.source;

/**
 * The process runs under the shim, but its segment (or layout file) cannot be read now: still
 * empty, its writer stopped in the middle of an update, no layout written yet, or too large to copy.
 */
public class UnreadableSegmentException extends SourceException {
    private static final long serialVersionUID = 1L;

    public UnreadableSegmentException(String message) {
        super(message);
    }
}
