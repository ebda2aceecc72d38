package org.xp2p.swarm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.relay.ChunkDigest;

/**
 * The viewers of one stream: members, their delivery tree, their reported traffic, and the
 * stream's chunk digests fanned out to all of them.
 *
 * <p>Every change goes through this object's monitor, and announcements are queued while holding
 * it, so two peers never see tree updates in different orders. Sends only enqueue (see
 * {@link PeerLink}), so holding the monitor while sending never waits on a network.
 */
final class Room {
    private static final Logger LOG = LoggerFactory.getLogger(Room.class);

    final String id;
    private final DeliveryTree tree;
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Copy of the members' links for the digest fan-out, which runs on the relay's thread without locking. */
    private volatile Peer[] audience = new Peer[0];
    private AutoCloseable subscription;
    private Flow departed = Flow.ZERO;
    private long stallReports;

    Room(String id, DeliveryTree tree) {
        this.id = id;
        this.tree = tree;
    }

    synchronized void subscription(AutoCloseable handle) {
        this.subscription = handle;
    }

    synchronized AutoCloseable takeSubscription() {
        AutoCloseable s = subscription;
        subscription = null;
        return s;
    }

    synchronized int size() {
        return members.size();
    }

    synchronized boolean has(String peerId) {
        return members.containsKey(peerId);
    }

    synchronized void join(Member m) {
        members.put(m.peer.id, m);
        audience = members.values().stream().map(x -> x.peer).toArray(Peer[]::new);
        announce(tree.join(m.peer.id, m.slots));
        LOG.info("swarm room {}: peer {} joined (upload={}, slots={}, network={}) under {} at depth {}, {} members",
                id, m.peer.id, m.upload, m.slots, m.network, tree.parent(m.peer.id), tree.depth(m.peer.id),
                members.size());
    }

    /** Removes the peer; its children are re-homed and told at once. */
    synchronized void leave(String peerId, String why) {
        Member m = members.remove(peerId);
        if (m == null) {
            return;
        }
        departed = departed.plus(new Flow(m.p2pBytes, m.cdnBytes, m.uploadBytes, m.stalls, 0));
        audience = members.values().stream().map(x -> x.peer).toArray(Peer[]::new);
        List<String> orphans = tree.children(peerId);
        announce(tree.leave(peerId));
        LOG.info("swarm room {}: peer {} left ({}), {} children re-homed, {} members", id, peerId, why,
                orphans.size(), members.size());
    }

    /** A child reports its parent stalled or unreachable; false when that peer is not its parent. */
    synchronized boolean stalled(String reporter, String parent, String reason) {
        if (!members.containsKey(reporter) || !parent.equals(tree.parent(reporter))) {
            return false;
        }
        if (parent.equals(DeliveryTree.SERVER)) {
            LOG.info("swarm room {}: peer {} reports the server {}", id, reporter, reason);
            return true;
        }
        stallReports++;
        announce(tree.stalled(reporter, parent));
        LOG.info("swarm room {}: peer {} reports parent {} {}; now under {}{}", id, reporter, parent, reason,
                tree.parent(reporter), tree.isDemoted(parent) ? ", " + parent + " demoted to leaf" : "");
        return true;
    }

    /** Stores a member's cumulative counters; false when a counter went backwards. */
    synchronized boolean report(String peerId, long p2p, long cdn, long up, long stalls) {
        Member m = members.get(peerId);
        if (m == null) {
            return false;
        }
        if (p2p < m.p2pBytes || cdn < m.cdnBytes || up < m.uploadBytes || stalls < m.stalls) {
            return false;
        }
        m.p2pBytes = p2p;
        m.cdnBytes = cdn;
        m.uploadBytes = up;
        m.stalls = stalls;
        return true;
    }

    synchronized Flow flow() {
        Flow f = departed;
        for (Member m : members.values()) {
            f = f.plus(new Flow(m.p2pBytes, m.cdnBytes, m.uploadBytes, m.stalls, 1));
        }
        return f;
    }

    /** Sends the digest to every member; never blocks the relay thread calling it. */
    void digest(ChunkDigest d) {
        String text = Json.message("digest").put("room", id).put("epoch", d.epoch()).put("seq", d.seq())
                .put("size", (long) d.size()).put("sha256", d.sha256()).put("keyframe", d.keyframe()).end();
        for (Peer p : audience) {
            p.link.send(text);
        }
    }

    /** The dashboard's view: peers, edges, depths and traffic. */
    synchronized String view() {
        Json json = Json.object().put("room", id);
        flow().writeTo(json);
        json.put("stallReports", stallReports);
        List<String> peers = new ArrayList<>();
        List<String> edges = new ArrayList<>();
        int maxDepth = 0;
        for (DeliveryTree.NodeView v : tree.snapshot()) {
            Member m = members.get(v.id());
            maxDepth = Math.max(maxDepth, v.depth());
            peers.add(Json.object().put("id", v.id()).put("parent", v.parent()).put("depth", (long) v.depth())
                    .put("children", v.children()).put("slots", (long) v.capacity()).put("upload", m.upload)
                    .put("network", m.network).put("p2pBytes", m.p2pBytes).put("cdnBytes", m.cdnBytes)
                    .put("uploadBytes", m.uploadBytes).put("stalls", m.stalls).put("stallReports", (long) v.stallReports())
                    .end());
            edges.add(Json.object().put("from", v.parent()).put("to", v.id()).end());
        }
        json.put("depth", (long) maxDepth).put("serverChildren", (long) tree.serverChildren());
        json.raw("nodes", "[" + String.join(",", peers) + "]");
        json.raw("edges", "[" + String.join(",", edges) + "]");
        return json.end();
    }

    private void announce(DeliveryTree.Changes changes) {
        for (String peerId : changes.reparented()) {
            Member m = members.get(peerId);
            if (m != null) {
                m.peer.link.send(Json.message("parent").put("room", id).put("parent", tree.parent(peerId))
                        .put("depth", (long) tree.depth(peerId)).put("standby", tree.standby(peerId)).end());
            }
        }
        for (String peerId : changes.childrenChanged()) {
            Member m = members.get(peerId);
            if (m != null) {
                m.peer.link.send(Json.message("children").put("room", id).put("children", tree.children(peerId)).end());
            }
        }
    }
}
