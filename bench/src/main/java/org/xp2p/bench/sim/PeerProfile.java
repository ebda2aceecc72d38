package org.xp2p.bench.sim;

import java.util.Random;

/**
 * One simulated viewer's fixed traits, drawn once from a seeded {@link Random} so that the tree
 * runs and the mesh baseline see exactly the same population.
 *
 * @param index        position in the population
 * @param room         room index
 * @param upBytesPerMs uplink in bytes per millisecond
 * @param downBytesPerMs downlink in bytes per millisecond
 * @param rttMs        round trip to the network; a peer-to-peer round trip is the mean of both ends
 * @param cellular     joins as {@code network:"cellular"}, {@code upload:false}
 * @param freezeAtMs   offset into the measured window at which the peer freezes, or -1
 * @param seed         seed of the peer's own random stream (loss, churn)
 */
record PeerProfile(int index, int room, double upBytesPerMs, double downBytesPerMs, double rttMs, boolean cellular,
                   double freezeAtMs, long seed) {

    static PeerProfile draw(int index, int room, PeerModel m, double windowMs, Random r) {
        double logMin = Math.log(m.uploadMinMbps());
        double logMax = Math.log(m.uploadMaxMbps());
        double upMbps = Math.exp(logMin + r.nextDouble() * (logMax - logMin));
        double rtt = m.rttMinMs() + r.nextDouble() * (m.rttMaxMs() - m.rttMinMs());
        boolean cellular = r.nextDouble() < m.cellular();
        // freezes land early enough in the window that the server's removal can be seen within it
        double freezeSpan = Math.max(1_000, windowMs - 40_000);
        double freezeAt = r.nextDouble() < m.frozen() ? r.nextDouble() * freezeSpan : -1;
        return new PeerProfile(index, room, LinkTiming.mbpsToBytesPerMs(upMbps),
                LinkTiming.mbpsToBytesPerMs(m.downloadMbps()), rtt, cellular, freezeAt, r.nextLong());
    }

    boolean uploads() {
        return !cellular;
    }
}
