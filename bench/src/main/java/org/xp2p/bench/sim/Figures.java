package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run measured inside its window (events before the warm-up ends or after the window are
 * not counted): traffic by source, chunk timing, playback, tree activity, frozen-peer handling,
 * and the server's cost. Written only on the model thread; read after the run.
 */
final class Figures {
    final String name;
    final int rooms;
    double windowStart = Double.MAX_VALUE;
    double windowEnd = Double.MAX_VALUE;

    long p2pBytes;
    long cdnBytes;
    long bootstrapCdnBytes;
    final long[] roomP2p;
    final long[] roomCdn;
    /** Per-room sums of per-second samples of server children and members (for the ceiling). */
    final double[] roomServerChildSamples;
    final double[] roomMemberSamples;
    long samples;

    long chunks;
    long lateChunks;
    /** Late chunks by way: HTTP after a deadline or `missing`, or from a parent (with where their time went). */
    long lateFallbacks;
    long lateFromPeer;
    double lateUntilQueuedMs;
    double lateInUplinkMs;
    double lateTailMs;
    long lateQueuedBehind;
    long p2pChunks;
    long cdnFallbacks;
    long missing;
    double maxLatenessMs;
    String maxLatenessWhy = "";
    final Histogram delay = new Histogram();
    final Map<Integer, Histogram> delayByDepth = new TreeMap<>();
    final Histogram startup = new Histogram();
    long startups;
    long stalls;
    double stallMs;
    long playbackChunks;

    long parentMessages;
    long moves;
    long stallReports;
    /** Stall reports about a parent that did not have the chunk itself yet when the child gave up. */
    long stallReportsParentLate;
    /** Stall reports of a deadline that ended sooner than 2 s after the digest (the node moves the child, no strike). */
    long earlyReports;
    /** Early misses not reported (the parent's previous chunk came in time). */
    long excusedLate;
    long unreachableReports;
    long offers;
    long answered;
    long joins;
    long leaves;
    int maxDepth;
    final Map<String, Long> errors = new TreeMap<>();
    long closedByServer;

    /** Per frozen peer with children: ms from freeze until its last child was re-homed. */
    final List<Double> frozenReplaced = new ArrayList<>();
    /** Per frozen peer: ms from freeze until the server closed its connection. */
    final List<Double> frozenRemoved = new ArrayList<>();
    int frozenWithChildren;
    int frozenNotReplaced;
    /** For each of those, ms from its freeze to the end of the run. */
    final List<Double> frozenUnresolvedAgesMs = new ArrayList<>();
    int frozen;

    double serverCpuSeconds = Double.NaN;
    double serverHeapMiB = Double.NaN;
    double serverHeapBeforeMiB = Double.NaN;
    double serverRssMiB = Double.NaN;
    double clientCpuSeconds = Double.NaN;
    double serverOffload = Double.NaN;
    double serverSimOffload = Double.NaN;
    double nodeServerChildren = Double.NaN;
    int nodeDepth = -1;
    int nodePeers = -1;
    String freeSlotsByDepth = "";
    /** Peers that offered slots and that the node now gives none (demoted after stall reports), of all that offered. */
    int demoted = -1;
    int offeringSlots;
    /** Where the slots the uploaders' links could feed went, at the end (see {@link SlotGap}). */
    String slotGap = "";
    String note = "";

    Figures(String name, int rooms) {
        this.name = name;
        this.rooms = rooms;
        this.roomP2p = new long[rooms];
        this.roomCdn = new long[rooms];
        this.roomServerChildSamples = new double[rooms];
        this.roomMemberSamples = new double[rooms];
    }

    boolean counting(double now) {
        return now >= windowStart && now < windowEnd;
    }

    double seconds() {
        return (windowEnd - windowStart) / 1000;
    }

    Histogram depth(int depth) {
        return delayByDepth.computeIfAbsent(depth, d -> new Histogram());
    }

    void error(String code) {
        errors.merge(code, 1L, Long::sum);
    }

    double offload() {
        return ratio(p2pBytes, p2pBytes + cdnBytes);
    }

    /** Ideal offload: 1 − server children / members, over all rooms (time-averaged). */
    double ceiling() {
        double sc = 0;
        double m = 0;
        for (int r = 0; r < rooms; r++) {
            sc += roomServerChildSamples[r];
            m += roomMemberSamples[r];
        }
        return m == 0 ? Double.NaN : 1 - sc / m;
    }

    double roomOffload(int r) {
        return ratio(roomP2p[r], roomP2p[r] + roomCdn[r]);
    }

    double roomCeiling(int r) {
        return roomMemberSamples[r] == 0 ? Double.NaN : 1 - roomServerChildSamples[r] / roomMemberSamples[r];
    }

    static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
