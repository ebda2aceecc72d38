package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tree alone, driven in virtual time the way {@link Room} drives it, with a heterogeneous
 * audience arriving in a burst: does it settle where the audience's upload can carry the stream?
 * Peers are placed before anything is known of their upload, so strong uploaders land at
 * {@code maxDepth} (where they can feed nobody, and having no child are never measured) while
 * peers that can feed nobody hold places near the root; promotions and swaps must sort that out.
 */
class DeliveryTreeSettlingTest {
    private static final int PEERS = 500;
    private static final int MAX_DEPTH = 4;
    private static final double STREAM_MBPS = 2.07;
    private static final double HEADROOM = 1.25;
    private static final int OFFERED = 8;

    @Test
    void aBurstOfUnmeasuredPeersSettlesWithNoSlotLeftAtMaxDepth() {
        Random r = new Random(7);
        int[] slots = new int[PEERS];
        int[] offered = new int[PEERS];
        PriorityQueue<double[]> joins = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        for (int i = 0; i < PEERS; i++) {
            boolean cellular = r.nextDouble() < 0.3;
            double upMbps = Math.exp(Math.log(0.5) + r.nextDouble() * (Math.log(20) - Math.log(0.5)));
            offered[i] = cellular ? 0 : OFFERED;
            slots[i] = cellular ? 0 : (int) Math.min(OFFERED, Math.floor(upMbps / (STREAM_MBPS * HEADROOM)));
            joins.add(new double[] {r.nextDouble() * PEERS * 5, i}); // about 200 joins a second
        }
        DeliveryTree tree = new DeliveryTree(MAX_DEPTH, 3, 2, 1);
        Map<String, Integer> profile = new HashMap<>();
        Map<String, Long> childSince = new HashMap<>();
        Set<String> measured = new HashSet<>();
        List<String> live = new ArrayList<>();
        int generation = 0;
        for (long t = 0; t <= 80_000; t += 100) {
            while (!joins.isEmpty() && joins.peek()[0] <= t) {
                int i = (int) joins.poll()[1];
                String id = "p" + i + "." + generation++;
                profile.put(id, i);
                tree.join(id, offered[i]);
                live.add(id);
            }
            if (t > 20_000 && t % 1_000 == 0 && r.nextDouble() < live.size() * 0.05 / 60) {
                // churn, 5 % a minute: one leaves and comes back 2 s later as a new peer
                String id = live.remove(r.nextInt(live.size()));
                tree.leave(id);
                measured.remove(id);
                childSince.remove(id);
                joins.add(new double[] {t + 2_000, profile.get(id)});
            }
            for (String id : live) {
                // the first stats report after 2 s of uploading to a child measures the peer
                if (!measured.contains(id) && !tree.children(id).isEmpty()) {
                    Long since = childSince.putIfAbsent(id, t);
                    if (since != null && t - since >= 2_000) {
                        tree.measured(id, slots[profile.get(id)]);
                        measured.add(id);
                    }
                }
            }
            if (t % 1_000 == 0) {
                tree.rebalance(1, SwarmSettings.DEFAULT_REBALANCE_MOVES);
            }
        }

        int slotsAtMaxDepth = 0;
        int slotsAbove = 0;
        for (DeliveryTree.NodeView v : tree.snapshot()) {
            int s = slots[profile.get(v.id())];
            if (v.depth() == MAX_DEPTH) {
                slotsAtMaxDepth += s;
            } else {
                slotsAbove += s;
            }
        }
        double ceiling = 1 - (double) tree.serverChildren() / tree.size();
        assertTrue(slotsAtMaxDepth <= slotsAbove / 50,
                "uploaders left at maxDepth where they feed nobody: " + slotsAtMaxDepth + " slots (" + slotsAbove
                        + " above)");
        assertTrue(ceiling >= 0.9, "settled with " + tree.serverChildren() + " server children of " + tree.size()
                + " peers, ceiling " + ceiling);
    }
}
