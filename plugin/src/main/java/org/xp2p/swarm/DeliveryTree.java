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
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> serverChildren = new LinkedHashSet<>();
    private long joinCounter;

    private static final class Node {
        final String id;
        final long order;
        int capacity;
        String parent = DETACHED;
        final Set<String> children = new LinkedHashSet<>();
        final Set<String> stallReporters = new LinkedHashSet<>();
        /** Parents this peer reported stalled or unreachable: rebalancing never puts it back below them. */
        final Set<String> reported = new LinkedHashSet<>();

        Node(String id, int capacity, long order) {
            this.id = id;
            this.capacity = capacity;
            this.order = order;
        }

        int free() {
            return capacity - children.size();
        }
    }

    /** What changed: peers with a new parent, and peers whose list of children changed. */
    record Changes(Set<String> reparented, Set<String> childrenChanged) {
        static Changes none() {
            return new Changes(Set.of(), Set.of());
        }
    }

    /** A read-only view of one peer for dashboards and invariant checks. */
    record NodeView(String id, String parent, int depth, int capacity, List<String> children, int stallReports) {
    }

    DeliveryTree(int maxDepth, int standbyCount, int stallStrikes) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1");
        }
        this.maxDepth = maxDepth;
        this.standbyCount = standbyCount;
        this.stallStrikes = stallStrikes;
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
        nodes.put(id, new Node(id, Math.max(0, capacity), joinCounter++));
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
        Node r = nodes.get(reporter);
        Node p = nodes.get(parent);
        if (r == null || p == null || !r.parent.equals(parent)) {
            return Changes.none();
        }
        Tracker t = new Tracker();
        p.stallReporters.add(reporter);
        r.reported.add(parent);
        detach(r, t);
        attach(reporter, Set.of(parent), t);
        if (p.stallReporters.size() >= stallStrikes && p.capacity > 0) {
            p.capacity = 0;
            List<String> orphans = new ArrayList<>(p.children);
            for (String child : orphans) {
                detach(nodes.get(child), t);
            }
            for (String child : orphans) {
                attach(child, Set.of(parent), t);
            }
        }
        return t.changes();
    }

    /**
     * Moves server children below peers that can take them, at most {@code maxMoves} per call, until
     * the server has {@code target} children or nobody else can take one. Who stays: the server
     * children with the most slots (then the oldest), so the root keeps the peers that feed the
     * most; who moves first: the weakest. Peers that arrived while nobody had a free slot (a burst,
     * or leaves first and capable peers later) thus end up below capable newcomers instead of
     * pulling from the server for good. A moved peer keeps its own subtree.
     */
    Changes rebalance(int target, int maxMoves) {
        if (serverChildren.size() <= target || maxMoves <= 0) {
            return Changes.none();
        }
        List<Node> movable = new ArrayList<>();
        for (String id : serverChildren) {
            movable.add(nodes.get(id));
        }
        movable.sort(Comparator.comparingInt((Node n) -> n.capacity).reversed().thenComparingLong(n -> n.order));
        Tracker t = new Tracker();
        int moves = 0;
        for (int i = movable.size() - 1; i >= target && moves < maxMoves && serverChildren.size() > target; i--) {
            Node n = movable.get(i);
            List<Node> to = candidates(n.id, n.reported);
            if (to.isEmpty()) {
                continue;
            }
            detach(n, t);
            Node p = to.get(0);
            n.parent = p.id;
            p.children.add(n.id);
            t.childrenChanged.add(p.id);
            t.reparented.add(n.id);
            moves++;
        }
        return t.changes();
    }

    /**
     * Lowers {@code id}'s slots to {@code slots} (never raises them): its newest children beyond that
     * move elsewhere at once (never below {@code id} again while it is full). For a parent that
     * cannot upload what its children need.
     */
    Changes limit(String id, int slots) {
        Node n = nodes.get(id);
        if (n == null || slots >= n.capacity) {
            return Changes.none();
        }
        n.capacity = Math.max(0, slots);
        Tracker t = new Tracker();
        List<String> all = new ArrayList<>(n.children);
        List<String> moving = all.size() > n.capacity ? List.copyOf(all.subList(n.capacity, all.size())) : List.of();
        for (String child : moving) {
            detach(nodes.get(child), t);
        }
        for (String child : moving) {
            attach(child, Set.of(id), t);
        }
        return t.changes();
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

    /** Other parents the peer could switch to right now, best first, without asking the server. */
    List<String> standby(String id) {
        Node n = nodes.get(id);
        if (n == null || standbyCount == 0) {
            return List.of();
        }
        List<Node> candidates = candidates(id, Set.of(n.parent));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < candidates.size() && out.size() < standbyCount; i++) {
            out.add(candidates.get(i).id);
        }
        return out;
    }

    /** Every peer in join order. */
    List<NodeView> snapshot() {
        List<NodeView> out = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            out.add(new NodeView(n.id, n.parent, depth(n.id), n.capacity, List.copyOf(n.children),
                    n.stallReporters.size()));
        }
        return out;
    }

    int serverChildren() {
        return serverChildren.size();
    }

    private void detach(Node node, Tracker t) {
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

    private void attach(String id, Set<String> excluded, Tracker t) {
        Node node = nodes.get(id);
        List<Node> candidates = candidates(id, excluded);
        if (candidates.isEmpty()) {
            node.parent = SERVER;
            serverChildren.add(id);
        } else {
            Node p = candidates.get(0);
            node.parent = p.id;
            p.children.add(id);
            t.childrenChanged.add(p.id);
        }
        t.reparented.add(id);
    }

    /** Eligible parents for {@code id}'s subtree, best first (shallowest, then most free, then oldest). */
    private List<Node> candidates(String id, Set<String> excluded) {
        int room = maxDepth - 1 - height(id);
        if (room < 1) {
            return List.of();
        }
        List<Node> out = new ArrayList<>();
        Map<Node, Integer> depths = new java.util.HashMap<>();
        for (Node c : nodes.values()) {
            if (c.id.equals(id) || c.free() <= 0 || excluded.contains(c.id)) {
                continue;
            }
            int d = attachedDepthOutside(c, id);
            if (d < 1 || d > room) {
                continue;
            }
            depths.put(c, d);
            out.add(c);
        }
        out.sort(Comparator.<Node>comparingInt(depths::get)
                .thenComparing(Comparator.comparingInt(Node::free).reversed())
                .thenComparingLong(c -> c.order));
        return out.isEmpty() ? List.of() : Collections.unmodifiableList(out);
    }

    /** Depth of {@code c} when attached through a chain that does not pass {@code avoid}, else -1. */
    private int attachedDepthOutside(Node c, String avoid) {
        int depth = 0;
        Node cur = c;
        while (true) {
            if (cur.id.equals(avoid) || depth > maxDepth) {
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
