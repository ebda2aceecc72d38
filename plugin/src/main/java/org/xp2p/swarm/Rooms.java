package org.xp2p.swarm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.relay.ChunkFeed;
import org.xp2p.relay.StreamAddress;
import org.xp2p.relay.StreamPosition;

/**
 * The rooms of this node and their lifecycle: a room exists while it has members, is subscribed to
 * the relay's events and holds its stream's pull exactly that long, and leaves its traffic totals
 * to the node's when it closes. Creation, membership and removal go through the map's atomic
 * compute, so a join can never land in a room that is being closed; calls into the relay that may
 * start a pull happen outside it.
 */
final class Rooms {
    private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

    private final SwarmSettings settings;
    private final ChunkFeed feed;
    private final StreamLinks links;
    private final LongSupplier millis;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** Rooms closed since start whose final totals are no longer kept one by one. */
    private Flow closedRooms = Flow.ZERO;
    /**
     * Final totals of recently closed rooms, by id: {@code /stat} still shows them while the stream
     * is relayed, and a room that opens again continues from them. Bounded (LRU); an evicted room's
     * totals move into {@link #closedRooms}. Guarded by {@code this}.
     */
    private final Map<String, Flow> retired = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Flow> eldest) {
            if (size() <= MAX_RETIRED) {
                return false;
            }
            closedRooms = closedRooms.plus(eldest.getValue());
            return true;
        }
    };
    static final int MAX_RETIRED = 10_000;

    Rooms(SwarmSettings settings, ChunkFeed feed, StreamLinks links, LongSupplier millis) {
        this.settings = settings;
        this.millis = millis;
        this.feed = feed;
        this.links = links;
    }

    Room get(String roomId) {
        return rooms.get(roomId);
    }

    /**
     * Adds the member (creating and subscribing the room when it is the first), sending it
     * {@code joinedText} before any tree announcement, then makes sure the room holds its stream
     * (starting the pull at {@code stream} when nobody does); false when the room is full.
     *
     * @param knownEpoch the epoch {@code joinedText} describes, -1 when its stream is null
     */
    boolean join(String roomId, Member member, String joinedText, long knownEpoch, StreamAddress stream) {
        Room[] admitted = {null};
        rooms.compute(roomId, (id, room) -> {
            if (room == null) {
                room = new Room(id, new DeliveryTree(settings.maxDepth(), settings.standbyCount(), settings.stallStrikes(),
                        settings.probeSlots()), links, millis, settings.uploadHeadroomPercent(),
                        settings.demotionSeconds() * 1000L, settings.blameAfterMillis(), settings.strikeStormPercent());
                Flow before;
                synchronized (this) {
                    before = retired.remove(id);
                }
                if (before != null) {
                    room.continueFrom(before);
                }
                try {
                    room.subscription(feed.subscribe(id, room));
                } catch (RuntimeException e) {
                    LOG.warn("swarm room {}: relay subscription failed: {}", id, e.toString());
                }
            }
            if (room.size() >= settings.maxPeersPerRoom()) {
                return room;
            }
            member.peer.rooms.add(id);
            member.peer.link.send(joinedText);
            room.join(member, knownEpoch);
            admitted[0] = room;
            return room;
        });
        Room room = admitted[0];
        if (room == null) {
            return false;
        }
        try {
            room.hold(feed, stream);
            Optional<StreamPosition> now = feed.position(roomId);
            now.ifPresent(p -> room.catchUp(member, p));
        } catch (RuntimeException e) {
            LOG.warn("swarm room {}: holding stream {} failed: {}", roomId, stream.path(), e.toString(), e);
        }
        return true;
    }

    /** Removes the peer from the room; closes the room (its subscription and hold) when it empties. */
    void leave(Peer peer, String roomId, String why) {
        peer.rooms.remove(roomId);
        AutoCloseable[] sub = {null};
        Flow[] last = {null};
        Room[] closed = {null};
        rooms.computeIfPresent(roomId, (id, room) -> {
            room.leave(peer.id, why);
            if (room.size() > 0) {
                return room;
            }
            closed[0] = room;
            sub[0] = room.takeSubscription();
            last[0] = room.flow();
            LOG.debug("swarm room {}: empty, closed", id);
            return null;
        });
        if (last[0] != null) {
            synchronized (this) {
                retired.put(roomId, new Flow(last[0].p2pBytes(), last[0].cdnBytes(),
                        last[0].uploadBytes(), last[0].stalls(), 0));
            }
        }
        if (closed[0] != null) {
            closed[0].release();
        }
        if (sub[0] != null) {
            try {
                sub[0].close();
            } catch (Exception e) {
                LOG.warn("swarm room {}: unsubscribing from the relay failed: {}", roomId, e.toString());
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
            if (feed.position(roomId).isEmpty()) {
                return Optional.empty();
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        // no peers now, stream still relayed: the room's final reports, or zeros when it never had peers
        synchronized (this) {
            return Optional.of(retired.getOrDefault(roomId, Flow.ZERO));
        }
    }

    void forEach(java.util.function.Consumer<Room> action) {
        rooms.values().forEach(action);
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
            for (Flow r : retired.values()) {
                f = f.plus(r);
            }
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
