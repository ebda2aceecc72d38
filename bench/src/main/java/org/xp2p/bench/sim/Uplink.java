package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A peer's upload capacity. Sequential (the player SDK's upload queue): one chunk at a time at the
 * full uplink (capped by the receiver's downlink), the next picked by priority (children that
 * relay to more peers first), then arrival. Parallel (the SDK before its queue): processor
 * sharing, each active transfer gets {@code capacity / n}. Rates are recomputed whenever a
 * transfer starts, ends or is cancelled, and only the next completion is scheduled.
 */
final class Uplink {
    /** One chunk on its way to one child. */
    static final class Transfer {
        final long bytes;
        /** The receiver's downlink, or (pipelined) the rate the forwarded bytes arrive at; see {@link #recap}. */
        double capBytesPerMs;
        final Runnable started;
        final Runnable done;
        final int priority;
        double remaining;
        /** Sequential with lending: the rate this transfer got in queue order (see {@link #share}). */
        private double lent;
        private boolean moving;

        Transfer(long bytes, double capBytesPerMs, int priority, Runnable done) {
            this(bytes, capBytesPerMs, priority, null, done);
        }

        /** {@code started} runs once, when the transfer's first byte leaves (sequential: when it reaches the head). */
        Transfer(long bytes, double capBytesPerMs, int priority, Runnable started, Runnable done) {
            this.bytes = bytes;
            this.capBytesPerMs = capBytesPerMs;
            this.priority = priority;
            this.started = started;
            this.done = done;
            this.remaining = bytes;
        }
    }

    private final SimClock clock;
    private final double capacity;
    private final List<Transfer> active = new ArrayList<>(4);
    private double last;
    private long version;
    /** Parallel uploads: the rate every transfer not capped lower gets (see {@link #share}). */
    private double fairLevel = Double.MAX_VALUE;
    /** Bytes moved and milliseconds with at least one transfer active: the SDK's busy meter. */
    private double sentBytes;
    private double busyMs;

    private final boolean sequential;
    /**
     * Pipelined forwarding: a transfer capped by the rate its bytes arrive at leaves the capacity it
     * cannot use to the others. Sequential, that is the SDK's queue lending its turn: in queue order
     * each transfer takes what it can of what the ones before it left (the head of a queue of whole
     * chunks still takes everything). And the SDK's meter counts only the time bytes were there to
     * send, so busy time counts in proportion to the capacity used.
     */
    private final boolean meterByUse;

    Uplink(SimClock clock, double capacityBytesPerMs, boolean sequential) {
        this(clock, capacityBytesPerMs, sequential, false);
    }

    Uplink(SimClock clock, double capacityBytesPerMs, boolean sequential, boolean meterByUse) {
        this.clock = clock;
        this.capacity = capacityBytesPerMs;
        this.sequential = sequential;
        this.meterByUse = meterByUse;
    }

    int active() {
        return active.size();
    }

    /** Bytes sent so far (completed and partial transfers); a read only, it schedules nothing. */
    double sentBytes() {
        double elapsed = clock.now() - last;
        double moving = 0;
        if (elapsed > 0) {
            for (Transfer t : active) {
                moving += Math.min(Math.max(0, t.remaining), rate(t) * elapsed);
            }
        }
        return sentBytes + moving;
    }

    /** Milliseconds so far during which the uplink was sending; a read only. */
    double busyMs() {
        return busyMs + (active.isEmpty() ? 0 : Math.max(0, clock.now() - last) * use());
    }

    /** The share of the capacity the active transfers use now (1 unless metering by use). */
    private double use() {
        if (!meterByUse) {
            return 1;
        }
        double total = 0;
        for (Transfer t : active) {
            total += rate(t);
        }
        return Math.min(1, total / capacity);
    }

    /** The rate {@code t} moves at now (0 when it is not on this uplink). */
    double rateOf(Transfer t) {
        return active.contains(t) ? rate(t) : 0;
    }

    /** A new cap for a transfer still on the uplink (pipelined: its bytes now all arrived). */
    void recap(Transfer t, double capBytesPerMs) {
        if (!active.contains(t)) {
            return;
        }
        advance();
        t.capBytesPerMs = capBytesPerMs;
        reschedule();
    }

    /** Bytes sent outside any transfer (forwarded cut-through while they arrived) and the busy time they took. */
    void account(double bytes, double ms) {
        sentBytes += bytes;
        busyMs += ms;
    }

    void add(Transfer t) {
        advance();
        if (!sequential || active.isEmpty()) {
            active.add(t);
        } else {
            // the head is already on the wire; the others wait in priority order
            int at = active.size();
            while (at > 1 && active.get(at - 1).priority < t.priority) {
                at--;
            }
            active.add(at, t);
        }
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
        if (sequential && meterByUse) {
            return t.lent;
        }
        if (sequential) {
            return t == active.get(0) ? Math.min(capacity, t.capBytesPerMs) : 0;
        }
        return Math.min(fairLevel, t.capBytesPerMs);
    }

    /**
     * Max-min fair sharing: transfers capped below an equal share (a slow receiver, bytes still
     * arriving) take their cap, and the rest of the capacity is shared equally by the others.
     */
    private void share() {
        if (sequential && meterByUse) {
            double left = capacity;
            for (Transfer t : active) {
                t.lent = Math.min(left, t.capBytesPerMs);
                left -= t.lent;
            }
            return;
        }
        if (sequential || active.isEmpty()) {
            return;
        }
        double[] caps = new double[active.size()];
        for (int i = 0; i < caps.length; i++) {
            caps[i] = active.get(i).capBytesPerMs;
        }
        Arrays.sort(caps);
        double left = capacity;
        fairLevel = Double.MAX_VALUE;
        for (int i = 0; i < caps.length; i++) {
            double equal = left / (caps.length - i);
            if (caps[i] >= equal) {
                fairLevel = equal;
                return;
            }
            left -= caps[i];
        }
    }

    private void advance() {
        double now = clock.now();
        double elapsed = now - last;
        last = now;
        if (elapsed > 0 && !active.isEmpty()) {
            busyMs += elapsed * use();
            for (Transfer t : active) {
                double moved = Math.min(Math.max(0, t.remaining), rate(t) * elapsed);
                t.remaining -= rate(t) * elapsed;
                sentBytes += moved;
            }
        }
    }

    private void reschedule() {
        long v = ++version;
        share();
        if (active.isEmpty()) {
            return;
        }
        double next = Double.MAX_VALUE;
        List<Transfer> starting = null;
        for (Transfer t : active) {
            double r = rate(t);
            if (r > 0) {
                next = Math.min(next, Math.max(0, t.remaining) / r);
                if (!t.moving) {
                    t.moving = true;
                    if (t.started != null) {
                        if (starting == null) {
                            starting = new ArrayList<>(1);
                        }
                        starting.add(t);
                    }
                }
            }
        }
        if (starting != null) {
            for (Transfer t : starting) {
                t.started.run();
            }
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
