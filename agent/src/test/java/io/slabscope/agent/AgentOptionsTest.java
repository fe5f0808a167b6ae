package io.slabscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slabscope.agent.AgentOptions.EventKind;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void defaults() {
        AgentOptions o = AgentOptions.parse(null);
        assertEquals(AgentOptions.defaults(), o);
        assertEquals(o, AgentOptions.parse("  "));
        assertEquals(Duration.ofSeconds(1), o.period());
        assertEquals(512 * 1024, o.sampling());
        assertEquals(EnumSet.allOf(EventKind.class), o.events());
        assertTrue(o.jmx());
        assertTrue(o.publish());
        assertEquals(300, o.maxSampleRate());
        assertEquals("period=1s,sampling=512k,max-sample-rate=300,events=all,jmx=true,publish=true,"
                + "frag-threshold=0.5,frag-order=3,waste-threshold=25.0", o.toString());
    }

    @Test
    void everyOption() {
        AgentOptions o = AgentOptions.parse("period=250ms,sampling=1m,events=periodic,tiers,jmx=false,publish=off,"
                + "frag-threshold=0.8,frag-order=5,waste-threshold=10%,max-sample-rate=50/s");
        assertEquals(50, o.maxSampleRate());
        assertEquals(Duration.ofMillis(250), o.period());
        assertEquals(0, o.sampling(), "no samples among the events");
        assertEquals(1 << 20, o.samplingOption());
        assertEquals(EnumSet.of(EventKind.PERIODIC, EventKind.TIERS), o.events());
        assertFalse(o.jmx());
        assertFalse(o.publish());
        assertEquals(0.8, o.fragThreshold());
        assertEquals(5, o.fragOrder());
        assertEquals(10.0, o.wasteThreshold());
        assertEquals(o, AgentOptions.parse(o.toString()), "toString parses back");
    }

    @Test
    void eventListsAndSamplingWords() {
        assertEquals(EnumSet.of(EventKind.SAMPLES, EventKind.TIERS), AgentOptions.parse("events=samples+tiers").events());
        assertEquals(EnumSet.of(EventKind.SAMPLES), AgentOptions.parse("events=samples,period=2s").events());
        assertEquals(EnumSet.noneOf(EventKind.class), AgentOptions.parse("events=none").events());
        assertEquals(0, AgentOptions.parse("sampling=off").sampling());
        assertEquals(0, AgentOptions.parse("sampling=0").sampling());
        assertEquals(65536, AgentOptions.parse("sampling=65536").sampling());
        assertEquals(Duration.ofMinutes(2), AgentOptions.parse("period=2m").period());
        assertEquals(Duration.ofHours(1), AgentOptions.parse("PERIOD=1h").period());
    }

    @Test
    void strict() {
        assertEquals("unknown option 'foo'", message("foo=1"));
        assertEquals("unknown option 'foo'", message("period=1s,foo"));
        assertEquals("option 'period' needs a value (period=...)", message("period"));
        assertEquals("option 'period' given twice", message("period=1s,period=2s"));
        assertEquals("option 'period' wants a duration like 500ms, 1s, 2m or 1h, not '5'", message("period=5"));
        assertEquals("option 'period' must be between 10ms and 24h, not '1ms'", message("period=1ms"));
        assertEquals("option 'sampling' wants a size like 65536, 512k, 1m or 0, not '-1'", message("sampling=-1"));
        assertEquals("option 'events' wants all, none or a list of periodic, samples, tiers, not 'heap'",
                message("events=heap"));
        assertEquals("option 'jmx' wants true or false, not 'maybe'", message("jmx=maybe"));
        assertEquals("option 'frag-threshold' wants a number between 0 and 1, not '2'", message("frag-threshold=2"));
        assertEquals("option 'frag-order' wants a buddy order 0..13, not '14'", message("frag-order=14"));
        assertEquals("option 'max-sample-rate' wants samples per second like 300 or 300/s (0: no cap), not 'fast'",
                message("max-sample-rate=fast"));
        assertEquals("empty option in 'period=1s,,jmx=true'", message("period=1s,,jmx=true"));
        assertEquals("option 'sampling' has an empty value", message("sampling="));
    }

    private static String message(String options) {
        return assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse(options)).getMessage();
    }
}
