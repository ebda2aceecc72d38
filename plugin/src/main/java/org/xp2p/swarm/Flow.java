package org.xp2p.swarm;

import org.xp2p.common.Json;

/**
 * Traffic counters as peers report them, summed over a room or the node.
 *
 * @param p2pBytes    bytes peers downloaded from other peers
 * @param cdnBytes    bytes peers downloaded from the server over HTTP
 * @param uploadBytes bytes peers uploaded to other peers
 * @param stalls      playback stalls peers counted
 * @param peers       peers present now
 */
record Flow(long p2pBytes, long cdnBytes, long uploadBytes, long stalls, int peers) {
    static final Flow ZERO = new Flow(0, 0, 0, 0, 0);

    /** Sums saturate at {@code Long.MAX_VALUE}: a node's totals never wrap to negative numbers. */
    Flow plus(Flow o) {
        return new Flow(add(p2pBytes, o.p2pBytes), add(cdnBytes, o.cdnBytes), add(uploadBytes, o.uploadBytes),
                add(stalls, o.stalls), peers + o.peers);
    }

    private static long add(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** Share of downloaded bytes that came from peers: what the swarm saves the CDN. 0 when nothing flowed. */
    double offload() {
        long total = p2pBytes + cdnBytes;
        return total == 0 ? 0.0 : (double) p2pBytes / total;
    }

    void writeTo(Json json) {
        json.raw("flow", Json.object().put("p2pBytes", p2pBytes).put("cdnBytes", cdnBytes)
                .put("uploadBytes", uploadBytes).end());
        json.put("stalls", stalls).put("peers", (long) peers).put("offload", offload());
    }
}
