package org.xp2p.swarm;

import java.util.ArrayDeque;

/**
 * Tells a room's reports that one parent failed from a slowdown the whole room shares. When the
 * node, its network or the viewers' shared path hiccups, every child misses its deadline at once
 * and every parent would take a strike: the tree would demote its healthy parents and pile their
 * children onto the server, the one place that is already slow. In the swarm simulator, a
 * 10,000-peer room whose peers all ran late lost most of its slots this way within 20 s
 * (docs/benchmarks.md). So while the latest strikeable reports come from more than a share of the
 * room's members within {@link #WINDOW_MILLIS}, a report still moves its child but strikes nobody.
 *
 * <p>Pure bookkeeping, no clock or lock of its own: the room calls it under its monitor with the
 * time. It keeps at most as many report times as the threshold, so memory does not grow with a
 * storm.
 */
final class StrikeStorm {
    static final long WINDOW_MILLIS = 2_000;
    /** A storm needs at least this many reports in the window, whatever the room's size. */
    static final int MIN_REPORTS = 10;

    private final int percent;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private boolean raging;

    /** @param percent share of the members, in percent, whose reports within the window make a storm (0: never) */
    StrikeStorm(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0-100, not " + percent);
        }
        this.percent = percent;
    }

    /**
     * A report that would strike arrived at {@code now} in a room of {@code members}; true when it
     * may strike, false while the room is in a storm.
     */
    boolean admit(long now, int members) {
        if (percent == 0) {
            return true;
        }
        int threshold = threshold(members);
        recent.addLast(now);
        while (recent.size() > threshold) {
            recent.pollFirst();
        }
        raging = recent.size() >= threshold && now - recent.peekFirst() < WINDOW_MILLIS;
        return !raging;
    }

    /** Reports within the window that make a storm in a room of {@code members}. */
    int threshold(int members) {
        return Math.max(MIN_REPORTS, (int) Math.ceil(members * (percent / 100.0)));
    }

    /** Whether the latest report fell in a storm. */
    boolean raging() {
        return raging;
    }
}
