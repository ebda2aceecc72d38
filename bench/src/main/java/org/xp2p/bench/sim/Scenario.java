package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The population of one simulator command: rooms, who is in which, each peer's drawn traits and
 * the run's phases. The same scenario (same seed) is given to every variant, so the tree runs and
 * the mesh baseline differ only in how chunks travel.
 *
 * @param rooms       number of rooms (streams)
 * @param roomSize    peers per room
 * @param connectMs   bound of the connect-and-join phase
 * @param warmUpMs    time after the last join before measuring
 * @param windowMs    measured window
 * @param model       the peer and network model
 * @param profiles    every peer's traits, index = peer
 */
record Scenario(int rooms, int roomSize, double connectMs, double warmUpMs, double windowMs, PeerModel model,
                List<PeerProfile> profiles) {

    /** The same population and timing with another peer model. */
    Scenario withModel(PeerModel other) {
        return new Scenario(rooms, roomSize, connectMs, warmUpMs, windowMs, other, profiles);
    }

    static Scenario of(int rooms, int roomSize, double connectMs, double warmUpMs, double windowMs, PeerModel model,
                       long seed) {
        Random r = new Random(seed);
        List<PeerProfile> profiles = new ArrayList<>(rooms * roomSize);
        for (int i = 0; i < rooms * roomSize; i++) {
            profiles.add(PeerProfile.draw(i, i / roomSize, model, windowMs, r));
        }
        return new Scenario(rooms, roomSize, connectMs, warmUpMs, windowMs, model, List.copyOf(profiles));
    }

    int peers() {
        return profiles.size();
    }

    static String roomName(int room) {
        return "sim/r" + room;
    }

    /** Milliseconds until this peer's next departure (exponential, churn rate per minute). */
    double nextLeaveMs(Random r) {
        if (model.churnPerMinute() <= 0) {
            return Double.MAX_VALUE;
        }
        return -Math.log(1 - r.nextDouble()) * 60_000 / model.churnPerMinute();
    }
}
