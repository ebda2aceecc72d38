package org.xp2p.bench.sim;

/**
 * The simulator's time and its only thread. Every piece of model state (peers, links, uplinks,
 * figures) is touched from tasks run by one clock, so the model needs no locks; the same model
 * code runs against the wall clock (beside a real xp2p node) and against a virtual clock (the
 * random-mesh baseline, which needs no server and so can run faster than real time).
 */
interface SimClock {
    /** Milliseconds since the clock started. */
    double now();

    /** Runs {@code task} on the model thread after {@code delayMs} (0: as soon as possible). */
    void at(double delayMs, Runnable task);
}
