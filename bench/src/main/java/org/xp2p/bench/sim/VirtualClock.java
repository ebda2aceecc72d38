package org.xp2p.bench.sim;

import java.util.PriorityQueue;

/**
 * Discrete-event {@link SimClock}: tasks run in time order, as fast as the CPU allows. Used for the
 * random-mesh baseline, which is modelled entirely in the simulator.
 */
final class VirtualClock implements SimClock {
    private record Event(double time, long order, Runnable task) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Double.compare(a.time, b.time) : Long.compare(a.order, b.order));
    private double now;
    private long order;

    @Override
    public double now() {
        return now;
    }

    @Override
    public void at(double delayMs, Runnable task) {
        queue.add(new Event(now + Math.max(0, delayMs), order++, task));
    }

    /** Runs every task due up to {@code until} (ms), then sets the clock there. */
    void runUntil(double until) {
        while (!queue.isEmpty() && queue.peek().time <= until) {
            Event e = queue.poll();
            now = e.time;
            e.task.run();
        }
        now = until;
    }
}
