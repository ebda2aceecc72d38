package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IssueRateLimiterTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void burstThenRateWithRetryAfter() {
        IssueRateLimiter limiter = new IssueRateLimiter(clock, 6, 2);   // one token per 10 s
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(10, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("b"), "buckets are per client");
        clock.advance(Duration.ofMillis(9_001));
        assertEquals(1, limiter.acquire("a"));
        clock.advance(Duration.ofMillis(999));
        assertEquals(0, limiter.acquire("a"));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("a"));
        assertEquals(10, limiter.acquire("a"), "refill stops at the burst size");
    }

    @Test
    void zeroRateDisablesLimiting() {
        IssueRateLimiter limiter = new IssueRateLimiter(clock, 0, 1);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, limiter.acquire("a"));
        }
    }

    @Test
    void clientTableIsBounded() {
        IssueRateLimiter limiter = new IssueRateLimiter(clock, 1, 1);
        assertEquals(0, limiter.acquire("first"));
        for (int i = 0; i < IssueRateLimiter.MAX_CLIENTS; i++) {
            limiter.acquire("client-" + i);
        }
        // "first" was evicted as least recently used and starts again with a full bucket
        assertEquals(0, limiter.acquire("first"));
        assertEquals(60, limiter.acquire("client-" + (IssueRateLimiter.MAX_CLIENTS - 1)), "recent clients are kept");
    }
}
