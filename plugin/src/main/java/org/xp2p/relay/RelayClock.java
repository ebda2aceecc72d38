package org.xp2p.relay;

/**
 * The relay's sense of time, injected so that the stream lifecycle (start timeouts, idle stop,
 * epochs) can be tested by moving a clock instead of sleeping.
 */
interface RelayClock {
    /** Monotonic nanoseconds, for durations. */
    long nanoTime();

    /** Wall-clock milliseconds, for epoch numbers that must grow across restarts. */
    long currentTimeMillis();

    RelayClock SYSTEM = new RelayClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
