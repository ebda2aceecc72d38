package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;

/** How tests wait: poll a condition with a deadline, never a fixed sleep. */
public final class Poll {
    private static final long INTERVAL_NANOS = 10_000_000L;

    /** A condition that may do I/O (an HTTP request, a SQL count) to find out whether it holds. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Poll() {
    }

    /**
     * Returns as soon as {@code condition} holds; fails naming {@code what} after the deadline. An
     * exception from the condition fails the test at once (it is not a "not yet").
     */
    public static void await(String what, long timeoutMillis, Condition condition) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (!condition.holds()) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + timeoutMillis + " ms waiting for " + what);
                }
                LockSupport.parkNanos(INTERVAL_NANOS);
            }
        } catch (Exception e) {
            fail("while waiting for " + what + ": " + e, e);
        }
    }
}
