package io.slabscope.cli;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes and durations. */
final class Units {
    private Units() {
    }

    /** 1023 -> "1023B", 1536 -> "1.5K", 3 << 20 -> "3.0M". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String units = "KMGTPE";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f%c" : "%.1f%c", v, units.charAt(u));
    }

    /** 0.25 s -> "0.2s", 75 s -> "1m15s", 2 h -> "2h00m". */
    static String age(Duration d) {
        long ms = d.toMillis();
        if (ms < 10_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s / 3600 % 24);
    }

    /** Address as 0x-prefixed hex. */
    static String hex(long addr) {
        return "0x" + Long.toHexString(addr);
    }

    /** Parses "131072", "128k", "2M", "1g" (the shim's syntax); throws on anything else. */
    static long size(String s, String option) throws UsageException {
        if (!s.matches("[0-9]{1,13}[kKmMgG]?")) {
            throw new UsageException(option + " wants a size like 131072, 128k, 2M or 1g, not '" + s + "'");
        }
        char last = s.charAt(s.length() - 1);
        int shift = switch (Character.toLowerCase(last)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        long v = Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1));
        return v << shift;
    }
}
