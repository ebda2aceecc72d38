package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A simulated viewer in the xp2p delivery tree: speaks the real signalling protocol to the node
 * (join with capabilities, stats every 2 s, ping every heartbeat, stall reports, leave; offer and
 * answer through the server for each new parent link) and pulls chunks from the parent the server
 * names, as the player SDK does (docs/PROTOCOL.md 6, 6b). A link to a new parent opens one
 * round trip plus the modelled setup after the parent's answer; one that does not open within 5 s
 * is reported {@code unreachable}, one that misses a deadline {@code stalled} (once per link).
 */
final class TreePeer extends SimPeer {
    /** The child's connection to its current parent. */
    static final class Link {
        final String parentId;
        boolean answered;
        boolean open;
        boolean reported;
        /** Deadlines this parent missed in a row (scheduler.js lateStreak). */
        int lateStreak;
        final List<Fetch> waiting = new ArrayList<>(3);

        Link(String parentId) {
            this.parentId = parentId;
        }
    }

    final String room;
    private final Function<String, TreePeer> peers;
    private final FrozenWatch frozenWatch;
    SignalSocket socket;
    String id;
    String parent;
    int depth;
    private Link link;
    private Set<String> children = Set.of();
    private int heartbeatSeconds = 15;
    boolean joined;

    TreePeer(PeerProfile profile, PeerModel model, SimClock clock, Figures fig, ChunkLog log, String room,
             Function<String, TreePeer> peers, FrozenWatch frozenWatch) {
        super(profile, model, clock, fig, log);
        this.room = room;
        this.peers = peers;
        this.frozenWatch = frozenWatch;
    }

    // ---------------------------------------------------------------- signalling out

    void join() {
        if (frozen || socket == null || !socket.isOpen()) {
            return;
        }
        beginMembership();
        parent = null;
        link = null;
        children = Set.of();
        joined = false;
        if (counting()) {
            fig.joins++;
        }
        boolean up = profile.uploads();
        socket.send("{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\",\"stream\":\"/" + room + ".flv\",\"upload\":" + up
                + (up ? ",\"slots\":" + model.slotsFor(profile.upBytesPerMs()) : "") + ",\"network\":\"" + (profile.cellular() ? "cellular" : "wifi")
                + "\"}");
    }

    /** Final counters, then {@code leave}; the peer comes back after the model's rejoin delay. */
    void leaveAndRejoin() {
        if (!member || frozen) {
            return;
        }
        sendStats();
        socket.send("{\"v\":1,\"type\":\"leave\",\"room\":\"" + room + "\"}");
        if (counting()) {
            fig.leaves++;
        }
        frozenWatch.detached(id, parent, clock.now());
        endMembership();
        joined = false;
        clock.at(model.rejoinAfterMs(), this::join);
    }

    private void sendStats() {
        socket.send("{\"v\":1,\"type\":\"stats\",\"room\":\"" + room + "\",\"p2pBytes\":" + p2pBytes + ",\"cdnBytes\":"
                + cdnBytes + ",\"uploadBytes\":" + uploadBytes + ",\"stalls\":" + stalls
                + (model.reportsUploadRate() ? ",\"uploadRate\":" + busyMeter.rate(uplink.sentBytes(), uplink.busyMs()) : "") + "}");
    }

    /** The SDK's upload meter (stats.js BusyMeter): bytes over busy time in the last 10 s of reports. */
    private final BusyRate busyMeter = new BusyRate(5);

    private void every(double periodMs, long gen, Runnable task) {
        clock.at(periodMs, () -> {
            if (gen == generation && member && !frozen) {
                task.run();
                every(periodMs, gen, task);
            }
        });
    }

    /** Freezes: nothing is sent any more, not even pings; the server should notice the silence. */
    void freezeNow() {
        if (frozen || !joined) {
            return;
        }
        // the children that still have it as their parent: the list from its last children message
        // can still name a child the server moved just before the freeze (the update came too late)
        Set<String> still = new HashSet<>();
        for (String c : children) {
            TreePeer child = peers.apply(c);
            if (child != null && id.equals(child.parent)) {
                still.add(c);
            }
        }
        frozenWatch.frozen(id, still, clock.now());
        freeze();
    }

