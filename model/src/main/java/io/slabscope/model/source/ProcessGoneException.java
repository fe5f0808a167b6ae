package io.slabscope.model.source;

/** The process is not running (any stale segment of ours has been removed). */
public class ProcessGoneException extends SourceException {
    private static final long serialVersionUID = 1L;

    public ProcessGoneException(String message) {
        super(message);
    }
}
