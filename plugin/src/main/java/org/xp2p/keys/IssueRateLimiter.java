package org.xp2p.keys;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xp2p.common.TokenBucket;

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
    private final int ratePerMinute;
    private final int burst;
    private final Map<String, TokenBucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /** @param ratePerMinute 0 disables limiting */
    IssueRateLimiter(Clock clock, int ratePerMinute, int burst) {
        this.clock = clock;
        this.ratePerMinute = ratePerMinute;
        this.burst = burst;
    }

    /**
     * Takes one token for {@code client}.
     *
     * @return 0 when allowed, otherwise the whole seconds until a token is available (at least 1)
     */
    synchronized long acquire(String client) {
        if (ratePerMinute == 0) {
            return 0;
        }
        TokenBucket b = buckets.computeIfAbsent(client,
                c -> new TokenBucket(ratePerMinute / 60.0, burst, () -> clock.millis() * 1_000_000L));
        long waitNanos = b.take();
        // the epsilon keeps float noise (1000.0000001 ms) from adding a whole second
        return waitNanos == 0 ? 0 : Math.max(1, (long) Math.ceil(waitNanos / 1e9 - 1e-6));
    }
}
