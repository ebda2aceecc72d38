package org.xp2p.keys;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client token buckets for {@code POST /code}: {@code burst} requests at once, refilled at
 * {@code ratePerMinute}. Issuing writes a row, so an unthrottled client could fill the database.
 *
 * <p>The map of clients is an LRU bounded to {@value #MAX_CLIENTS} entries so that a flood of
 * distinct addresses costs bounded memory; an evicted client simply starts again with a full
 * bucket. Time comes from the injected clock so tests can refill a bucket deterministically.
 */
final class IssueRateLimiter {
    static final int MAX_CLIENTS = 10_000;

    private final Clock clock;
    private final double capacity;
    private final double tokensPerMilli;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /** @param ratePerMinute 0 disables limiting */
    IssueRateLimiter(Clock clock, int ratePerMinute, int burst) {
        this.clock = clock;
        this.capacity = burst;
        this.tokensPerMilli = ratePerMinute / 60_000.0;
    }

    /**
     * Takes one token for {@code client}.
     *
     * @return 0 when allowed, otherwise the whole seconds until a token is available (at least 1)
     */
    synchronized long acquire(String client) {
        if (tokensPerMilli == 0) {
            return 0;
        }
        long now = clock.millis();
        Bucket b = buckets.computeIfAbsent(client, c -> new Bucket(capacity, now));
        long elapsed = Math.max(0, now - b.updated);
        b.tokens = Math.min(capacity, b.tokens + elapsed * tokensPerMilli);
        b.updated = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        double missingMillis = (1 - b.tokens) / tokensPerMilli;
        // the epsilon keeps float noise (1000.0000001 ms) from adding a whole second
        return Math.max(1, (long) Math.ceil(missingMillis / 1000.0 - 1e-6));
    }

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }
}
