package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One process's exit report, as written by the shim to {@code SLABSCOPE_REPORT}
 * ({@code %p} = pid): lines of {@code key value}, values decimal integers.
 */
record Report(long pid, Map<String, Long> values, Path file) {

    static Report parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> values = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 2) {
                fail(file + ":" + lineNo + ": expected `key value`, got: " + line);
            }
            try {
                values.put(parts[0], Long.parseUnsignedLong(parts[1]));
            } catch (NumberFormatException e) {
                fail(file + ":" + lineNo + ": value is not a decimal integer: " + line);
            }
        }
        if (!values.containsKey("pid")) {
            fail(file + ": report has no `pid` line:\n" + text);
        }
        return new Report(values.get("pid"), Map.copyOf(values), file);
    }

    /** The value of {@code key}; fails if the report lacks it. */
    long get(String key) {
        Long value = values.get(key);
        if (value == null) {
            fail("report " + file + " has no key `" + key + "`; keys: " + values.keySet());
        }
        return value;
    }

    Report assertAtLeast(String key, long min) {
        long value = get(key);
        if (value < min) {
            fail("expected " + key + " >= " + min + " but was " + value + " in " + this);
        }
        return this;
    }

    Report assertEqual(String key, long expected) {
        long value = get(key);
        if (value != expected) {
            fail("expected " + key + " == " + expected + " but was " + value + " in " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("report of pid " + pid + " (" + file + "):");
        values.forEach((k, v) -> out.append("\n  ").append(k).append(' ').append(v));
        return out.toString();
    }
}
