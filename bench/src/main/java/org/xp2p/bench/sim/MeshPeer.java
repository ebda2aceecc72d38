package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A viewer of the random-mesh baseline, modelled entirely in the simulator as mesh-based P2P
 * players work: k random neighbours in the room, each chunk pulled from one neighbour that already
 * has it (chosen at random; if none has it yet, from the first that gets it), else from the server
 * when the same deadline as the tree's passes. Without seeds nobody would have a fresh chunk before
 * the deadline, so, as p2p-media-loader's {@code httpDownloadProbability} does, a peer with no
 * neighbour holding a new chunk takes it over HTTP at once with a small probability. No slots: any neighbour may pull from anyone that
 * uploads, sharing its uplink. Dead neighbours are replaced when noticed (left: at once; frozen:
 * after the tracker's silence window).
 */
final class MeshPeer extends SimPeer {
    private final MeshRoom meshRoom;
    final List<MeshPeer> neighbours = new ArrayList<>();
    /** Peers that have this one as a neighbour: told when it completes a chunk. */
    final Set<MeshPeer> followers = new HashSet<>();
    private final Map<Long, Fetch> waiting = new HashMap<>();

    private final double seedShare;

    MeshPeer(PeerProfile profile, PeerModel model, SimClock clock, Figures fig, ChunkLog log, MeshRoom meshRoom,
             double seedShare) {
        super(profile, model, clock, fig, log);
        this.meshRoom = meshRoom;
        this.seedShare = seedShare;
    }

    void join(long lastSeq) {
        beginMembership();
        waiting.clear();
        if (counting()) {
            fig.joins++;
        }
        meshRoom.enter(this);
        streamLive(lastSeq);
    }

    void leave() {
        if (!member || frozen) {
            return;
        }
        if (counting()) {
            fig.leaves++;
        }
        meshRoom.exit(this);
        endMembership();
        waiting.clear();
    }

    /** Freezes; the tracker drops it from neighbour lists only after the silence window. */
    void freezeNow() {
        if (frozen || !member) {
            return;
        }
        fig.frozen++;
        freeze();
        meshRoom.frozen(this);
    }

    @Override
    boolean fromPeers(Fetch f) {
        List<MeshPeer> having = new ArrayList<>(neighbours.size());
        for (MeshPeer n : neighbours) {
            if (n.profile.uploads() && n.member && n.isDone(f.seq)) {
                having.add(n);
            }
        }
        if (having.isEmpty() && random.nextDouble() < seedShare) {
            return false; // this peer seeds the chunk from the server at once
        }
        clock.at(parentDeadline(), () -> {
            if (f.active()) {
                waiting.remove(f.seq);
                fallBack(f);
            }
        });
        if (having.isEmpty()) {
            f.via = this; // waiting for a neighbour to get it
            waiting.put(f.seq, f);
        } else {
            pull(f, having.get(random.nextInt(having.size())));
        }
        return true;
    }

    /** A neighbour completed {@code seq}: pull it if still waiting for it. */
    void neighbourHas(MeshPeer n, long seq) {
        Fetch f = waiting.remove(seq);
        if (f != null && f.active()) {
            pull(f, n);
        }
    }

    private void pull(Fetch f, MeshPeer n) {
        f.via = n;
        double rtt = LinkTiming.peerRtt(profile.rttMs(), n.profile.rttMs());
        clock.at(rtt / 2, () -> n.serve(f));
    }

    @Override
    void served(long seq) {
        super.served(seq);
        if (profile.uploads() && !frozen) {
            for (MeshPeer p : List.copyOf(followers)) {
                p.neighbourHas(this, seq);
            }
        }
    }

    @Override
    void missing(Fetch f) {
        if (f.active()) {
            // a neighbour without the chunk: wait for another one until the deadline
            f.via = this;
            waiting.put(f.seq, f);
        }
    }

    @Override
    int depthNow() {
        return 0;
    }
}
