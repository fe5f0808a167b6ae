package io.slabscope.model.source;

/** The process does not run under libslabscope.so (no segment, or the library is not loaded). */
public class NotUnderShimException extends SourceException {
    private static final long serialVersionUID = 1L;

    public NotUnderShimException(String message) {
        super(message);
    }
}
