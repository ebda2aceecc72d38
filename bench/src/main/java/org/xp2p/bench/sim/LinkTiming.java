package org.xp2p.bench.sim;

import java.util.Random;

/**
 * The link model's arithmetic, kept apart so it can be checked by hand (and by a unit test):
 * a chunk takes {@code size / rate + RTT}, plus one RTT per retransmitted loss, where losses are
 * Poisson with mean {@code packets × loss} and at most one per round trip of the transfer can
 * cost a round trip (losses inside one window are repaired together, as SACK does).
 */
final class LinkTiming {
    static final int PACKET_BYTES = 1_200;

    private LinkTiming() {
    }

    static double mbpsToBytesPerMs(double mbps) {
        return mbps * 1e6 / 8 / 1000;
    }

    /** Round trip between two peers: each end's trip to the network, averaged. */
    static double peerRtt(double a, double b) {
        return (a + b) / 2;
    }

    /** Milliseconds to move {@code bytes} at {@code bytesPerMs}, plus one round trip. */
    static double transferMs(long bytes, double bytesPerMs, double rttMs) {
        return bytes / bytesPerMs + rttMs;
    }

    /** Extra milliseconds that losses add to a transfer of {@code bytes} lasting {@code busyMs}. */
    static double lossPenaltyMs(long bytes, double loss, double rttMs, double busyMs, Random random) {
        if (loss <= 0) {
            return 0;
        }
        long packets = Math.max(1, (bytes + PACKET_BYTES - 1) / PACKET_BYTES);
        int losses = poisson(packets * loss, random);
        int windows = (int) Math.ceil(Math.max(busyMs, rttMs) / rttMs);
        return Math.min(losses, windows) * rttMs;
    }

    /** Poisson variate (Knuth; means here are small). */
    static int poisson(double mean, Random random) {
        double limit = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit && k < 1_000);
        return k - 1;
    }

    /**
     * How long the player SDK lets a parent take for a chunk, given the media buffered ahead
     * (player/src/scheduler.js parentDeadline): buffer − 700 ms, between 250 ms and 6 s.
     */
    static double parentDeadlineMs(double bufferedMs) {
        return Math.min(PeerModel.MAX_PARENT_MS, Math.max(PeerModel.MIN_PARENT_MS, bufferedMs - PeerModel.HTTP_BUDGET_MS));
    }
}
