package io.slabscope.agent;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The agent's options: {@code key=value} pairs separated by commas, as given after
 * {@code -javaagent:slabscope-agent.jar=} or to {@code slabscope attach PID}.
 *
 * <pre>
 *   period=1s           drain, publish, JMX refresh; default period of the periodic JFR events
 *   sampling=512k       mean bytes between sampled allocations; 0 or off: no samples
 *   max-sample-rate=300 samples per second at most: faster allocation raises the interval (0: no cap)
 *   events=all          or any of periodic, samples, tiers (joined by ',' '+' or '|'), or none
 *   jmx=true            register the io.slabscope MXBeans
 *   publish=true        call ss_publish() every period (fresh /dev/shm data for slabscope readers)
 *   frag-threshold=0.5  JMX notification when the fragmentation index at frag-order rises above
 *   frag-order=3        the request order the fragmentation index is watched at (0..13)
 *   waste-threshold=25  JMX notification when internal fragmentation (%) rises above
 * </pre>
 *
 * Parsing is strict: an unknown key, a repeated key or a bad value throws
 * {@link IllegalArgumentException} with a message meant for one line on stderr; the agent then
 * uses {@link #defaults()}.
 */
public final class AgentOptions {

    /** What the agent produces besides JMX. */
    public enum EventKind {
        /** periodic JFR events (heap summary, slab caches, buddy free lists, fragmentation, drops) */
        PERIODIC,
        /** sampled allocations and their frees */
        SAMPLES,
        /** mmap/munmap, heap grow/trim, allocation failures, invalid frees */
        TIERS
    }

    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);
    public static final long DEFAULT_SAMPLING = 512 * 1024;
    /** As the JDK's profile.jfc throttles jdk.ObjectAllocationSample. */
    public static final long DEFAULT_MAX_SAMPLE_RATE = 300;
    public static final Duration MIN_PERIOD = Duration.ofMillis(10);
    public static final Duration MAX_PERIOD = Duration.ofHours(24);
    /** The shim takes a size_t; keep it sane. */
    public static final long MAX_SAMPLING = 1L << 40;

    private final Duration period;
    private final long sampling;
    private final long maxSampleRate;
    private final Set<EventKind> events;
    private final boolean jmx;
    private final boolean publish;
    private final double fragThreshold;
    private final int fragOrder;
    private final double wasteThreshold;

    private AgentOptions(Duration period, long sampling, long maxSampleRate, Set<EventKind> events, boolean jmx,
            boolean publish, double fragThreshold, int fragOrder, double wasteThreshold) {
        this.period = period;
        this.sampling = sampling;
        this.maxSampleRate = maxSampleRate;
        this.events = events.isEmpty() ? EnumSet.noneOf(EventKind.class) : EnumSet.copyOf(events);
        this.jmx = jmx;
        this.publish = publish;
        this.fragThreshold = fragThreshold;
        this.fragOrder = fragOrder;
        this.wasteThreshold = wasteThreshold;
    }

    public static AgentOptions defaults() {
        return new AgentOptions(DEFAULT_PERIOD, DEFAULT_SAMPLING, DEFAULT_MAX_SAMPLE_RATE, EnumSet.allOf(EventKind.class),
                true, true, 0.5, 3, 25.0);
    }

    /**
     * Parses an option string ({@code null} or blank: the defaults).
     *
     * @throws IllegalArgumentException with a one-line message naming the bad option
     */
    public static AgentOptions parse(String text) {
        AgentOptions o = defaults();
        if (text == null || text.isBlank()) {
            return o;
        }
        Duration period = o.period;
        long sampling = o.sampling;
        long maxSampleRate = o.maxSampleRate;
        Set<EventKind> events = o.events();
        boolean jmx = o.jmx;
        boolean publish = o.publish;
        double fragThreshold = o.fragThreshold;
        int fragOrder = o.fragOrder;
        double wasteThreshold = o.wasteThreshold;

        Set<String> seen = new LinkedHashSet<>();
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty option in '" + text + "'");
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(isKey(part) ? "option '" + part + "' needs a value ("
                        + part + "=...)" : "unknown option '" + part + "'");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            if (!isKey(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "'");
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("option '" + key + "' given twice");
            }
            if (key.equals("events")) {
                // events=periodic,samples: the words after it that are not key=value belong to it
                StringBuilder list = new StringBuilder(value);
                while (i + 1 < parts.length && !parts[i + 1].contains("=") && isEventWord(parts[i + 1].trim())) {
                    list.append(',').append(parts[++i].trim());
                }
                value = list.toString();
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("option '" + key + "' has an empty value");
            }
            switch (key) {
                case "period" -> period = duration(key, value);
                case "sampling" -> sampling = sampling(key, value);
                case "max-sample-rate" -> maxSampleRate = rate(key, value);
                case "events" -> events = events(key, value);
                case "jmx" -> jmx = bool(key, value);
                case "publish" -> publish = bool(key, value);
                case "frag-threshold" -> fragThreshold = fraction(key, value);
                case "frag-order" -> fragOrder = order(key, value);
                case "waste-threshold" -> wasteThreshold = percent(key, value);
                default -> throw new IllegalArgumentException("unknown option '" + key + "'");
            }
        }
        return new AgentOptions(period, sampling, maxSampleRate, events, jmx, publish, fragThreshold, fragOrder,
                wasteThreshold);
    }

    private static final Set<String> KEYS = Set.of("period", "sampling", "max-sample-rate", "events", "jmx", "publish",
            "frag-threshold", "frag-order", "waste-threshold");

    private static boolean isKey(String s) {
        return KEYS.contains(s.toLowerCase(Locale.ROOT));
    }

    private static boolean isEventWord(String s) {
        String w = s.toLowerCase(Locale.ROOT);
        return w.equals("periodic") || w.equals("samples") || w.equals("tiers") || w.equals("all") || w.equals("none");
    }

    /** "1s", "500ms", "2m", "1h" (a unit is required). */
    static Duration duration(String key, String v) {
        var m = java.util.regex.Pattern.compile("([0-9]{1,9})\\s*(ms|s|m|min|h)").matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("option '" + key + "' wants a duration like 500ms, 1s, 2m or 1h, not '"
                    + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(MIN_PERIOD) < 0 || d.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("option '" + key + "' must be between 10ms and 24h, not '" + v + "'");
        }
        return d;
    }

    /** "512k", "1m", "65536", "0", "off". */
    static long sampling(String key, String v) {
        if (v.equalsIgnoreCase("off")) {
            return 0;
        }
        long n = size(key, v);
        if (n > MAX_SAMPLING) {
            throw new IllegalArgumentException("option '" + key + "' is at most 1024g, not '" + v + "'");
        }
        return n;
    }

    /** Sizes with the shim's syntax: 131072, 128k, 2M, 1g. */
    public static long size(String key, String v) {
        if (!v.matches("[0-9]{1,13}[kKmMgG]?")) {
            throw new IllegalArgumentException("option '" + key + "' wants a size like 65536, 512k, 1m or 0, not '"
                    + v + "'");
        }
        char last = v.charAt(v.length() - 1);
        int shift = switch (Character.toLowerCase(last)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1)) << shift;
    }

    /** "300", "300/s", "0". */
    static long rate(String key, String v) {
        String n = v.endsWith("/s") ? v.substring(0, v.length() - 2) : v;
        if (!n.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException("option '" + key + "' wants samples per second like 300 or 300/s "
                    + "(0: no cap), not '" + v + "'");
        }
        return Long.parseLong(n);
    }

    static Set<EventKind> events(String key, String v) {
        Set<EventKind> set = EnumSet.noneOf(EventKind.class);
        for (String w : v.split("[,+|]", -1)) {
            switch (w.trim().toLowerCase(Locale.ROOT)) {
                case "all" -> set.addAll(EnumSet.allOf(EventKind.class));
                case "none" -> { }
                case "periodic" -> set.add(EventKind.PERIODIC);
                case "samples" -> set.add(EventKind.SAMPLES);
                case "tiers" -> set.add(EventKind.TIERS);
                default -> throw new IllegalArgumentException("option '" + key
                        + "' wants all, none or a list of periodic, samples, tiers, not '" + w.trim() + "'");
            }
        }
        return set;
    }

    static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("option '" + key + "' wants true or false, not '" + v + "'");
        };
    }

    static double fraction(String key, String v) {
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("option '" + key + "' wants a number between 0 and 1, not '" + v + "'");
    }

    static double percent(String key, String v) {
        String s = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
        try {
            double d = Double.parseDouble(s);
            if (d >= 0 && d <= 100) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("option '" + key + "' wants a percentage between 0 and 100, not '" + v
                + "'");
    }

    static int order(String key, String v) {
        if (v.matches("[0-9]{1,2}")) {
            int n = Integer.parseInt(v);
            if (n <= 13) {
                return n;
            }
        }
        throw new IllegalArgumentException("option '" + key + "' wants a buddy order 0..13, not '" + v + "'");
    }

    public Duration period() {
        return period;
    }

    /** Mean sampling interval in bytes; 0 when samples are off (by sampling=0 or events without samples). */
    public long sampling() {
        return events.contains(EventKind.SAMPLES) ? sampling : 0;
    }

    /** The sampling interval as given, whether or not samples are among the events. */
    public long samplingOption() {
        return sampling;
    }

    /** Samples per second at most (0: no cap). */
    public long maxSampleRate() {
        return maxSampleRate;
    }

    public Set<EventKind> events() {
        return events.isEmpty() ? EnumSet.noneOf(EventKind.class) : EnumSet.copyOf(events);
    }

    public boolean has(EventKind k) {
        return events.contains(k);
    }

    public boolean jmx() {
        return jmx;
    }

    public boolean publish() {
        return publish;
    }

    public double fragThreshold() {
        return fragThreshold;
    }

    public int fragOrder() {
        return fragOrder;
    }

    public double wasteThreshold() {
        return wasteThreshold;
    }

    /** The options in their own syntax (what the agent prints and attach passes on). */
    @Override
    public String toString() {
        StringBuilder ev = new StringBuilder();
        for (EventKind k : events) {
            ev.append(ev.length() == 0 ? "" : "+").append(k.name().toLowerCase(Locale.ROOT));
        }
        return "period=" + formatDuration(period) + ",sampling=" + (sampling == 0 ? "off" : formatSize(sampling))
                + ",max-sample-rate=" + maxSampleRate + ",events=" + (events.size() == EventKind.values().length ? "all" : ev.length() == 0 ? "none" : ev)
                + ",jmx=" + jmx + ",publish=" + publish + ",frag-threshold=" + fragThreshold + ",frag-order="
                + fragOrder + ",waste-threshold=" + wasteThreshold;
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    static String formatSize(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + "g";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + "m";
        }
        if (n % 1024 == 0) {
            return (n >> 10) + "k";
        }
        return Long.toString(n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentOptions a && period.equals(a.period) && sampling == a.sampling
                && maxSampleRate == a.maxSampleRate
                && events.equals(a.events) && jmx == a.jmx && publish == a.publish
                && fragThreshold == a.fragThreshold && fragOrder == a.fragOrder && wasteThreshold == a.wasteThreshold;
    }

    @Override
    public int hashCode() {
        return Objects.hash(period, sampling, maxSampleRate, events, jmx, publish, fragThreshold, fragOrder, wasteThreshold);
    }
}
