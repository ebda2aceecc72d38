package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The mesh baseline's tracker for one room: hands each entering peer k random live neighbours and
 * replaces a neighbour that left at once, or one that froze after the silence window (as a
 * tracker with heartbeats would). Model thread only.
 */
final class MeshRoom {
    private final List<MeshPeer> members = new ArrayList<>();
    private final int k;
    private final Random random;
    private final SimClock clock;
    private final double silenceMs;

    MeshRoom(int k, long seed, SimClock clock, double silenceMs) {
        this.k = k;
        this.random = new Random(seed);
        this.clock = clock;
        this.silenceMs = silenceMs;
    }

    void enter(MeshPeer p) {
        members.add(p);
        while (p.neighbours.size() < k && p.neighbours.size() < members.size() - 1) {
            link(p);
        }
        // existing peers short of neighbours (small rooms filling up) take the newcomer
        for (MeshPeer q : members) {
            if (q != p && q.neighbours.size() < k && !q.neighbours.contains(p)) {
                q.neighbours.add(p);
                p.followers.add(q);
            }
        }
    }

    void exit(MeshPeer p) {
        members.remove(p);
        drop(p);
    }

    /** A frozen peer stays a neighbour until the silence window passes. */
    void frozen(MeshPeer p) {
        clock.at(silenceMs, () -> {
            members.remove(p);
            drop(p);
        });
    }

    private void drop(MeshPeer p) {
        for (MeshPeer n : p.neighbours) {
            n.followers.remove(p);
        }
        p.neighbours.clear();
        for (MeshPeer f : List.copyOf(p.followers)) {
            f.neighbours.remove(p);
            if (f.member && !f.frozen) {
                link(f);
            }
        }
        p.followers.clear();
    }

    private void link(MeshPeer p) {
        for (int tries = 0; tries < 20; tries++) {
            MeshPeer n = members.get(random.nextInt(members.size()));
            if (n != p && !p.neighbours.contains(n) && !n.frozen) {
                p.neighbours.add(n);
                n.followers.add(p);
                return;
            }
        }
    }
}
