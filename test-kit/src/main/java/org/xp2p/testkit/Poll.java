package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** How host tests wait: poll a condition with a deadline, never a fixed sleep. */
public final class Poll {
    private static final long INTERVAL_NANOS = 10_000_000L;

    private Poll() {
    }

    /** Returns as soon as {@code condition} holds; fails naming {@code what} after the deadline. */
    public static void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
        }
    }
}
