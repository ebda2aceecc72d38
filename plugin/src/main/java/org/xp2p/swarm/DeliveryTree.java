package org.xp2p.swarm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The delivery tree of one room: who pulls the stream from whom.
 *
 * <p>The server (the CDN edge, {@link #SERVER}) is the root and takes any number of children.
 * Each peer has a capacity (upload slots; 0 for peers with upload off, which are therefore always
 * leaves) and hangs below the eligible parent with the smallest depth, so the tree stays shallow
 * and a stall near the root hurts as few viewers as possible. A parent is eligible when it has a
 * free slot, is attached to the server (its chain of parents reaches the root) and is not inside
 * the moving peer's own subtree, and when the moving subtree still fits under
 * {@code maxDepth} below it. Because a peer only ever moves below an attached node that is not its
 * descendant, no operation can create a cycle.
 *
 * <p>Slots are earned, not declared: a peer's {@code offered} slots (its {@code join}) are only an
 * upper bound. Until its upload has been measured it gets {@code probeSlots} (one child by default,
 * enough to measure it, too few for a weak uplink to stall many viewers); then
 * {@link #measured} sets its slots to what its measured upload can feed, up or down. Only measured
 * parents receive peers moved by {@link #rebalance}, which also promotes a measured peer with free
 * slots that sits too deep to use them to a server child, so the capable peers end up near the root.
 *
 * <p>Pure and single-threaded: the owning {@link Room} serialises calls. Every operation returns
 * the {@link Changes} the room must announce, so the wire side never recomputes the tree.
 */
final class DeliveryTree {
    /** The parent id that means "pull from the server over HTTP". */
    static final String SERVER = "server";
    private static final String DETACHED = "";

    private final int maxDepth;
    private final int standbyCount;
    private final int stallStrikes;
    /** Slots of a peer whose upload has not been measured yet; {@link #TRUST_DECLARED}: its offer. */
    private final int probeSlots;
    /** {@code probeSlots} value meaning declared slots are taken as measured (tests of placement alone). */
    static final int TRUST_DECLARED = Integer.MAX_VALUE;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> serverChildren = new LinkedHashSet<>();
    private long joinCounter;
    /** Bumped by every change of a parent, a child list or slots: {@link #open} is valid while it holds. */
    private long version;
    private long openVersion = -1;
    private List<Open> open = List.of();

    /** A peer with a free slot and its depth, as {@link #open} lists them. */
    private record Open(Node node, int depth) {
    }

    private static final class Node {
        final String id;
        final long order;
        /** Slots the peer offered in its join: never exceeded. */
        final int offered;
        /** Slots the tree uses now. */
        int capacity;
        /** Slots its measured upload can feed; -1 until measured. */
        int measuredSlots = -1;
        String parent = DETACHED;
        final Set<String> children = new LinkedHashSet<>();
        final Set<String> stallReporters = new LinkedHashSet<>();
        /** Parents this peer reported stalled or unreachable: rebalancing never puts it back below them. */
        final Set<String> reported = new LinkedHashSet<>();

        Node(String id, int offered, long order) {
            this.id = id;
            this.offered = offered;
            this.order = order;
        }

        int free() {
            return capacity - children.size();
        }

        /** The slots it has earned: its measurement (its probe until measured), never more than it offered. */
        int earned(int probeSlots) {
            return Math.min(offered, measuredSlots >= 0 ? measuredSlots : probeSlots);
        }
    }

    /** What changed: peers with a new parent, and peers whose list of children changed. */
    record Changes(Set<String> reparented, Set<String> childrenChanged) {
        static Changes none() {
            return new Changes(Set.of(), Set.of());
        }
    }

    /**
     * A read-only view of one peer for dashboards and invariant checks; {@code measuredSlots} is -1
     * until its upload was measured, and a {@code demoted} peer has no slots whatever it measured.
     */
    record NodeView(String id, String parent, int depth, int capacity, List<String> children, int stallReports,
                    int measuredSlots, boolean demoted) {
    }

    /** A tree that takes declared slots as measured (see {@link #TRUST_DECLARED}). */
    DeliveryTree(int maxDepth, int standbyCount, int stallStrikes) {
        this(maxDepth, standbyCount, stallStrikes, TRUST_DECLARED);
    }

    DeliveryTree(int maxDepth, int standbyCount, int stallStrikes, int probeSlots) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1");
        }
        this.maxDepth = maxDepth;
        this.standbyCount = standbyCount;
        this.stallStrikes = stallStrikes;
        this.probeSlots = Math.max(0, probeSlots);
    }

    int size() {
        return nodes.size();
    }

    boolean contains(String id) {
        return nodes.containsKey(id);
    }

    /** Adds a peer with {@code capacity} upload slots (0 = leaf) below the best parent. */
    Changes join(String id, int capacity) {
        if (id.equals(SERVER) || id.equals(DETACHED) || nodes.containsKey(id)) {
            throw new IllegalArgumentException("peer id already in the tree: " + id);
        }
        int offered = Math.max(0, capacity);
        Node node = new Node(id, offered, joinCounter++);
        if (probeSlots == TRUST_DECLARED) {
            node.measuredSlots = offered;
        }
        node.capacity = node.earned(probeSlots);
        nodes.put(id, node);
        version++;
        Tracker t = new Tracker();
        attach(id, Set.of(), t);
        return t.changes();
    }

    /** Removes a peer; each of its children (with its subtree) is re-homed at once. */
    Changes leave(String id) {
        Node node = nodes.get(id);
        if (node == null) {
            return Changes.none();
        }
        Tracker t = new Tracker();
        detach(node, t);
        nodes.remove(id);
        List<String> orphans = new ArrayList<>(node.children);
        for (String child : orphans) {
            nodes.get(child).parent = DETACHED;
        }
        node.children.clear();
        version++;
        for (String child : orphans) {
            attach(child, Set.of(), t);
        }
        t.reparented.remove(id);
        t.childrenChanged.remove(id);
        return t.changes();
    }

    /**
     * {@code reporter} says its parent {@code parent} stalled or cannot be reached: the reporter moves
     * away from it at once; once {@code stallStrikes} different children have reported the same
     * parent it is demoted to a leaf and all its children move. A report about a peer that is not
     * (or no longer) the reporter's parent changes nothing: it raced with an earlier move.
     */
    Changes stalled(String reporter, String parent) {
        return stalled(reporter, parent, true);
    }

    /**
     * The same, with the parent's strike only when {@code strike}: the reporter moves away and never
     * goes back below it either way.
     */
    Changes stalled(String reporter, String parent, boolean strike) {
        Node r = nodes.get(reporter);
        Node p = nodes.get(parent);
        if (r == null || p == null || !r.parent.equals(parent)) {
            return Changes.none();
        }
        Tracker t = new Tracker();
        if (strike) {
            p.stallReporters.add(reporter);
        }
        r.reported.add(parent);
        detach(r, t);
        attach(reporter, Set.of(parent), t);
        if (p.stallReporters.size() >= stallStrikes && p.capacity > 0) {
            lower(p, 0, t);
        }
        return t.changes();
    }

    /**
     * Moves server children below measured peers with free slots, at most {@code maxMoves} per call,
     * until the server has {@code target} children or nobody else can take one. Who stays: the
     * server children with the most slots (then the oldest), so the root keeps the peers that feed
     * the most; who moves first: the weakest. Peers that arrived while nobody had a free slot (a
     * burst, or leaves first and capable peers later) thus end up below capable newcomers instead of
     * pulling from the server for good. A moved peer keeps its own subtree.
     *
     * <p>When no server child can move, a measured peer with at least two free slots that it cannot
     * use where it is (nothing fits below it within {@code maxDepth}, or it sits deeper than where
     * the slots are needed) is promoted to a server child: it costs the server one child and frees
     * the slots for the next moves. Each promotion counts as a move. When nobody can be promoted, a
     * peer with free slots swaps places with a weaker peer nearer the root ({@link #swapOne}).
     */
    Changes rebalance(int target, int maxMoves) {
        if (serverChildren.size() <= target || maxMoves <= 0) {
            return Changes.none();
        }
        Tracker t = new Tracker();
        int moves = 0;
        while (moves < maxMoves && serverChildren.size() > target) {
            if (moveOneServerChild(target, t)) {
                moves++;
                continue;
            }
            if (promoteOne(t)) {
                moves++;
                continue;
            }
            int swapped = swapOne(maxMoves - moves, t);
            if (swapped == 0) {
                break;
            }
            moves += swapped;
        }
        return t.changes();
    }

    /**
     * Exchanges the places of a measured peer with free slots and a weaker peer nearer the root;
     * returns the peers moved (0: no such pair, or it would cost more than {@code budget}).
     *
     * <p>Why: slots only count where the tree has depth left below them. Peers are placed before
     * their upload is measured, so a strong uploader often sits at {@code maxDepth}, where its slots
     * are useless, while a peer that can feed nobody holds a place near the root. The strong peer
     * takes the weak one's place (with its own subtree, which only gets shallower) and the weak
     * one's children, and the weak one takes the strong one's old place. Nobody else moves, no
     * depth grows, and every swap raises slots × height left, so swaps cannot cycle.
     */
    private int swapOne(int budget, Tracker t) {
        Map<Node, Integer> depths = new java.util.HashMap<>();
        List<Node> strong = new ArrayList<>();
        List<Node> weak = new ArrayList<>();
        for (Node n : nodes.values()) {
            int d = depth(n.id);
            if (d < 1) {
                continue;
            }
            depths.put(n, d);
            if (d < maxDepth) {
                weak.add(n);
            }
            if (d > 1 && n.free() > 0 && !isDemoted(n.id)) {
                strong.add(n);
            }
        }
        if (strong.isEmpty()) {
            return 0;
        }
        strong.sort(Comparator.comparingInt((Node n) -> n.free()).reversed().thenComparing(depths::get,
                Comparator.reverseOrder()));
        weak.sort(Comparator.comparingInt((Node n) -> n.capacity).thenComparing(depths::get)
                .thenComparing(Comparator.comparingLong((Node n) -> n.order).reversed()));
        for (Node x : strong) {
            int dx = depths.get(x);
            for (Node w : weak) {
                if (w.capacity >= x.capacity) {
                    break;
                }
                if (depths.get(w) < dx && 2 + w.children.size() <= budget && x.free() > w.children.size()
                        && canSwap(x, w)) {
                    swap(x, w, t);
                    return 2 + w.children.size();
                }
            }
        }
        return 0;
    }

    /** Whether {@code w} is not above {@code x} and nobody would land below a parent it reported. */
    private boolean canSwap(Node x, Node w) {
        if (attachedDepthOutside(x, w.id) < 0 || x.reported.contains(w.parent) || w.reported.contains(x.parent)) {
            return false;
        }
        for (String c : w.children) {
            if (nodes.get(c).reported.contains(x.id)) {
                return false;
            }
        }
        return true;
    }

    private void swap(Node x, Node w, Tracker t) {
        Node wParent = w.parent.equals(SERVER) ? null : nodes.get(w.parent);
        Node xParent = nodes.get(x.parent);
        List<String> wChildren = new ArrayList<>(w.children);
        detach(x, t);
        detach(w, t);
        for (String c : wChildren) {
            Node child = nodes.get(c);
            detach(child, t);
            placeUnder(child, x, t);
        }
        placeUnder(x, wParent, t);
        placeUnder(w, xParent, t);
    }

    private boolean moveOneServerChild(int target, Tracker t) {
        List<Node> movable = new ArrayList<>(serverChildren.size());
        for (String id : serverChildren) {
            movable.add(nodes.get(id));
        }
        movable.sort(Comparator.comparingInt((Node n) -> n.capacity).reversed().thenComparingLong(n -> n.order));
        // a subtree taller than the room left below the shallowest measured open parent cannot move:
        // skipped without a scan (a large room has thousands of server children and few such parents)
        int shallowest = Integer.MAX_VALUE;
        for (Open o : open()) {
            if (o.node().measuredSlots >= 0) {
                shallowest = Math.min(shallowest, o.depth());
            }
        }
        if (shallowest == Integer.MAX_VALUE) {
            return false;
        }
        for (int i = movable.size() - 1; i >= target; i--) {
            Node n = movable.get(i);
            if (!n.children.isEmpty() && maxDepth - 1 - height(n.id) < shallowest) {
                continue;
            }
            List<Node> best = best(n.id, n.reported, true, 1);
            Node to = best.isEmpty() ? null : best.get(0);
            if (to != null) {
                detach(n, t);
                placeUnder(n, to, t);
                return true;
            }
        }
        return false;
    }

    private boolean promoteOne(Tracker t) {
        Node best = null;
        int bestDepth = 0;
        for (Node n : nodes.values()) {
            if (n.parent.equals(SERVER) || n.parent.equals(DETACHED) || n.measuredSlots < 0 || n.free() < 2
                    || isDemoted(n.id)) {
                continue;
            }
            int d = depth(n.id);
            if (d < 2) {
                continue;
            }
            if (best == null || n.free() > best.free() || (n.free() == best.free() && d > bestDepth)) {
                best = n;
                bestDepth = d;
            }
        }
        if (best == null) {
            return false;
        }
        detach(best, t);
        placeUnder(best, null, t);
        return true;
    }

    /**
     * The peer's upload was measured: it can feed {@code slots} children. Its slots become that
     * (never more than it offered; none while demoted); when they drop below its children, its
     * newest children beyond that move elsewhere at once (never below it again while it is full).
     */
    Changes measured(String id, int slots) {
        Node n = nodes.get(id);
        if (n == null) {
            return Changes.none();
        }
        n.measuredSlots = Math.max(0, slots);
        int now = isDemoted(id) ? 0 : n.earned(probeSlots);
        if (now >= n.capacity) {
            n.capacity = now;
            version++;
            return Changes.none();
        }
        Tracker t = new Tracker();
        lower(n, now, t);
        return t.changes();
    }

    /** The slots {@code id}'s last measurement gave it; -1 when never measured (or no such peer). */
    int measuredSlots(String id) {
        Node n = nodes.get(id);
        return n == null ? -1 : n.measuredSlots;
    }

    /**
     * Lifts a demotion: the peer's stall strikes are forgotten and it gets its measured slots back
     * (probe slots when never measured). For a parent whose children stalled because of a passing
     * network problem; the children that reported it still never go back below it.
     */
    void forgive(String id) {
        Node n = nodes.get(id);
        if (n == null || !isDemoted(id)) {
            return;
        }
        n.stallReporters.clear();
        n.capacity = n.earned(probeSlots);
        version++;
    }

    /** Sets {@code n}'s slots to {@code slots}; its newest children beyond them move elsewhere. */
    private void lower(Node n, int slots, Tracker t) {
        n.capacity = Math.max(0, slots);
        version++;
        List<String> all = new ArrayList<>(n.children);
        List<String> moving = all.size() > n.capacity ? List.copyOf(all.subList(n.capacity, all.size())) : List.of();
        for (String child : moving) {
            detach(nodes.get(child), t);
        }
        for (String child : moving) {
            attach(child, Set.of(n.id), t);
        }
    }

    String parent(String id) {
        Node n = nodes.get(id);
        return n == null ? null : n.parent;
    }

    List<String> children(String id) {
        Node n = nodes.get(id);
        return n == null ? List.of() : List.copyOf(n.children);
    }

    /** Whether {@code id} is a peer of this tree that could take one more child now. */
    boolean hasFreeSlot(String id) {
        Node n = nodes.get(id);
        return n != null && n.free() > 0 && !isDemoted(id);
    }

    boolean isDemoted(String id) {
        Node n = nodes.get(id);
        return n != null && n.stallReporters.size() >= stallStrikes;
    }

    /** Depth below the server (server children have depth 1); -1 when not attached. */
    int depth(String id) {
        int depth = 0;
        String cur = id;
        while (!cur.equals(SERVER)) {
            Node n = nodes.get(cur);
            if (n == null || n.parent.equals(DETACHED) || depth > nodes.size()) {
                return -1;
            }
            depth++;
            cur = n.parent;
        }
        return depth;
    }

    /**
     * Other parents the peer could switch to right now, without asking the server: taken from the
     * best few eligible parents, starting at a place that depends on the peer, so that a large room
     * does not name the same three parents to everyone (each would then fill at once, and every
     * list naming it would have to be sent again).
     */
    List<String> standby(String id) {
        Node n = nodes.get(id);
        if (n == null || standbyCount == 0) {
            return List.of();
        }
        List<Node> candidates = best(id, Set.of(n.parent), false, 4 * standbyCount);
        int pool = candidates.size();
        List<String> out = new ArrayList<>(Math.min(pool, standbyCount));
        int start = pool == 0 ? 0 : Math.floorMod(id.hashCode(), pool);
        for (int i = 0; i < pool && out.size() < standbyCount; i++) {
            out.add(candidates.get((start + i) % pool).id);
        }
        return out;
    }

    /** Every peer in join order. */
    List<NodeView> snapshot() {
        List<NodeView> out = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            out.add(new NodeView(n.id, n.parent, depth(n.id), n.capacity, List.copyOf(n.children),
                    n.stallReporters.size(), n.measuredSlots, n.stallReporters.size() >= stallStrikes));
        }
        return out;
    }

    int serverChildren() {
        return serverChildren.size();
    }

    private void detach(Node node, Tracker t) {
        version++;
        if (node.parent.equals(SERVER)) {
            serverChildren.remove(node.id);
        } else if (!node.parent.equals(DETACHED)) {
            Node p = nodes.get(node.parent);
            if (p != null) {
                p.children.remove(node.id);
                t.childrenChanged.add(p.id);
            }
        }
        node.parent = DETACHED;
    }

    /** Hangs the detached {@code id} below the best eligible parent, or the server when there is none. */
    private void attach(String id, Set<String> excluded, Tracker t) {
        List<Node> best = best(id, excluded, false, 1);
        placeUnder(nodes.get(id), best.isEmpty() ? null : best.get(0), t);
    }

    /** Shallowest first, then most free slots, then oldest. */
    private static final Comparator<Open> BEST_FIRST = Comparator.comparingInt(Open::depth)
            .thenComparing(Comparator.comparingInt((Open o) -> o.node().free()).reversed())
            .thenComparingLong(o -> o.node().order);


    /** Hangs the detached {@code node} below {@code parent} (null: the server). */
    private void placeUnder(Node node, Node parent, Tracker t) {
        version++;
        if (parent == null) {
            node.parent = SERVER;
            serverChildren.add(node.id);
        } else {
            node.parent = parent.id;
            parent.children.add(node.id);
            t.childrenChanged.add(parent.id);
        }
        t.reparented.add(node.id);
    }

    /**
     * The best {@code limit} eligible parents for {@code id} and its subtree, best first (shallowest,
     * then most free, then oldest); {@code measuredOnly} leaves out peers whose slots are still probes.
     *
     * <p>Picks from the shared {@link #open} list, keeping only the best few, instead of scanning
     * and sorting the room: a 10,000-peer room asks this for every placement, standby list and
     * rebalancing attempt, and scans and sorts took three quarters of the node's CPU in the
     * simulator.
     */
    private List<Node> best(String id, Set<String> excluded, boolean measuredOnly, int limit) {
        int room = maxDepth - 1 - height(id);
        if (room < 1 || limit < 1) {
            return List.of();
        }
        List<Open> top = new ArrayList<>(Math.min(limit, 16));
        for (Open o : open()) {
            Node c = o.node();
            if (o.depth() > room || c.id.equals(id) || c.free() <= 0 || excluded.contains(c.id)
                    || (measuredOnly && c.measuredSlots < 0)) {
                continue;
            }
            if (top.size() == limit && BEST_FIRST.compare(o, top.get(limit - 1)) >= 0) {
                continue;
            }
            if (attachedDepthOutside(c, id) < 0) {
                continue; // inside id's own subtree
            }
            int at = Collections.binarySearch(top, o, BEST_FIRST);
            top.add(at < 0 ? -at - 1 : at, o);
            if (top.size() > limit) {
                top.remove(limit);
            }
        }
        List<Node> out = new ArrayList<>(top.size());
        for (Open o : top) {
            out.add(o.node());
        }
        return out;
    }

    /**
     * Every attached peer with a free slot above {@code maxDepth}, in join order; built once per
     * {@link #version} and shared by every question until the tree changes.
     */
    private List<Open> open() {
        if (openVersion != version) {
            List<Open> out = new ArrayList<>();
            for (Node c : nodes.values()) {
                if (c.free() <= 0) {
                    continue;
                }
                int d = attachedDepthOutside(c, null);
                if (d >= 1 && d < maxDepth) {
                    out.add(new Open(c, d));
                }
            }
            open = out;
            openVersion = version;
        }
        return open;
    }

    /** Depth of {@code c} when attached through a chain that does not pass {@code avoid}, else -1. */
    private int attachedDepthOutside(Node c, String avoid) {
        int depth = 0;
        Node cur = c;
        while (true) {
            if ((avoid != null && cur.id.equals(avoid)) || depth > maxDepth) {
                return -1;
            }
            depth++;
            if (cur.parent.equals(SERVER)) {
                return depth;
            }
            if (cur.parent.equals(DETACHED)) {
                return -1;
            }
            cur = nodes.get(cur.parent);
            if (cur == null) {
                return -1;
            }
        }
    }

    /** Levels in the subtree rooted at {@code id}: 0 for a leaf. */
    private int height(String id) {
        Node n = nodes.get(id);
        int h = 0;
        for (String child : n.children) {
            h = Math.max(h, 1 + height(child));
        }
        return h;
    }

    private static final class Tracker {
        final Set<String> reparented = new LinkedHashSet<>();
        final Set<String> childrenChanged = new LinkedHashSet<>();

        Changes changes() {
            childrenChanged.remove(SERVER);
            return new Changes(Set.copyOf(reparented), Set.copyOf(childrenChanged));
        }
    }
}
