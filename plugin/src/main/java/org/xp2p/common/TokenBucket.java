package org.xp2p.common;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} events at once, refilled at {@code perSecond}. Used for a
 * signalling connection's inbound message budget and for each client's {@code POST /code} budget.
 *
 * <p>Time is a nanosecond source handed in: the monotonic {@link System#nanoTime} in production
 * (rate limits must not jump when the wall clock does), a test clock in tests.
 */
public final class TokenBucket {
    private final LongSupplier nanos;
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double perSecond, double burst, LongSupplier nanos) {
        if (!(perSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("a token bucket needs perSecond > 0 and burst >= 1, not "
                    + perSecond + " and " + burst);
        }
        this.nanos = nanos;
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nanos.getAsLong();
    }

    /** On the monotonic clock. */
    public TokenBucket(double perSecond, double burst) {
        this(perSecond, burst, System::nanoTime);
    }

    public boolean tryTake() {
        return take() == 0;
    }

    /** Takes one token: 0 when taken, else the nanoseconds until one is available (at least 1). */
    public synchronized long take() {
        long now = nanos.getAsLong();
        tokens = Math.min(burst, tokens + Math.max(0, now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
