package org.xp2p.swarm;

import org.xp2p.common.Json;
import java.util.ArrayList;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.LinkedHashSet;
import java.util.HashSet;
import java.util.Deque;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.relay.ChunkDigest;
import org.xp2p.relay.ChunkFeed;
import org.xp2p.relay.StreamAddress;
import org.xp2p.relay.StreamFailure;
import org.xp2p.relay.StreamHold;
import org.xp2p.relay.StreamPosition;

/**
 * The viewers of one stream: members, their delivery tree, their reported traffic, the stream's
 * chunk digests, live and failure events fanned out to all of them, and the hold that keeps the
 * stream's pull running while the room has members (a room of peers is a viewer of its stream).
 *
 * <p>Every change goes through this object's monitor, and announcements are queued while holding
 * it, so two peers never see tree updates in different orders. Sends only enqueue (see
 * {@link PeerLink}), so holding the monitor while sending never waits on a network.
 *
 * <p>Relay events arrive on the relay's thread, possibly under the stream's lock, so they never
 * take the monitor; they take {@link #announceLock}, which is only ever innermost. Joins take it
 * too when they add a member, so each member is told each epoch's {@code stream} exactly once,
 * whether it joined before, during or after the stream went live. The hold has its own lock,
 * taken before the relay's (never the other way round).
 */
final class Room implements ChunkFeed.StreamListener {
    private static final Logger LOG = LoggerFactory.getLogger(Room.class);

    final String id;
    private final DeliveryTree tree;
    private final StreamLinks links;
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Copy of the members for the relay events, which run on the relay's thread without the monitor. */
    private volatile Member[] audience = new Member[0];
    private AutoCloseable subscription;
    private Flow departed = Flow.ZERO;
    private final LongSupplier millis;
    /** Arrival time and size of the latest digests: the stream's bitrate as peers must forward it. */
    private final long[] digestMillis = new long[BITRATE_DIGESTS];
    private final long[] digestBytes = new long[BITRATE_DIGESTS];
    private int digests;
    static final int BITRATE_DIGESTS = 8;
    private final int uploadHeadroomPercent;
    private final long demotionMillis;
    private final long blameAfterMillis;
    private final StrikeStorm storm;
    private long stormSpared;
    /** When each demoted member was demoted (insertion order = oldest first). */
    private final Map<String, Long> demotedAt = new LinkedHashMap<>();

    /** The standby list each member was last sent (see {@link #isEdge}), and who lists whom. */
    private final Map<String, List<String>> standbySent = new HashMap<>();
    private final Map<String, Set<String>> listedBy = new HashMap<>();
    /** The depth each member was last told. */
    private final Map<String, Integer> depthSent = new HashMap<>();
    private long stallReports;

    private final Object announceLock = new Object();
    // guarded by announceLock: the latest stream message sent, for members joining after it
    private String lastStream;
    private long lastEpoch = -1;

    private final Object holdLock = new Object();
    // guarded by holdLock
    private StreamHold hold = StreamHold.NONE;
    private boolean released;

