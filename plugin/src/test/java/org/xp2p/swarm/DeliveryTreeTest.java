package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryTreeTest {

    @Test
    void firstPeerPullsFromServerAndNextPeersFillItsSlots() {
        DeliveryTree tree = new DeliveryTree(3, 2, 2);
        tree.join("a", 2);
        assertEquals(DeliveryTree.SERVER, tree.parent("a"));
        DeliveryTree.Changes c = tree.join("b", 2);
        assertEquals("a", tree.parent("b"));
        assertEquals(Set.of("b"), c.reparented());
        assertEquals(Set.of("a"), c.childrenChanged());
        tree.join("c", 0);
        assertEquals("a", tree.parent("c"));
        tree.join("d", 0);
        assertEquals("b", tree.parent("d"), "a is full, b is the shallowest with a free slot");
        assertEquals(3, tree.depth("d"));
    }

    @Test
    void leafPeersNeverGetChildren() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2);
        tree.join("leaf", 0);
        tree.join("x", 0);
        assertEquals(DeliveryTree.SERVER, tree.parent("x"));
        assertEquals(List.of(), tree.children("leaf"));
    }

    @Test
    void depthBoundSendsPeersToTheServer() {
        DeliveryTree tree = new DeliveryTree(2, 2, 2);
        tree.join("a", 1);
        tree.join("b", 1);
        tree.join("c", 1);
        assertEquals("a", tree.parent("b"));
        assertEquals(DeliveryTree.SERVER, tree.parent("c"), "b sits at the depth bound, so it takes no child");
    }

    @Test
    void leavingParentsChildrenAreRehomedAtOnce() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2);
        tree.join("a", 2);
        tree.join("b", 2);
        tree.join("c", 2);
        tree.join("d", 0);
        DeliveryTree.Changes c = tree.leave("a");
        assertFalse(tree.contains("a"));
        for (String id : List.of("b", "c", "d")) {
            assertTrue(tree.depth(id) >= 1, id + " attached");
        }
        assertTrue(c.reparented().containsAll(List.of("b", "c")));
    }

    @Test
    void stallReportMovesReporterAndStrikesDemoteParent() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2);
        tree.join("p", 3);
        tree.join("q", 3);
        tree.join("r", 0);
        tree.join("s", 0);
        assertEquals("p", tree.parent("q"));
        assertEquals("p", tree.parent("r"));
        tree.stalled("r", "p");
        assertEquals("q", tree.parent("r"), "moved away from the stalled parent");
        tree.stalled("s", "p");
        assertTrue(tree.isDemoted("p"));
        assertEquals(List.of(), tree.children("p"), "two strikes: p is a leaf now");
        assertFalse(tree.parent("q").equals("p"));
        assertEquals(DeliveryTree.Changes.none(), tree.stalled("s", "p"), "stale report changes nothing");
    }

    @Test
    void aReportWithoutAStrikeMovesOnlyTheReporter() {
        DeliveryTree tree = new DeliveryTree(4, 2, 1);
        tree.join("p", 2);
        tree.join("q", 3);
        tree.join("r", 0);
        assertEquals("p", tree.parent("q"));
        assertEquals("p", tree.parent("r"));
        assertEquals(Set.of("r"), tree.stalled("r", "p", false).reparented());
        assertEquals("q", tree.parent("r"));
        assertFalse(tree.isDemoted("p"), "one strike would demote here; no strike does not");
        assertEquals(List.of("q"), tree.children("p"), "p keeps its other child and its slots");
        assertTrue(tree.hasFreeSlot("p"));
    }

    @Test
    void standbyListsOtherEligibleParents() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2);
        tree.join("a", 1);
        tree.join("b", 2);
        tree.join("c", 2);
        tree.join("d", 0);
        List<String> standby = tree.standby("d");
        assertFalse(standby.contains(tree.parent("d")));
        assertFalse(standby.contains("d"));
        assertTrue(standby.size() <= 2 && !standby.isEmpty());
    }

    @Test
    void rebalancingMovesServerChildrenBelowACapableNewcomer() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2);
        tree.join("leaf1", 0);
        tree.join("leaf2", 0);
        tree.join("leaf3", 0);
        tree.join("strong", 4);
        assertEquals(4, tree.serverChildren(), "nobody could take anyone on arrival");
        DeliveryTree.Changes first = tree.rebalance(1, 1);
        assertEquals(Set.of("leaf3"), first.reparented(), "one move per call, the weakest and newest first");
        assertEquals(Set.of("strong"), first.childrenChanged());
        assertEquals("strong", tree.parent("leaf3"));
        tree.rebalance(1, 10);
        assertEquals(1, tree.serverChildren(), "down to the target");
        assertEquals(List.of("leaf3", "leaf2", "leaf1"), tree.children("strong"));
        assertEquals(DeliveryTree.Changes.none(), tree.rebalance(1, 10), "nothing left to do");
        assertEquals(DeliveryTree.Changes.none(), new DeliveryTree(4, 2, 2).rebalance(1, 10));
    }

    @Test
    void aCapablePeerTooDeepToUseItsSlotsIsPromotedAndTakesTheServerChildren() {
        DeliveryTree tree = new DeliveryTree(2, 2, 2);
        tree.join("a", 1);
        tree.join("b", 4);
        assertEquals("a", tree.parent("b"));
        for (String leaf : List.of("c", "d", "e")) {
            tree.join(leaf, 0);
            assertEquals(DeliveryTree.SERVER, tree.parent(leaf), "a is full and b sits at maxDepth");
        }
        DeliveryTree.Changes moved = tree.rebalance(1, 10);
        assertEquals(DeliveryTree.SERVER, tree.parent("b"), "promoted");
        assertEquals(1, tree.serverChildren());
        assertEquals(Set.of("a", "c", "d", "e"), Set.copyOf(tree.children("b")));
        assertEquals(Set.of("a", "b", "c", "d", "e"), moved.reparented());
    }

    @Test
    void anUploaderAtMaxDepthSwapsPlacesWithAWeakerPeerNearerTheRoot() {
        // a -> b -> c at maxDepth 3; a and b measured at one slot; c never had a child, so it was never measured
        DeliveryTree tree = new DeliveryTree(3, 2, 2, 1);
        tree.join("a", 4);
        tree.join("b", 4);
        tree.join("c", 4);
        tree.measured("a", 1);
        tree.measured("b", 1);
        tree.join("leaf", 0);
        tree.join("l2", 0);
        assertEquals(3, tree.depth("c"));
        assertEquals(3, tree.serverChildren(), "a and b are full, c has no depth left below it");

        assertEquals(DeliveryTree.Changes.none(), tree.rebalance(1, 1), "a swap costs two moves");
        DeliveryTree.Changes moved = tree.rebalance(1, 2);
        assertEquals(Set.of("c", "l2"), moved.reparented(),
                "c takes the place of the newest of the weakest server children, which takes c's");
        assertEquals(Set.of("b"), moved.childrenChanged());
        assertEquals(DeliveryTree.SERVER, tree.parent("c"));
        assertEquals("b", tree.parent("l2"));
        assertEquals(3, tree.serverChildren(), "a swap adds no server child");
        assertEquals(DeliveryTree.Changes.none(), tree.rebalance(1, 10),
                "nothing moves below c until it is measured, and nobody is weaker nearer the root");

        tree.measured("c", 4);
        assertEquals(Set.of("leaf"), tree.rebalance(1, 10).reparented());
        assertEquals(List.of("leaf"), tree.children("c"));
        assertEquals(2, tree.serverChildren(), "a keeps its place: its subtree is too deep to move");
    }

    @Test
    void aSwapNeverPutsAPeerBelowAParentItReported() {
        DeliveryTree tree = new DeliveryTree(3, 2, 2, 1);
        tree.join("a", 4);
        tree.join("b", 4);
        tree.join("leaf", 0);
        assertEquals("b", tree.parent("leaf"));
        tree.stalled("leaf", "b");
        assertEquals(DeliveryTree.SERVER, tree.parent("leaf"));
        tree.join("c", 4);
        assertEquals("b", tree.parent("c"));
        assertEquals(3, tree.depth("c"));
        // the only swap with a weaker peer that is not c's ancestor would put leaf below b
        assertEquals(DeliveryTree.Changes.none(), tree.rebalance(1, 10));
        assertEquals(DeliveryTree.SERVER, tree.parent("leaf"));
    }

    @Test
    void probeSlotsUntilMeasuredAndRebalancingOnlyBelowMeasuredPeers() {
        DeliveryTree tree = new DeliveryTree(4, 2, 2, 1);
        tree.join("a", 4);
        tree.join("x", 0);
        tree.join("y", 0);
        assertEquals(List.of(-1, 1, 0), view(tree, "a"), "unmeasured: probe slot, not demoted");
        assertEquals("a", tree.parent("x"));
        assertEquals(DeliveryTree.SERVER, tree.parent("y"), "a has one probe slot");
        assertEquals(DeliveryTree.Changes.none(), tree.rebalance(1, 10), "a is not measured: nothing moves below it");
        tree.measured("a", 9);
        assertEquals(Set.of("y"), tree.rebalance(1, 10).reparented());
        assertEquals(List.of("x", "y"), tree.children("a"));
        tree.measured("a", 1);
        assertEquals(List.of("x"), tree.children("a"), "measured lower: the newest child moves");
        tree.stalled("x", "a");
        tree.join("z", 0);
        tree.stalled("z", "a");
        assertTrue(tree.isDemoted("a"));
        tree.measured("a", 4);
        assertFalse(tree.hasFreeSlot("a"), "no slots while demoted, whatever the measurement");
        assertEquals(List.of(4, 0, 1), view(tree, "a"), "the view tells a demotion from a weak measurement");
        tree.forgive("a");
        assertTrue(tree.hasFreeSlot("a"), "forgiven: measured slots back (offered 4, measured 4)");
        assertEquals(List.of(4, 4, 0), view(tree, "a"));
    }

    /**
     * The parent a newcomer must get, from the dashboard view alone: the shallowest peer above
     * {@code maxDepth} with a free slot, then the one with most free slots, then the oldest (view
     * order is join order); the server when there is none. An oracle for the tree's cached lists.
     */
    private static String bestParentByScan(DeliveryTree tree, int maxDepth) {
        DeliveryTree.NodeView best = null;
        for (DeliveryTree.NodeView v : tree.snapshot()) {
            int free = v.capacity() - v.children().size();
            if (free <= 0 || v.depth() < 1 || v.depth() >= maxDepth) {
                continue;
            }
            if (best == null || v.depth() < best.depth()
                    || (v.depth() == best.depth() && free > best.capacity() - best.children().size())) {
                best = v;
            }
        }
        return best == null ? DeliveryTree.SERVER : best.id();
    }

    /** measuredSlots, slots, demoted (1/0) of one peer as the dashboard view shows them. */
    private static List<Integer> view(DeliveryTree tree, String id) {
        DeliveryTree.NodeView v = tree.snapshot().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
        return List.of(v.measuredSlots(), v.capacity(), v.demoted() ? 1 : 0);
    }

    @Test
    void invariantsHoldUnderThousandsOfRandomOperations() {
        for (long seed = 1; seed <= 8; seed++) {
            Random random = new Random(seed);
            int maxDepth = 2 + random.nextInt(4);
            // seeds 5-8: probe slots (one child until measured), promotions, forgiven demotions
            DeliveryTree tree = seed <= 4 ? new DeliveryTree(maxDepth, 3, 2) : new DeliveryTree(maxDepth, 3, 2, 1);
            Map<String, Integer> capacity = new HashMap<>();
            List<String> live = new ArrayList<>();
            int next = 0;
            int orphansRehomed = 0;
            int stallMoves = 0;
            int rebalanceMoves = 0;
            int measureMoves = 0;
            for (int op = 0; op < 2500; op++) {
                int dice = random.nextInt(100);
                if (dice < 50 || live.size() < 3) {
                    String id = "p" + next++;
                    int cap = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(4);
                    capacity.put(id, cap);
                    String expected = bestParentByScan(tree, maxDepth);
                    tree.join(id, cap);
                    assertEquals(expected, tree.parent(id), "a newcomer hangs below the best parent (seed " + seed + ", op " + op + ")");
                    live.add(id);
                    if (seed > 4 && random.nextBoolean()) {
                        // an uploader's first stats report in probe mode
                        String measured = live.get(random.nextInt(live.size()));
                        measureMoves += tree.measured(measured, random.nextInt(5)).reparented().size();
                    }
                } else if (dice < 85) {
                    String id = live.remove(random.nextInt(live.size()));
                    List<String> orphans = tree.children(id);
                    tree.leave(id);
                    orphansRehomed += orphans.size();
                    for (String orphan : orphans) {
                        assertTrue(tree.depth(orphan) >= 1, "orphan " + orphan + " re-homed (seed " + seed + ")");
                        assertFalse(id.equals(tree.parent(orphan)));
                    }
                } else if (dice < 88) {
                    String id = live.get(random.nextInt(live.size()));
                    int slots = random.nextInt(5);
                    int had = tree.children(id).size();
                    DeliveryTree.Changes moved = tree.measured(id, slots);
                    int after = tree.children(id).size();
                    assertTrue(slots < had ? after <= slots : after == had,
                            "measured(" + slots + ") leaves " + after + " of " + had + " children");
                    measureMoves += moved.reparented().size();
                } else if (dice < 90) {
                    int before = tree.serverChildren();
                    DeliveryTree.Changes moved = tree.rebalance(1, 3);
                    rebalanceMoves += moved.reparented().size();
                    assertTrue(moved.reparented().size() <= 3 + 6, "at most maxMoves moves per call (each with its subtree)");
                    assertTrue(tree.serverChildren() <= before + 1, "rebalancing adds at most one server child net");
                    if (random.nextBoolean()) {
                        tree.forgive(live.get(random.nextInt(live.size())));
                    }
                } else {
                    String reporter = live.get(random.nextInt(live.size()));
                    String parent = tree.parent(reporter);
                    tree.stalled(reporter, parent);
                    if (!parent.equals(DeliveryTree.SERVER) && tree.contains(parent)) {
                        stallMoves++;
                        assertFalse(parent.equals(tree.parent(reporter)), "reporter left its stalled parent");
                    }
                }
                checkInvariants(tree, live, capacity, maxDepth, seed, op);
            }
            assertTrue(orphansRehomed > 100 && stallMoves > 50 && rebalanceMoves > 10 && measureMoves > 10,
                    "the run exercised re-homing: " + orphansRehomed + " orphans, " + stallMoves + " stall moves, "
                            + rebalanceMoves + " rebalancing moves, " + measureMoves + " moves by lowered slots");
        }
    }

    private static void checkInvariants(DeliveryTree tree, List<String> live, Map<String, Integer> capacity,
                                        int maxDepth, long seed, int op) {
        java.util.function.Supplier<String> where = () -> " (seed " + seed + ", op " + op + ")";
        List<DeliveryTree.NodeView> views = tree.snapshot();
        check(live.size() == views.size(), () -> "every live peer is in the tree" + where.get());
        Map<String, DeliveryTree.NodeView> byId = new HashMap<>();
        views.forEach(v -> byId.put(v.id(), v));
        for (DeliveryTree.NodeView v : views) {
            // walk to the root by parent pointers: must reach the server without revisiting a node
            Set<String> seen = new HashSet<>();
            String cur = v.id();
            int depth = 0;
            while (!cur.equals(DeliveryTree.SERVER)) {
                String at = cur;
                check(seen.add(cur), () -> "cycle through " + at + where.get());
                DeliveryTree.NodeView n = byId.get(cur);
                check(n != null, () -> "parent " + at + " exists" + where.get());
                cur = n.parent();
                depth++;
            }
            int d = depth;
            check(d == v.depth(), () -> "reported depth " + v.depth() + " is " + d + where.get());
            check(d >= 1 && d <= maxDepth, () -> "depth " + d + " within " + maxDepth + where.get());
            int cap = capacity.get(v.id());
            check(v.children().size() <= cap, () -> "slots respected for " + v.id() + where.get());
            check(v.children().size() <= v.capacity(), () -> "earned slots respected for " + v.id() + where.get());
            check(cap > 0 || v.children().isEmpty(), () -> "upload-off peer " + v.id() + " is a leaf" + where.get());
            for (String child : v.children()) {
                check(v.id().equals(byId.get(child).parent()), () -> "child lists and parents agree" + where.get());
            }
            check(v.parent().equals(DeliveryTree.SERVER) || byId.get(v.parent()).children().contains(v.id()),
                    () -> "parent lists " + v.id() + where.get());
        }
    }

    private static void check(boolean ok, java.util.function.Supplier<String> message) {
        if (!ok) {
            fail(message.get());
        }
    }
}
