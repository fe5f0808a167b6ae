package io.slabscope.cli;

import java.util.regex.Pattern;

/**
 * The value of SLABSCOPE_DEBUG (slabscope.h): groups separated by ';', each debug flags
 * (letters of FZPUS) optionally followed by the caches they apply to ({@code FZ,kmalloc-64,conn_*});
 * "1" or "all" for FZPU everywhere.
 */
final class DebugSpec {
    static final String ENV = "SLABSCOPE_DEBUG";
    /** Plain --debug: every check on every cache. */
    static final String ALL = "FZPU";
    private static final Pattern GROUP = Pattern.compile("[FZPUSfzpus]+(,[^,;\\s]+)*");

    private DebugSpec() {
    }

    /** The spec unchanged if it is one; a usage error that shows the form otherwise. */
    static String check(String spec) throws UsageException {
        if (spec.equals("1") || spec.equals("all")) {
            return spec;
        }
        for (String group : spec.split(";", -1)) {
            if (!GROUP.matcher(group).matches()) {
                throw new UsageException("--debug wants flags from F, Z, P, U, S, each group optionally followed by "
                        + "cache names (--debug=FZPU, --debug=FZ,kmalloc-64, --debug='FZ,kmalloc-64;P,my_obj'), not '"
                        + spec + "'");
            }
        }
        return spec;
    }
}