    // ---------------------------------------------------------------- signalling in

    void onMessage(Msg m) {
        if (frozen) {
            return; // a hung tab reads nothing
        }
        switch (m.type()) {
            case "joined" -> {
                id = m.peer();
                joined = true;
                heartbeatSeconds = Math.max(1, m.heartbeatSeconds());
                long gen = generation;
                clock.at(random.nextDouble() * PeerModel.STATS_EVERY_MS, () -> {
                    if (gen == generation && member && !frozen) {
                        sendStats();
                        every(PeerModel.STATS_EVERY_MS, gen, this::sendStats);
                    }
                });
                every(heartbeatSeconds * 1000.0, gen, () -> socket.send("{\"v\":1,\"type\":\"ping\"}"));
                if (m.hasStream()) {
                    streamLive(m.lastSeq());
                }
            }
            case "stream" -> {
                if (member) {
                    streamLive(m.lastSeq());
                }
            }
            case "parent" -> onParent(m.parent(), m.depth());
            case "children" -> children = m.children() == null ? Set.of() : new HashSet<>(m.children());
            case "digest" -> digest(m.seq(), m.size(), m.keyframe());
            case "offer" -> {
                if (member && profile.uploads() && children.contains(m.from())) {
                    socket.send("{\"v\":1,\"type\":\"answer\",\"room\":\"" + room + "\",\"to\":\"" + m.from()
                            + "\",\"data\":{\"type\":\"answer\",\"sdp\":\"v=0 swarmsim\"}}");
                    if (counting()) {
                        fig.answered++;
                    }
                }
            }
            case "answer" -> {
                Link l = link;
                if (l != null && l.parentId.equals(m.from()) && !l.answered) {
                    l.answered = true;
                    TreePeer p = peers.apply(l.parentId);
                    double rtt = LinkTiming.peerRtt(profile.rttMs(), p == null ? profile.rttMs() : p.profile.rttMs());
                    long gen = generation;
                    clock.at(rtt + model.linkSetupMs(), () -> {
                        if (gen == generation && link == l) {
                            l.open = true;
                            for (Fetch f : l.waiting) {
                                if (f.active()) {
                                    request(f, l);
                                }
                            }
                            l.waiting.clear();
                        }
                    });
                }
            }
            case "error" -> {
                if (fig.counting(clock.now())) {
                    fig.error(m.code() + (m.ref() == null ? "" : "/" + m.ref()));
                }
            }
            default -> {
                // pong, left, stream-failed: nothing to model
            }
        }
    }

    void onClosed(String why) {
        if (frozen) {
            if (fig.counting(clock.now()) || fig.counting(frozenAt)) {
                fig.frozenRemoved.add(clock.now() - frozenAt);
            }
            member = false;
            return;
        }
        if (member && fig.counting(clock.now())) {
            fig.closedByServer++;
            fig.error("closed " + why);
        }
        frozenWatch.detached(id, parent, clock.now());
        endMembership();
    }

    private void onParent(String newParent, int newDepth) {
        if (!member) {
            return;
        }
        boolean counting = counting();
        if (counting) {
            fig.parentMessages++;
            fig.maxDepth = Math.max(fig.maxDepth, newDepth);
        }
        depth = newDepth;
        if (newParent.equals(parent)) {
            return; // same parent: keep the link (only depth or standby changed)
        }
        if (parent != null) {
            if (counting) {
                fig.moves++;
            }
            frozenWatch.detached(id, parent, clock.now());
        }
        parent = newParent;
        Link old = link;
        link = null;
        if (old != null) {
            // the old link closes: its chunks in flight come over HTTP (cancelled, not a failure)
            for (Fetch f : List.copyOf(fetches.values())) {
                if (f.via == old && f.active()) {
                    cancel(f);
                    f.cancelled = false;
                    f.via = null;
                    fromServer(f);
                }
            }
        }
        if (!newParent.equals("server")) {
            Link l = new Link(newParent);
            link = l;
            socket.send("{\"v\":1,\"type\":\"offer\",\"room\":\"" + room + "\",\"to\":\"" + newParent
                    + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0 swarmsim\"}}");
            if (counting) {
                fig.offers++;
            }
            long gen = generation;
            clock.at(PeerModel.CHANNEL_OPEN_MS, () -> {
                if (gen == generation && link == l && !l.open) {
                    report(l, "unreachable", null);
                }
            });
        }
    }