    /**
     * @param uploadHeadroomPercent the upload a child needs, in percent of the stream's bitrate
     * @param demotionMillis        how long a parent demoted by stall reports stays a leaf (0: for good)
     * @param blameAfterMillis      a late report is a strike only when the deadline ended this long after the digest
     * @param strikeStormPercent    no strikes while this share of the members reported within 2 s (StrikeStorm; 0: off)
     */
    Room(String id, DeliveryTree tree, StreamLinks links, LongSupplier millis, int uploadHeadroomPercent,
         long demotionMillis, long blameAfterMillis, int strikeStormPercent) {
        this.id = id;
        this.tree = tree;
        this.links = links;
        this.millis = millis;
        this.uploadHeadroomPercent = uploadHeadroomPercent;
        this.demotionMillis = demotionMillis;
        this.blameAfterMillis = blameAfterMillis;
        this.storm = new StrikeStorm(strikeStormPercent);
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

    /**
     * Adds the member. {@code knownEpoch} is the epoch its {@code joined} described (-1: stream
     * null); a {@code stream} announced since then is sent to it now, before any tree message.
     */
    synchronized void join(Member m, long knownEpoch) {
        members.put(m.peer.id, m);
        synchronized (announceLock) {
            audience = members.values().toArray(new Member[0]);
            m.streamEpoch = knownEpoch;
            if (lastStream != null && lastEpoch > m.streamEpoch) {
                m.streamEpoch = lastEpoch;
                m.peer.link.send(lastStream);
            }
        }
        announce(tree.join(m.peer.id, m.slots));
        LOG.debug("swarm room {}: peer {} joined (upload={}, slots={}, network={}) under {} at depth {}, {} members",
                id, m.peer.id, m.upload, m.slots, m.network, tree.parent(m.peer.id), tree.depth(m.peer.id),
                members.size());
    }

    /** Removes the peer; its children are re-homed and told at once. */
    /** A room opened again: its totals continue from the final ones of its previous life. */
    synchronized void continueFrom(Flow before) {
        departed = departed.plus(before);
    }

    synchronized void leave(String peerId, String why) {
        Member m = members.remove(peerId);
        if (m == null) {
            return;
        }
        remember(peerId, List.of());
        standbySent.remove(peerId);
        depthSent.remove(peerId);
        demotedAt.remove(peerId);
        Set<String> listing = listedBy.remove(peerId);
        departed = departed.plus(new Flow(m.p2pBytes, m.cdnBytes, m.uploadBytes, m.stalls, 0));
        synchronized (announceLock) {
            audience = members.values().toArray(new Member[0]);
        }
        List<String> orphans = tree.children(peerId);
        // peers whose standby lists name the peer that left get fresh ones
        announce(tree.leave(peerId), listing == null ? Set.of() : listing);
        LOG.debug("swarm room {}: peer {} left ({}), {} children re-homed, {} members", id, peerId, why,
                orphans.size(), members.size());
    }

    /**
     * Once a second: demotions older than {@code demotionMillis} are lifted, then up to
     * {@code maxMoves} moves for each started thousand members (DeliveryTree#rebalance). Why per
     * thousand: a move costs its peer one new link, so what a viewer feels is the share of the room
     * moving each second, and a fixed count would leave a room of 10,000 ten times slower to settle
     * than a room of 1,000.
     */
    synchronized void rebalance(int target, int maxMoves) {
        if (demotionMillis > 0 && !demotedAt.isEmpty()) {
            long now = millis.getAsLong();
            var it = demotedAt.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (now - e.getValue() < demotionMillis) {
                    break;
                }
                it.remove();
                tree.forgive(e.getKey());
                LOG.debug("swarm room {}: peer {} may take children again after {} ms as a leaf", id, e.getKey(),
                        demotionMillis);
            }
        }
        int budget = maxMoves * Math.max(1, (members.size() + 999) / 1000);
        DeliveryTree.Changes moved = tree.rebalance(target, budget);
        if (!moved.reparented().isEmpty()) {
            LOG.debug("swarm room {}: rebalanced {} below peers, {} server children now", id, moved.reparented(),
                    tree.serverChildren());
            announce(moved);
        }
    }

