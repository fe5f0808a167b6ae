package io.slabscope.cli;

/** Exit codes of the slabscope command (run exits with its command's code instead). */
public final class ExitCodes {
    public static final int OK = 0;
    /** I/O error, unreadable snapshot, anything unexpected. */
    public static final int ERROR = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** The process does not run under libslabscope.so. */
    public static final int NOT_UNDER_SHIM = 3;
    /** The process belongs to another user. */
    public static final int NOT_OWNER = 4;
    /** The process is not running (any more). */
    public static final int PROCESS_GONE = 5;
    /** run: the command could not be started (as a shell reports a missing command). */
    public static final int CANNOT_EXECUTE = 127;

    private ExitCodes() {
    }
}
