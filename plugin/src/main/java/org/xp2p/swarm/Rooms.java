package org.xp2p.swarm;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.relay.ChunkFeed;

/**
 * The rooms of this node and their lifecycle: a room exists while it has members, is subscribed to
 * the relay's chunk digests exactly that long, and leaves its traffic totals to the node's when it
 * closes. Creation, membership and removal go through the map's atomic compute, so a join can never
 * land in a room that is being closed.
 */
final class Rooms {
    private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

    private final SwarmSettings settings;
    private final ChunkFeed feed;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private Flow closedRooms = Flow.ZERO;

    Rooms(SwarmSettings settings, ChunkFeed feed) {
        this.settings = settings;
        this.feed = feed;
    }

    Room get(String roomId) {
        return rooms.get(roomId);
    }

    /**
     * Adds the member (creating and subscribing the room when it is the first), sending it
     * {@code joinedText} before any tree announcement; false when the room is full.
     */
    boolean join(String roomId, Member member, String joinedText) {
        boolean[] admitted = {false};
        rooms.compute(roomId, (id, room) -> {
            if (room == null) {
                room = new Room(id, new DeliveryTree(settings.maxDepth(), settings.standbyCount(), settings.stallStrikes()));
                Room r = room;
                try {
                    r.subscription(feed.subscribe(id, r::digest));
                } catch (RuntimeException e) {
                    LOG.warn("swarm room {}: digest subscription failed: {}", id, e.toString());
                }
            }
            if (room.size() >= settings.maxPeersPerRoom()) {
                return room;
            }
            member.peer.rooms.add(id);
            member.peer.link.send(joinedText);
            room.join(member);
            admitted[0] = true;
            return room;
        });
        return admitted[0];
    }

    /** Removes the peer from the room; closes the room (and its digest subscription) when it empties. */
    void leave(Peer peer, String roomId, String why) {
        peer.rooms.remove(roomId);
        AutoCloseable[] sub = {null};
        Flow[] retired = {null};
        rooms.computeIfPresent(roomId, (id, room) -> {
            room.leave(peer.id, why);
            if (room.size() > 0) {
                return room;
            }
            sub[0] = room.takeSubscription();
            retired[0] = room.flow();
            LOG.info("swarm room {}: empty, closed", id);
            return null;
        });
        if (retired[0] != null) {
            synchronized (this) {
                closedRooms = closedRooms.plus(new Flow(retired[0].p2pBytes(), retired[0].cdnBytes(),
                        retired[0].uploadBytes(), retired[0].stalls(), 0));
            }
        }
        if (sub[0] != null) {
            try {
                sub[0].close();
            } catch (Exception e) {
                LOG.warn("swarm room {}: unsubscribing digests failed: {}", roomId, e.toString());
            }
        }
    }

    /** The room's counters, or empty when no such room is known (no peers, stream not relayed). */
    Optional<Flow> flow(String roomId) {
        Room room = rooms.get(roomId);
        if (room != null) {
            return Optional.of(room.flow());
        }
        try {
            return feed.position(roomId).map(p -> Flow.ZERO);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    Optional<String> view(String roomId) {
        Room room = rooms.get(roomId);
        return room == null ? Optional.empty() : Optional.of(room.view());
    }

    /** Node totals: live rooms plus every room closed since start. */
    Flow nodeFlow() {
        Flow f;
        synchronized (this) {
            f = closedRooms;
        }
        for (Room r : rooms.values()) {
            f = f.plus(r.flow());
        }
        return f;
    }

    Map<String, Flow> flows() {
        Map<String, Flow> out = new TreeMap<>();
        rooms.forEach((id, r) -> out.put(id, r.flow()));
        return out;
    }
}
