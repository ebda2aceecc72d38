package org.xp2p.log;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Warnings about events any client can cause, at most one line per kind per interval. Within the
 * interval the same event is logged at DEBUG instead; the next warning of that kind says how many
 * were suppressed since the previous one. Kinds are constants of the calling code, never client
 * input, so the map stays small.
 */
public final class WarnLimiter {
    /** Default interval between two warnings of one kind. */
    public static final Duration INTERVAL = Duration.ofSeconds(60);

    private final Logger log;
    private final long intervalMillis;
    private final Clock clock;
    private final Map<String, State> kinds = new ConcurrentHashMap<>();

    private static final class State {
        long lastMillis = Long.MIN_VALUE;
        long suppressed;
    }

    public WarnLimiter(Logger log, Duration interval, Clock clock) {
        this.log = log;
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
    }

    public WarnLimiter(Logger log) {
        this(log, INTERVAL, Clock.systemUTC());
    }

    /**
     * Logs {@code format} at WARN unless a warning of {@code kind} was logged less than an interval
     * ago; then at DEBUG. @return true when the WARN line was written.
     */
    public boolean warn(String kind, String format, Object... args) {
        long now = clock.millis();
        long suppressed;
        State s = kinds.computeIfAbsent(kind, k -> new State());
        synchronized (s) {
            if (s.lastMillis != Long.MIN_VALUE && now >= s.lastMillis && now - s.lastMillis < intervalMillis) {
                s.suppressed++;
                suppressed = -1;
            } else {
                suppressed = s.suppressed;
                s.suppressed = 0;
                s.lastMillis = now;
            }
        }
        if (suppressed < 0) {
            log.debug(format, args);
            return false;
        }
        if (suppressed == 0) {
            log.warn(format, args);
        } else {
            Object[] all = Arrays.copyOf(args, args.length + 2);
            all[args.length] = suppressed;
            all[args.length + 1] = intervalMillis / 1000;
            log.warn(format + " [{} more of these suppressed, at most one line per {} s]", all);
        }
        return true;
    }
}
