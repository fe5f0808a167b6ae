package io.slabscope.ui.data;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Numbers and times as the views print them. */
public final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Formats() {
    }

    public static String time(long epochNanos) {
        return TIME.format(Instant.ofEpochSecond(0, epochNanos));
    }

    /** 1536 → "1.5 KiB". */
    public static String bytes(double b) {
        int u = 0;
        double v = b;
        while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format("%.0f %s", v, UNITS[u]) : String.format("%.1f %s", v, UNITS[u]);
    }

    public static String hex(long a) {
        return "0x" + Long.toHexString(a);
    }

    public static String percent(double p) {
        return String.format("%.1f%%", p);
    }
}
