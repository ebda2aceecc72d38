package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A peer's upload capacity shared by its concurrent transfers (processor sharing): each active
 * transfer gets {@code capacity / n}, capped by the receiver's downlink. Rates are recomputed
 * whenever a transfer starts, ends or is cancelled, and only the next completion is scheduled.
 */
final class Uplink {
    /** One chunk on its way to one child. */
    static final class Transfer {
        final long bytes;
        final double capBytesPerMs;
        final Runnable done;
        double remaining;

        Transfer(long bytes, double capBytesPerMs, Runnable done) {
            this.bytes = bytes;
            this.capBytesPerMs = capBytesPerMs;
            this.done = done;
            this.remaining = bytes;
        }
    }

    private final SimClock clock;
    private final double capacity;
    private final List<Transfer> active = new ArrayList<>(4);
    private double last;
    private long version;

    Uplink(SimClock clock, double capacityBytesPerMs) {
        this.clock = clock;
        this.capacity = capacityBytesPerMs;
    }

    int active() {
        return active.size();
    }

    void add(Transfer t) {
        advance();
        active.add(t);
        reschedule();
    }

    void cancel(Transfer t) {
        advance();
        if (active.remove(t)) {
            reschedule();
        }
    }

    /** Stops every transfer without completing it (the uploader froze or left). */
    void stopAll() {
        active.clear();
        version++;
    }

    private double rate(Transfer t) {
        return Math.min(capacity / active.size(), t.capBytesPerMs);
    }

    private void advance() {
        double now = clock.now();
        double elapsed = now - last;
        last = now;
        if (elapsed > 0) {
            for (Transfer t : active) {
                t.remaining -= rate(t) * elapsed;
            }
        }
    }

    private void reschedule() {
        long v = ++version;
        if (active.isEmpty()) {
            return;
        }
        double next = Double.MAX_VALUE;
        for (Transfer t : active) {
            next = Math.min(next, Math.max(0, t.remaining) / rate(t));
        }
        clock.at(next, () -> {
            if (v != version) {
                return;
            }
            advance();
            List<Transfer> finished = new ArrayList<>(1);
            for (Transfer t : active) {
                if (t.remaining <= 0.5) {
                    finished.add(t);
                }
            }
            active.removeAll(finished);
            reschedule();
            for (Transfer t : finished) {
                t.done.run();
            }
        });
    }
}
