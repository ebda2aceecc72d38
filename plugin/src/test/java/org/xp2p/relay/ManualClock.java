package org.xp2p.relay;

/** A relay clock that moves only when a test says so. */
final class ManualClock implements RelayClock {
    private long nanos = 1_000_000_000L;
    private long millis = 1_700_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized long currentTimeMillis() {
        return millis;
    }

    synchronized void advanceMillis(long ms) {
        nanos += ms * 1_000_000L;
        millis += ms;
    }
}
