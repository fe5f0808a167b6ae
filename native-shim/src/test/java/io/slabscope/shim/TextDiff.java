package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.fail;

/** Equality of two (possibly long) texts, failing with the first differing line and its neighbours. */
final class TextDiff {

    private static final int CONTEXT = 3;

    private TextDiff() {
    }

    static void assertSame(String what, String expected, String actual) {
        if (expected.equals(actual)) {
            return;
        }
        String[] exp = expected.split("\n", -1);
        String[] act = actual.split("\n", -1);
        int line = 0;
        while (line < exp.length && line < act.length && exp[line].equals(act[line])) {
            line++;
        }
        fail(what + " differs at line " + (line + 1) + " (baseline " + exp.length + " lines, shim "
                + act.length + " lines)\n--- baseline ---\n" + excerpt(exp, line) + "\n--- shim ---\n"
                + excerpt(act, line));
    }

    private static String excerpt(String[] lines, int at) {
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(0, at - CONTEXT); i < Math.min(lines.length, at + CONTEXT + 1); i++) {
            out.append(i == at ? "> " : "  ").append(i + 1).append(": ").append(lines[i]).append('\n');
        }
        return out.length() == 0 ? "  (no such line)" : out.toString().stripTrailing();
    }
}