    /**
     * A child reports its parent stalled or unreachable; false when that peer is not its parent. The
     * child always moves. The parent gets a strike unless the report is of a deadline that ended
     * sooner than {@code blameAfterMillis} after the digest ({@code afterDigestMs}, null when the
     * report is not about a deadline): a chunk that far is on time, and a parent deep in the tree
     * needs that long for it, so such a miss says the child sat too deep for its buffer, not that
     * the parent failed. Demoting it would take away the slots its other children use.
     */
    synchronized boolean stalled(String reporter, String parent, String reason, Long afterDigestMs) {
        if (!members.containsKey(reporter) || !parent.equals(tree.parent(reporter))) {
            return false;
        }
        if (parent.equals(DeliveryTree.SERVER)) {
            LOG.debug("swarm room {}: peer {} reports the server {}", id, reporter, reason);
            return true;
        }
        stallReports++;
        boolean strike = !reason.equals("stalled") || afterDigestMs == null || afterDigestMs >= blameAfterMillis;
        if (strike) {
            boolean wasRaging = storm.raging();
            strike = storm.admit(millis.getAsLong(), members.size());
            if (!strike) {
                stormSpared++;
            }
            if (storm.raging() != wasRaging) {
                if (storm.raging()) {
                    LOG.warn("swarm room {}: {} reports of failing parents within {} ms from a room of {}: a slowdown the room"
                            + " shares, so reports move their children but strike no parent until it passes", id,
                            storm.threshold(members.size()), StrikeStorm.WINDOW_MILLIS, members.size());
                } else {
                    LOG.info("swarm room {}: reports are back to single parents; strikes count again ({} spared so far)", id, stormSpared);
                }
            }
        }
        announce(tree.stalled(reporter, parent, strike));
        if (tree.isDemoted(parent)) {
            demotedAt.putIfAbsent(parent, millis.getAsLong());
        }
        LOG.debug("swarm room {}: peer {} reports parent {} {}{}; now under {}{}", id, reporter, parent, reason,
                strike ? "" : " " + afterDigestMs + " ms after the digest (no strike)", tree.parent(reporter),
                tree.isDemoted(parent) ? ", " + parent + " demoted to leaf" : "");
        return true;
    }

    /**
     * Stores a member's cumulative counters. @return their increase since its previous report, or
     * null when it is no member or a counter went backwards.
     */
    /**
     * The stream's bytes per second over the latest digests (the sizes of all but the oldest, over
     * the time since the oldest), 0 until there are two.
     */
    long bitrate() {
        synchronized (digestMillis) {
            int n = Math.min(digests, BITRATE_DIGESTS);
            if (n < 2) {
                return 0;
            }
            int oldest = digests - n;
            long bytes = 0;
            for (int k = oldest + 1; k < digests; k++) {
                bytes += digestBytes[k % BITRATE_DIGESTS];
            }
            long span = digestMillis[(digests - 1) % BITRATE_DIGESTS] - digestMillis[oldest % BITRATE_DIGESTS];
            return span <= 0 ? 0 : bytes * 1000 / span;
        }
    }

    /**
     * Upload-aware slots: a member's reported {@code uploadRate} (its throughput while uploading)
     * over the stream's bitrate times {@code uploadHeadroom} is how many children it can feed with
     * time to spare, so that a chunk crosses each hop well within its own duration. Declared slots
     * are an upper bound; the measurement sets the slots the tree counts on, up or down (down only
     * when the rate is more than 10 % short).
     */
    private void measure(Member m, long uploadRate) {
        long bitrate = bitrate();
        if (bitrate <= 0 || uploadRate <= 0) {
            return; // nothing sent lately, or no stream yet: keep the last measurement
        }
        int up = (int) Math.min(Integer.MAX_VALUE, uploadRate * 100 / (bitrate * uploadHeadroomPercent));
        // lower only when the rate is 10 % below what the current slots need: a rate wavering around
        // a boundary would otherwise move a child away and back every other report
        int down = (int) Math.min(Integer.MAX_VALUE, uploadRate * 110 / (bitrate * uploadHeadroomPercent));
        int before = tree.measuredSlots(m.peer.id);
        int slots = before < 0 || up > before ? up : Math.min(before, down);
        DeliveryTree.Changes moved = tree.measured(m.peer.id, slots);
        if (!moved.reparented().isEmpty()) {
            LOG.debug("swarm room {}: peer {} uploads {} B/s, stream {} B/s: {} slots, {} moved", id, m.peer.id,
                    uploadRate, bitrate, slots, moved.reparented());
        }
        announce(moved);
    }

    synchronized Flow report(String peerId, long p2p, long cdn, long up, long stalls, Long uploadRate) {
        Member m = members.get(peerId);
        if (m == null) {
            return null;
        }
        if (p2p < m.p2pBytes || cdn < m.cdnBytes || up < m.uploadBytes || stalls < m.stalls) {
            return null;
        }
        Flow increase = new Flow(p2p - m.p2pBytes, cdn - m.cdnBytes, up - m.uploadBytes, stalls - m.stalls, 0);
        if (uploadRate != null) {
            measure(m, uploadRate);
        }
        m.p2pBytes = p2p;
        m.cdnBytes = cdn;
        m.uploadBytes = up;
        m.stalls = stalls;
        return increase;
    }

