package io.slabscope.model.source;

/** The segment belongs to another user (only root reads other users' processes). */
public class NotOwnerException extends SourceException {
    private static final long serialVersionUID = 1L;

    public NotOwnerException(String message) {
        super(message);
    }
}
