package org.xp2p.bench.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Upload throughput while uploading, as the player SDK reports it in {@code stats.uploadRate}:
 * bytes sent over the time at least one upload was running, over the last few samples; 0 when
 * nothing was sent in that window (the server then keeps its previous measurement).
 */
final class BusyRate {
    private final int samples;
    private final Deque<double[]> window = new ArrayDeque<>();
    private double lastBytes;
    private double lastBusy;

    BusyRate(int samples) {
        this.samples = samples;
    }

    /** Takes a sample of the cumulative counters; returns bytes per second while busy. */
    long rate(double sentBytes, double busyMs) {
        window.addLast(new double[] {sentBytes - lastBytes, busyMs - lastBusy});
        lastBytes = sentBytes;
        lastBusy = busyMs;
        if (window.size() > samples) {
            window.removeFirst();
        }
        double bytes = 0;
        double busy = 0;
        for (double[] s : window) {
            bytes += s[0];
            busy += s[1];
        }
        return busy < 1 ? 0 : Math.round(bytes * 1000 / busy);
    }
}
