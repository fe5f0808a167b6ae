package io.slabscope.model;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer (objects, arrays, strings, numbers, booleans), indented with
 * two spaces. Enough for slabscope's outputs without a JSON library.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Per open container: number of members written so far. */
    private final Deque<int[]> counts = new ArrayDeque<>();
    private final Deque<Boolean> isObject = new ArrayDeque<>();
    private boolean afterName;

    public JsonWriter beginObject() {
        open('{', true);
        return this;
    }

    public JsonWriter endObject() {
        close('}', true);
        return this;
    }

    public JsonWriter beginArray() {
        open('[', false);
        return this;
    }

    public JsonWriter endArray() {
        close(']', false);
        return this;
    }

    /** Member name inside an object; the next call writes its value. */
    public JsonWriter name(String name) {
        if (isObject.isEmpty() || !isObject.peek() || afterName) {
            throw new IllegalStateException("name outside an object: " + name);
        }
        separator();
        quote(name);
        out.append(": ");
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        beforeValue();
        if (s == null) {
            out.append("null");
        } else {
            quote(s);
        }
        return this;
    }

    public JsonWriter value(long v) {
        beforeValue();
        out.append(v);
        return this;
    }

    /** A number; NaN and infinities become null. */
    public JsonWriter value(double v) {
        beforeValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v).append(".0");
        } else {
            out.append(Double.toString(v));
        }
        return this;
    }

    public JsonWriter value(boolean v) {
        beforeValue();
        out.append(v);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** An array of numbers on one line. */
    public JsonWriter value(long[] values) {
        beforeValue();
        out.append('[');
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ").append(values[i]);
        }
        out.append(']');
        return this;
    }

    /** An array of numbers on one line, each rounded to {@code decimals} places. */
    public JsonWriter value(double[] values, int decimals) {
        beforeValue();
        out.append('[');
        double scale = Math.pow(10, decimals);
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ");
            double v = Math.round(values[i] * scale) / scale;
            out.append(v == Math.rint(v) ? Long.toString((long) v) + ".0" : Double.toString(v));
        }
        out.append(']');
        return this;
    }

    public JsonWriter member(String name, String v) {
        return name(name).value(v);
    }

    public JsonWriter member(String name, long v) {
        return name(name).value(v);
    }

    public JsonWriter member(String name, double v) {
        return name(name).value(v);
    }

    public JsonWriter member(String name, boolean v) {
        return name(name).value(v);
    }

    /** The document, with a final newline. */
    @Override
    public String toString() {
        if (!counts.isEmpty()) {
            throw new IllegalStateException("unclosed JSON container");
        }
        return out + "\n";
    }

    private void open(char c, boolean object) {
        beforeValue();
        out.append(c);
        counts.push(new int[1]);
        isObject.push(object);
    }

    private void close(char c, boolean object) {
        if (counts.isEmpty() || isObject.peek() != object || afterName) {
            throw new IllegalStateException("unbalanced " + c);
        }
        int n = counts.pop()[0];
        isObject.pop();
        if (n > 0) {
            newline();
        }
        out.append(c);
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!counts.isEmpty()) {
            if (isObject.peek()) {
                throw new IllegalStateException("value without a name inside an object");
            }
            separator();
        } else if (out.length() > 0) {
            throw new IllegalStateException("second top-level value");
        }
    }

    private void separator() {
        int[] n = counts.peek();
        if (n[0]++ > 0) {
            out.append(',');
        }
        newline();
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < counts.size(); i++) {
            out.append("  ");
        }
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