    synchronized Flow flow() {
        Flow f = departed;
        for (Member m : members.values()) {
            f = f.plus(new Flow(m.p2pBytes, m.cdnBytes, m.uploadBytes, m.stalls, 1));
        }
        return f;
    }

    /** Sends the digest to every member; never blocks the relay thread calling it. */
    @Override
    public void digest(ChunkDigest d) {
        synchronized (digestMillis) {
            int i = digests++ % BITRATE_DIGESTS;
            digestMillis[i] = millis.getAsLong();
            digestBytes[i] = d.size();
        }
        String text = SignalMessage.message("digest").put("room", id).put("epoch", d.epoch()).put("seq", d.seq())
                .put("size", (long) d.size()).put("sha256", d.sha256()).put("keyframe", d.keyframe()).end();
        for (Member m : audience) {
            m.peer.link.send(text);
        }
    }

    /** The stream went live or started a new epoch: every member gets {@code stream}. Only enqueues. */
    @Override
    public void live(StreamPosition p) {
        String text = streamMessage(p);
        // the writes happen after announceLock is released: joins of this room take it too
        try (PeerLink.Deferral d = PeerLink.defer()) {
            synchronized (announceLock) {
                lastStream = text;
                lastEpoch = p.epoch();
                for (Member m : audience) {
                    m.failureTold = null; // live again: the next failure is news to everyone
                    if (m.streamEpoch < p.epoch()) {
                        m.streamEpoch = p.epoch();
                        m.peer.link.send(text);
                    }
                }
            }
        }
        LOG.info("swarm room {}: stream live, epoch {}, told {} members", id, p.epoch(), audience.length);
    }

    /**
     * The pull failed: every member that has not yet heard of this failure gets {@code stream-failed};
     * the hold is dead. Each join into a room whose stream is down starts a new attempt, so without
     * the "not yet heard" rule a room of n members of a dead camera would get n messages for every
     * join and every player's retry, n² per round of retries. Only enqueues.
     */
    @Override
    public void failed(StreamFailure f) {
        String text = SignalMessage.message("stream-failed").put("room", id).put("status", (long) f.status())
                .put("error", f.error()).put("message", f.message()).end();
        String key = f.status() + " " + f.error();
        int told = 0;
        try (PeerLink.Deferral d = PeerLink.defer()) {
            synchronized (announceLock) {
                lastStream = null;
                lastEpoch = -1;
                for (Member m : audience) {
                    m.streamEpoch = -1;
                    if (!key.equals(m.failureTold)) {
                        m.failureTold = key;
                        m.peer.link.send(text);
                        told++;
                    }
                }
            }
        }
        LOG.debug("swarm room {}: stream failed ({} {}: {}), told {} of {} members", id, f.status(), f.error(), f.message(),
                told, audience.length);
    }

    /**
     * A member whose {@code joined} described no stream (or an older epoch) gets the current one,
     * unless an announcement reached it meanwhile: closes the gap between asking the relay for the
     * position and becoming a member.
     */
    void catchUp(Member m, StreamPosition p) {
        String text = streamMessage(p);
        synchronized (announceLock) {
            for (Member x : audience) {
                if (x == m && m.streamEpoch < p.epoch()) {
                    m.streamEpoch = p.epoch();
                    m.failureTold = null;
                    m.peer.link.send(text);
                }
            }
        }
    }

    private String streamMessage(StreamPosition p) {
        return SignalMessage.message("stream").put("room", id).raw("stream", links.json(p)).end();
    }

    /**
     * Takes a hold on the stream unless the room has a live one: the first join starts the pull,
     * and a join after a failure starts a new attempt. A refusal comes back through
     * {@link #failed}. Never called under the monitor (the relay may call back into this room).
     */
    void hold(ChunkFeed feed, StreamAddress address) {
        synchronized (holdLock) {
            if (released || hold.active()) {
                return;
            }
            hold.close();
            hold = feed.hold(address);
        }
    }