    // ---------------------------------------------------------------- chunks from the parent

    @Override
    boolean fromPeers(Fetch f) {
        Link l = link;
        if (l == null) {
            return false; // parent is the server
        }
        f.via = l;
        // scheduler.js: a child with less buffered than the fallback needs gives the parent only the
        // floor, and does not report it for missing that
        boolean starved = bufferedAheadMs() - PeerModel.HTTP_BUDGET_MS < PeerModel.MIN_PARENT_MS;
        f.parentDeadlineMs = parentDeadline(f.seq);
        clock.at(f.parentDeadlineMs, () -> onDeadline(f, l, starved));
        if (l.open) {
            request(f, l);
        } else {
            l.waiting.add(f);
        }
        return true;
    }

    private void request(Fetch f, Link l) {
        TreePeer p = peers.apply(l.parentId);
        if (p == null) {
            return;
        }
        double rtt = LinkTiming.peerRtt(profile.rttMs(), p.profile.rttMs());
        f.relayPriority = children.size();
        clock.at(rtt / 2, () -> p.serve(f));
    }

    private void onDeadline(Fetch f, Link l, boolean starved) {
        if (!f.active() || f.via != l) {
            return;
        }
        // scheduler.js: late on an open channel is a parent failure; on a channel still
        // connecting the server fills in and the link reports unreachable by itself
        if (l.open && !starved) {
            // scheduler.js blameAfterMs: an early miss is reported only when the parent missed the chunk before too
            boolean early = deadlineAfterDigest(f) < PeerModel.BLAME_AFTER_MS;
            if (++l.lateStreak < 2 && early && model.reportsDeadline()) {
                if (counting()) {
                    fig.excusedLate++;
                }
            } else {
                report(l, "stalled", f);
            }
        }
        fallBack(f);
    }

    /** When {@code f}'s parent deadline ended, in ms after the chunk's digest (the stall's {@code afterDigestMs}). */
    private double deadlineAfterDigest(Fetch f) {
        return f.askedAt + f.parentDeadlineMs - digestAt(f.seq);
    }

    /** Reports the parent once per link; {@code missed} is the fetch whose deadline passed (null: unreachable). */
    private void report(Link l, String reason, Fetch missed) {
        if (l.reported) {
            return;
        }
        l.reported = true;
        if (!l.parentId.equals(parent) || frozen) {
            return;
        }
        long afterDigest = missed == null ? -1 : Math.round(deadlineAfterDigest(missed));
        socket.send("{\"v\":1,\"type\":\"stall\",\"room\":\"" + room + "\",\"peer\":\"" + l.parentId + "\",\"reason\":\""
                + reason + (afterDigest >= 0 && model.reportsDeadline() ? "\",\"afterDigestMs\":" + afterDigest + "}" : "\"}"));
        if (counting()) {
            if (missed == null) {
                fig.unreachableReports++;
                return;
            }
            fig.stallReports++;
            if (afterDigest < PeerModel.BLAME_AFTER_MS) {
                fig.earlyReports++;
            }
            TreePeer p = peers.apply(l.parentId);
            if (p != null && !p.isDone(missed.seq)) {
                fig.stallReportsParentLate++;
            }
        }
    }

    @Override
    void complete(Fetch f, boolean fromPeer) {
        if (fromPeer && f.active() && f.via instanceof Link l) {
            l.lateStreak = 0;
        }
        super.complete(f, fromPeer);
    }

    @Override
    int depthNow() {
        return parent == null ? 0 : parent.equals("server") ? 1 : Math.max(1, depth);
    }
}
