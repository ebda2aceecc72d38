package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The random-mesh baseline: the same population, churn and freezes as the tree runs and the same
 * stream (each room's digests as a tree run saw them, replayed on their original schedule), but
 * chunks travel as in a mesh-based P2P player ({@link MeshPeer}). No server is involved, so it runs
 * on a {@link VirtualClock}, faster than real time.
 */
final class MeshRun {
    private final Scenario scenario;
    private final List<ChunkLog> streams;
    private final int k;
    private final double seedShare;
    private final double silenceMs;

    /**
     * @param streams   each room's stream from a tree run
     * @param k         neighbours per peer
     * @param seedShare chance that a peer takes a fresh chunk over HTTP at once (seeds the mesh)
     * @param silenceMs how long a frozen neighbour goes unnoticed (the node's heartbeat × silentBeats)
     */
    MeshRun(Scenario scenario, List<ChunkLog> streams, int k, double seedShare, double silenceMs) {
        this.scenario = scenario;
        this.streams = streams;
        this.k = k;
        this.seedShare = seedShare;
        this.silenceMs = silenceMs;
    }

    /**
     * @param liveMs      when the tree run's first peers had the streams live (the rest joined after)
     * @param connectMs   when the tree run's connect phase ended
     * @param windowStart the tree run's window start (same clock origin as the streams' digests)
     */
    Figures run(String name, double liveMs, double connectMs, double windowStart) {
        VirtualClock clock = new VirtualClock();
        Figures fig = new Figures(name, scenario.rooms());
        fig.windowStart = windowStart;
        fig.windowEnd = windowStart + scenario.windowMs();
        List<List<MeshPeer>> rooms = new ArrayList<>();
        List<ChunkLog> logs = new ArrayList<>();
        List<MeshPeer> all = new ArrayList<>();
        for (int r = 0; r < scenario.rooms(); r++) {
            rooms.add(new ArrayList<>());
            logs.add(new ChunkLog());
        }
        List<MeshRoom> trackers = new ArrayList<>();
        for (int r = 0; r < scenario.rooms(); r++) {
            trackers.add(new MeshRoom(k, 77L * r + 1, clock, silenceMs));
        }
        for (PeerProfile p : scenario.profiles()) {
            MeshPeer peer = new MeshPeer(p, scenario.model(), clock, fig, logs.get(p.room()), trackers.get(p.room()), seedShare);
            rooms.get(p.room()).add(peer);
            all.add(peer);
        }
        // the stream: every digest at the time the tree run first saw it
        for (int r = 0; r < scenario.rooms(); r++) {
            List<MeshPeer> members = rooms.get(r);
            for (ChunkLog.Chunk c : streams.get(r).ordered()) {
                clock.at(c.digestAt() + 5, () -> {
                    for (MeshPeer p : members) {
                        if (p.member && !p.frozen) {
                            p.digest(c.seq(), c.size(), c.keyframe());
                        }
                    }
                });
            }
        }
        int n = all.size();
        for (int i = 0; i < n; i++) {
            MeshPeer peer = all.get(i);
            ChunkLog stream = streams.get(peer.profile.room());
            boolean pilot = peer.profile.index() % scenario.roomSize() == 0;
            double joinAt = pilot ? 0 : liveMs + (connectMs - liveMs) * i / n;
            clock.at(joinAt, () -> peer.join(newestAt(stream, clock.now())));
            Random r = new Random(peer.profile.seed() ^ 0x5eed);
            scheduleChurn(clock, peer, stream, r, connectMs);
            if (peer.profile.freezeAtMs() >= 0) {
                clock.at(windowStart + peer.profile.freezeAtMs(), peer::freezeNow);
            }
        }
        for (double t = windowStart; t < fig.windowEnd; t += 1_000) {
            clock.at(t, () -> {
                for (MeshPeer p : all) {
                    if (p.member) {
                        fig.roomMemberSamples[p.profile.room()]++;
                    }
                }
            });
        }
        clock.runUntil(fig.windowEnd);
        fig.note = "modelled, virtual time";
        return fig;
    }

    private void scheduleChurn(VirtualClock clock, MeshPeer peer, ChunkLog stream, Random r, double after) {
        double wait = scenario.nextLeaveMs(r);
        if (wait > 1e12) {
            return;
        }
        clock.at(after + wait, () -> {
            if (peer.frozen) {
                return;
            }
            peer.leave();
            clock.at(scenario.model().rejoinAfterMs(), () -> {
                if (!peer.frozen) {
                    peer.join(newestAt(stream, clock.now()));
                }
            });
            scheduleChurn(clock, peer, stream, r, 0);
        });
    }

    private static long newestAt(ChunkLog stream, double t) {
        long newest = -1;
        for (ChunkLog.Chunk c : stream.ordered()) {
            if (c.digestAt() <= t) {
                newest = Math.max(newest, c.seq());
            }
        }
        return newest;
    }
}