    /** The room emptied: let the stream go (it stops after the idle window unless someone else watches). */
    void release() {
        StreamHold h;
        synchronized (holdLock) {
            released = true;
            h = hold;
            hold = StreamHold.NONE;
        }
        h.close();
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
                    .put("measuredSlots", (long) v.measuredSlots()).put("demoted", v.demoted()).end());
            edges.add(Json.object().put("from", v.parent()).put("to", v.id()).end());
        }
        json.put("depth", (long) maxDepth).put("serverChildren", (long) tree.serverChildren());
        json.rawArray("nodes", peers);
        json.rawArray("edges", edges);
        return json.end();
    }

    /**
     * Whether {@code a} and {@code b} are linked in this room's tree: parent and child, or one is in
     * the standby list the other was last sent. Only such pairs may exchange offers, answers and
     * candidates: a member cannot use the server to reach arbitrary peers of the room.
     */
    synchronized boolean isEdge(String a, String b) {
        if (!members.containsKey(a) || !members.containsKey(b)) {
            return false;
        }
        return b.equals(tree.parent(a)) || a.equals(tree.parent(b))
                || standbySent.getOrDefault(a, List.of()).contains(b)
                || standbySent.getOrDefault(b, List.of()).contains(a);
    }

    /** Records the standby list sent to {@code peerId} and who is named in it (for {@link #isEdge}). */
    private void remember(String peerId, List<String> standby) {
        for (String old : standbySent.getOrDefault(peerId, List.of())) {
            Set<String> by = listedBy.get(old);
            if (by != null && by.remove(peerId) && by.isEmpty()) {
                listedBy.remove(old);
            }
        }
        standbySent.put(peerId, standby);
        for (String s : standby) {
            listedBy.computeIfAbsent(s, k -> new HashSet<>()).add(peerId);
        }
    }

    private Set<String> listing(String peerId) {
        return listedBy.getOrDefault(peerId, Set.of());
    }

    private void announce(DeliveryTree.Changes changes) {
        announce(changes, Set.of());
    }

    /**
     * Tells every member what a tree change means for it: a moved peer its new parent; every peer
     * below a moved one whose depth changed its new depth; a peer none of whose standby
     * parents can take it any more (each left or is full) a fresh list (all in a {@code parent} message; an
     * unchanged parent means "keep your link"); a parent its new children.
     */
    private void announce(DeliveryTree.Changes changes, Set<String> staleLists) {
        Set<String> tell = new LinkedHashSet<>(changes.reparented());
        Deque<String> below = new ArrayDeque<>(changes.reparented());
        while (!below.isEmpty()) {
            for (String child : tree.children(below.poll())) {
                if (tell.add(child)) {
                    below.add(child);
                }
            }
        }
        tell.addAll(staleLists);
        for (String full : changes.childrenChanged()) {
            if (!tree.hasFreeSlot(full)) {
                tell.addAll(listing(full));
            }
        }
        for (String peerId : tell) {
            Member m = members.get(peerId);
            if (m == null) {
                continue;
            }
            int depth = tree.depth(peerId);
            boolean moved = changes.reparented().contains(peerId);
            List<String> sent = standbySent.getOrDefault(peerId, List.of());
            // a list with one usable parent still does its job: refreshing every list that names a
            // peer as soon as that peer fills would send a message to half a large room each time
            boolean staleStandby = !sent.isEmpty() && sent.stream().allMatch(s -> !members.containsKey(s) || !tree.hasFreeSlot(s));
            if (!moved && !staleStandby && depthSent.getOrDefault(peerId, -1) == depth) {
                continue;
            }
            List<String> standby = tree.standby(peerId);
            remember(peerId, standby);
            depthSent.put(peerId, depth);
            m.peer.link.send(SignalMessage.message("parent").put("room", id).put("parent", tree.parent(peerId))
                    .put("depth", (long) depth).put("standby", standby).end());
        }
        for (String peerId : changes.childrenChanged()) {
            Member m = members.get(peerId);
            if (m != null) {
                m.peer.link.send(SignalMessage.message("children").put("room", id).put("children", tree.children(peerId)).end());
            }
        }
    }
}
