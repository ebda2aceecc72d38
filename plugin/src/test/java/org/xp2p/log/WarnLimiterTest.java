package org.xp2p.log;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class WarnLimiterTest {
    private static final String NAME = "org.xp2p.log.WarnLimiterTest.target";
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger jul = Logger.getLogger(NAME);
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private WarnLimiter warns;

    @BeforeEach
    void setUp() {
        jul.setLevel(Level.ALL);
        jul.setUseParentHandlers(false);
        jul.addHandler(capture);
        warns = new WarnLimiter(LoggerFactory.getLogger(NAME), Duration.ofSeconds(60), clock);
    }

    @AfterEach
    void tearDown() {
        jul.removeHandler(capture);
        jul.setUseParentHandlers(true);
        jul.setLevel(null);
    }

    private List<String> warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecord::getMessage).toList();
    }

    private long debugs() {
        return records.stream().filter(r -> r.getLevel().intValue() < Level.INFO.intValue()).count();
    }

    @Test
    void oneLinePerIntervalPerKindWithTheSuppressedCount() {
        assertTrue(warns.warn("full", "room {} full", "a"));
        for (int i = 0; i < 999; i++) {
            assertFalse(warns.warn("full", "room {} full", "b" + i));
        }
        assertEquals(1, warnings().size());
        assertEquals(999, debugs(), "the suppressed events are still there at DEBUG");

        clock.advance(Duration.ofSeconds(59));
        assertFalse(warns.warn("full", "room {} full", "c"));
        assertTrue(warns.warn("other", "kind {} has its own budget", "x"), "kinds are independent");
        assertEquals(2, warnings().size());

        clock.advance(Duration.ofSeconds(1));
        assertTrue(warns.warn("full", "room {} full", "d"));
        List<String> w = warnings();
        assertEquals(3, w.size());
        assertEquals("room d full [1000 more of these suppressed, at most one line per 60 s]", w.get(2));

        clock.advance(Duration.ofSeconds(61));
        assertTrue(warns.warn("full", "room {} full", "e"));
        assertEquals("room e full", warnings().get(3), "nothing suppressed since the last line");
    }

    @Test
    void aBackwardsClockDoesNotSilenceForever() {
        assertTrue(warns.warn("k", "first"));
        clock.advance(Duration.ofSeconds(-3600));
        assertTrue(warns.warn("k", "the clock went back: not inside the interval"));
        assertFalse(warns.warn("k", "now it is"));
    }
}
