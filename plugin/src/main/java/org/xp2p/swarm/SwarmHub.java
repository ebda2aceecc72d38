package org.xp2p.swarm;

import org.xp2p.common.Json;
import org.xp2p.common.NamedThreads;
import org.xp2p.common.TokenBucket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.auth.StreamAuth;
import org.xp2p.log.WarnLimiter;
import org.xp2p.keys.KeyLookup;
import org.xp2p.ops.Xp2pMetrics;
import org.xp2p.relay.ChunkFeed;
import org.xp2p.relay.StreamAddress;
import org.xp2p.common.StreamId;
import org.xp2p.relay.StreamPosition;

/**
 * The swarm of this node: connections, rooms, and the signalling protocol between them
 * (docs/PROTOCOL.md section 6). Independent of WebSocket: a connection is a {@link PeerLink}, so the
 * whole protocol runs in unit tests with in-memory links, and the endpoint only adapts.
 */
final class SwarmHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmHub.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    static final int CLOSE_GOING_AWAY = 1001;
    static final int CLOSE_UNSUPPORTED = 1003;
    static final int CLOSE_POLICY = 1008;
    static final int CLOSE_TRY_AGAIN = 1013;
    /** Largest counter a peer may report: the largest integer a JavaScript number holds exactly. */
    static final long MAX_COUNTER = (1L << 53) - 1;
    private static final Set<String> NETWORKS = Set.of("wifi", "ethernet", "cellular", "other", "unknown");

    private final SwarmSettings settings;
    private final ChunkFeed feed;
    private final JoinAuth auth;
    private final Clock clock;
    private final StreamLinks links;
    private final IceServers iceServers;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Rooms rooms;
    private final AtomicInteger connections = new AtomicInteger();
    private final Xp2pMetrics metrics;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            NamedThreads.single("xp2p-swarm-housekeeping"));
    /**
     * The silence check has a thread of its own: behind a long rebalance of many rooms on the
     * housekeeping thread it ran late, and a silent peer was closed up to 1.8 s after its limit.
     */
    private final ScheduledExecutorService liveness = Executors.newSingleThreadScheduledExecutor(
            NamedThreads.single("xp2p-swarm-liveness"));
    /**
     * How often silence is checked: a silent peer is closed at most this long (plus the time to
     * close it) after its limit, well inside the one second the protocol allows.
     */
    static final long SWEEP_MILLIS = 250;
    private volatile boolean closed;

    SwarmHub(SwarmSettings settings, ChunkFeed feed, KeyLookup keys, Clock clock, String contextPath) {
        this(settings, feed, keys, clock, contextPath, new Xp2pMetrics());
    }

    SwarmHub(SwarmSettings settings, ChunkFeed feed, KeyLookup keys, Clock clock, String contextPath,
            Xp2pMetrics metrics) {
        this(settings, feed, keys, clock, contextPath, metrics, StreamAuth.none());
    }

    SwarmHub(SwarmSettings settings, ChunkFeed feed, KeyLookup keys, Clock clock, String contextPath,
            Xp2pMetrics metrics, StreamAuth streamAuth) {
        this.settings = settings;
        this.metrics = metrics;
        this.feed = feed;
        this.auth = new JoinAuth(settings, keys, clock, streamAuth);
        this.links = new StreamLinks(contextPath);
        this.rooms = new Rooms(settings, feed, links, clock::millis);
        this.clock = clock;
        this.iceServers = new IceServers(settings.iceServers(), settings.turnSecret(), settings.turnTtlSeconds(), clock);
        housekeeping.scheduleWithFixedDelay(this::housekeeping, 1, 1, TimeUnit.SECONDS);
        liveness.scheduleAtFixedRate(this::liveness, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        loadMessageClasses();
    }

    /**
     * Parses and writes one message of each shape (and a join's stream address) now, so the
     * classes behind them are loaded before the first peer. On a cold node in a connect storm (JFR, 1,000 peers) the first
     * messages' threads otherwise waited over 10 ms each, about a hundred times, for one another's
     * class loading inside {@link SignalMessage#parse}.
     */
    private static void loadMessageClasses() {
        try {
            SignalMessage m = SignalMessage.parse("{\"v\":1,\"type\":\"offer\",\"room\":\"r\",\"to\":\"p\",\"upload\":true,"
                    + "\"slots\":1,\"data\":{\"a\":[1,-1.5e3,true,false,null,\"\\n\"],\"b\":{}},\"unknown\":[{}]}");
            SignalMessage.message(m.type()).put("room", m.room()).put("upload", true).put("slots", (long) m.slots())
                    .raw("data", m.data()).put("list", List.of("\"")).end();
            streamOf("live/r", "/live/other.flv");
            SignalMessage.parse("[");
        } catch (SignalMessage.BadMessage expected) {
            // the last sample is malformed on purpose: it loads the refusal path too
        }
    }

    SwarmSettings settings() {
        return settings;
    }

    /** Admits a new connection, or returns null when the node is full (the caller closes with 1013). */
    Peer connect(PeerLink link, String origin) {
        if (closed || connections.incrementAndGet() > settings.maxPeers()) {
            connections.decrementAndGet();
            metrics.refused("node_full");
            WARNS.warn("node_full", "swarm: connection from origin {} refused, node full ({} peers)", origin, settings.maxPeers());
            return null;
        }
        Peer peer;
        do {
            byte[] b = new byte[9];
            random.nextBytes(b);
            peer = new Peer(Base64.getUrlEncoder().withoutPadding().encodeToString(b), link, origin,
                    new TokenBucket(settings.messagesPerSecond(), settings.messageBurst()));
            peer.lastHeardMillis = clock.millis();
        } while (peers.putIfAbsent(peer.id, peer) != null);
        LOG.debug("swarm: peer {} connected (origin {})", peer.id, origin);
        return peer;
    }

    /** The connection is gone: leave every room. Idempotent. */
    void disconnect(Peer peer, String why) {
        if (!peer.gone.compareAndSet(false, true)) {
            return;
        }
        if (peers.remove(peer.id) != null) {
            connections.decrementAndGet();
        }
        try (PeerLink.Deferral d = PeerLink.defer()) {
            for (String roomId : List.copyOf(peer.rooms)) {
                leaveRoom(peer, roomId, why);
            }
        }
        LOG.debug("swarm: peer {} disconnected ({})", peer.id, why);
    }

    /** Drops a peer that cannot keep up; runs off the caller's thread, which may hold a room. */
    void drop(Peer peer, int code, String why) {
        try {
            housekeeping.execute(() -> {
                WARNS.warn("dropped", "swarm: peer {} in rooms {} dropped: {}", peer.id, peer.rooms, why);
                disconnect(peer, why);
                peer.link.close(code, why);
            });
        } catch (RejectedExecutionException e) {
            peer.link.close(code, why);
        }
    }

    /** Once a second: expired demotions lifted, each room's tree rebalanced (bounded moves). */
    private void housekeeping() {
        try (PeerLink.Deferral d = PeerLink.defer()) {
            rebalance();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and keep the housekeeping alive
            WARNS.warn("housekeeping", "swarm: housekeeping failed: {}", e.toString(), e);
        }
    }

    /** A message handler that may refuse the message. */
    private interface Handler {
        void run() throws SignalMessage.BadMessage;
    }

    /** Runs {@code work} with its sends deferred until it is done (see {@link PeerLink#defer}). */
    private static void deferred(Handler work) throws SignalMessage.BadMessage {
        try (PeerLink.Deferral d = PeerLink.defer()) {
            work.run();
        }
    }

    /** Every {@value #SWEEP_MILLIS} ms: silent peers out. */
    private void liveness() {
        try {
            sweepSilent();
        } catch (RuntimeException e) {
            WARNS.warn("liveness", "swarm: silence check failed: {}", e.toString(), e);
        }
    }

    /** Lifts expired demotions and moves server children (none when rebalanceMovesPerSecond is 0). */
    void rebalance() {
        rooms.forEach(room -> room.rebalance(settings.serverChildren(), settings.rebalanceMoves()));
    }

    /**
     * Removes every joined peer that has sent nothing (not even a ping) for
     * {@link SwarmSettings#silenceLimitMillis()}: a frozen tab or a hung client keeps its socket
     * open and would otherwise stay a parent. Its children are re-homed at once (room leave), and
     * what was still queued for it is discarded rather than waited for. Runs every
     * {@value #SWEEP_MILLIS} ms on its own thread; tests also call it directly with a moved clock.
     */
    void sweepSilent() {
        long now = clock.millis();
        long limit = settings.silenceLimitMillis();
        for (Peer p : peers.values()) {
            if (!p.rooms.isEmpty() && now - p.lastHeardMillis > limit && !p.gone.get()) {
                LOG.debug("swarm: peer {} in rooms {} removed: nothing heard for {} ms (limit {} ms)", p.id, p.rooms,
                        now - p.lastHeardMillis, limit);
                disconnect(p, "silent");
                p.link.abandon(CLOSE_GOING_AWAY, "no heartbeat for " + (limit / 1000) + " s");
            }
        }
    }

    /** Binary messages are not part of the protocol: error, then close 1003. */
    void onBinary(Peer peer) {
        if (peer.gone.get()) {
            return;
        }
        metrics.refused("binary_unsupported");
        peer.link.send(SignalMessage.error("binary_unsupported", "messages are JSON text; binary messages are not accepted", null));
        LOG.debug("swarm: peer {} in rooms {} closed: binary message", peer.id, peer.rooms);
        disconnect(peer, "binary message");
        peer.link.close(CLOSE_UNSUPPORTED, "binary messages are not accepted");
    }

    /** One inbound text message from {@code peer}. */
    void onText(Peer peer, String text) {
        if (peer.gone.get()) {
            return;
        }
        peer.lastHeardMillis = clock.millis();
        if (!peer.budget.tryTake()) {
            metrics.refused("rate_limited");
            peer.link.send(SignalMessage.error("rate_limited", "more than " + settings.messagesPerSecond()
                    + " messages per second (burst " + settings.messageBurst() + ")", null));
            WARNS.warn("rate_limited", "swarm: peer {} (origin {}) in rooms {} closed: message rate limit", peer.id,
                    peer.origin, peer.rooms);
            disconnect(peer, "rate limit");
            peer.link.close(CLOSE_POLICY, "rate limit exceeded");
            return;
        }
        SignalMessage m;
        try {
            m = SignalMessage.parse(text);
        } catch (SignalMessage.BadMessage e) {
            metrics.message(null);
            metrics.refused(e.code);
            LOG.debug("swarm: peer {} sent a bad message: {}", peer.id, e.getMessage());
            peer.link.send(SignalMessage.error(e.code, e.getMessage(), null));
            return;
        }
        metrics.message(m.type());
        try {
            switch (m.type()) {
                // these change a room under its monitor: their messages leave once the locks are released
                case "join" -> deferred(() -> join(peer, m));
                case "leave" -> deferred(() -> leave(peer, m));
                case "stall" -> deferred(() -> stall(peer, m));
                case "stats" -> deferred(() -> stats(peer, m));
                case "ping" -> peer.link.send(SignalMessage.message("pong").put("time", clock.millis()).end());
                case "offer", "answer", "candidate" -> relay(peer, m);
                default -> {
                    metrics.refused("unknown_type");
                    peer.link.send(SignalMessage.error("unknown_type", "unknown message type", m.type()));
                }
            }
        } catch (SignalMessage.BadMessage e) {
            metrics.refused(e.code);
            peer.link.send(SignalMessage.error(e.code, e.getMessage(), m.type()));
        }
    }

    private void join(Peer peer, SignalMessage m) throws SignalMessage.BadMessage {
        long receivedNanos = System.nanoTime();
        String roomId = checkRoom(m.room());
        if (peer.rooms.contains(roomId)) {
            throw new SignalMessage.BadMessage("already_joined", "already in room " + roomId);
        }
        if (peer.rooms.size() >= settings.maxRoomsPerConnection()) {
            throw new SignalMessage.BadMessage("too_many_rooms",
                    "a connection may be in at most " + settings.maxRoomsPerConnection() + " rooms");
        }
        StreamAddress stream = streamOf(roomId, m.stream());
        JoinAuth.Refusal refusal = auth.check(roomId, peer.client, m.code(), m.token());
        if (refusal != null) {
            metrics.refused(refusal.code());
            if (refusal.code().equals("unavailable")) {
                WARNS.warn("unavailable", "swarm room {}: peer {} refused: {}: {}", roomId, peer.id, refusal.code(),
                        refusal.message());
            } else {
                LOG.debug("swarm room {}: peer {} refused: {}: {}", roomId, peer.id, refusal.code(), refusal.message());
            }
            peer.link.send(SignalMessage.error(refusal.code(), refusal.message(), "join"));
            if (peer.rooms.isEmpty()) {
                disconnect(peer, refusal.code());
                peer.link.close(refusal.code().equals("unavailable") || refusal.code().equals("auth_unavailable") ? CLOSE_TRY_AGAIN : CLOSE_POLICY, "join refused");
            }
            return;
        }
        String network = m.network() == null ? "unknown" : m.network();
        if (!NETWORKS.contains(network)) {
            throw new SignalMessage.BadMessage("bad_field", "network must be one of " + NETWORKS);
        }
        boolean upload = Boolean.TRUE.equals(m.upload()) && (settings.uploadOnCellular() || !network.equals("cellular"));
        int slots = upload ? (int) Math.min(m.slots() == null ? settings.maxSlots() : m.slots(), settings.maxSlots()) : 0;
        Member member = new Member(peer, upload, slots, network, clock.millis());
        Optional<StreamPosition> position = position(roomId); // asks the relay: outside the map's lock
        String joinedText = joined(roomId, peer, upload, slots, position);
        boolean admitted = rooms.join(roomId, member, joinedText, position.map(StreamPosition::epoch).orElse(-1L), stream);
        if (admitted) {
            metrics.joined(System.nanoTime() - receivedNanos);
        } else {
            metrics.refused("room_full");
            WARNS.warn("room_full", "swarm room {}: peer {} refused, room full ({} peers)", roomId, peer.id, settings.maxPeersPerRoom());
            peer.link.send(SignalMessage.error("room_full", "room " + roomId + " has " + settings.maxPeersPerRoom()
                    + " peers; try again later", "join"));
            if (peer.rooms.isEmpty()) {
                disconnect(peer, "room full");
                peer.link.close(CLOSE_TRY_AGAIN, "room full");
            }
        }
        if (peer.gone.get()) {
            // raced with a disconnect: do not leave a ghost member behind
            leaveRoom(peer, roomId, "disconnected while joining");
        }
    }

    /**
     * The stream a join pulls: {@code stream} (a request path inside the context, checked by the
     * relay's rules) or {@code /{room}.flv}. The room stays the stream's id: when the path implies
     * another id, the room is passed as {@code xresid}, as an http-flv viewer would.
     */
    static StreamAddress streamOf(String roomId, String path) throws SignalMessage.BadMessage {
        String p = path == null ? "/" + roomId + ".flv" : path;
        try {
            StreamAddress plain = StreamAddress.parse(p, null);
            return plain.streamId().equals(roomId) ? plain
                    : StreamAddress.parse(p, "xresid=" + URLEncoder.encode(roomId, StandardCharsets.UTF_8));
        } catch (StreamAddress.BadAddressException e) {
            throw new SignalMessage.BadMessage("bad_field", "stream must be a stream path such as /live/cam1.flv: "
                    + e.getMessage());
        }
    }

    private Optional<StreamPosition> position(String roomId) {
        try {
            return feed.position(roomId);
        } catch (RuntimeException e) {
            WARNS.warn("position", "swarm room {}: stream position unavailable: {}", roomId, e.toString());
            return Optional.empty();
        }
    }

    private String joined(String roomId, Peer peer, boolean upload, int slots, Optional<StreamPosition> position) {
        Json json = SignalMessage.message("joined").put("room", roomId).put("peer", peer.id).put("upload", upload)
                .put("slots", (long) slots).put("heartbeatSeconds", (long) settings.heartbeatSeconds());
        json.raw("stream", position.map(links::json).orElse("null"));
        return json.raw("iceServers", iceServers.json(peer.id)).end();
    }

    private void leave(Peer peer, SignalMessage m) throws SignalMessage.BadMessage {
        String roomId = roomOf(peer, m);
        leaveRoom(peer, roomId, "left");
        peer.link.send(SignalMessage.message("left").put("room", roomId).end());
    }

    private void leaveRoom(Peer peer, String roomId, String why) {
        rooms.leave(peer, roomId, why);
    }

    private void relay(Peer from, SignalMessage m) throws SignalMessage.BadMessage {
        String roomId = roomOf(from, m);
        if (m.to() == null) {
            throw new SignalMessage.BadMessage("bad_field", "field to is required");
        }
        if (m.data() == null) {
            throw new SignalMessage.BadMessage("bad_field", "field data (a JSON object) is required");
        }
        Peer target = peers.get(m.to());
        if (target == null || target.gone.get()) {
            throw new SignalMessage.BadMessage("unknown_peer", "no peer " + m.to() + " on this node");
        }
        if (!target.rooms.contains(roomId)) {
            LOG.debug("swarm room {}: {} from peer {} to peer {} refused: not in the room", roomId, m.type(), from.id, m.to());
            throw new SignalMessage.BadMessage("not_in_room", "peer " + m.to() + " is not in room " + roomId);
        }
        Room room = rooms.get(roomId);
        if (room == null || !room.isEdge(from.id, target.id)) {
            LOG.debug("swarm room {}: {} from peer {} to peer {} refused: not a tree edge", roomId, m.type(), from.id, m.to());
            throw new SignalMessage.BadMessage("not_an_edge", "peer " + m.to()
                    + " is not your parent, child or standby in room " + roomId);
        }
        target.link.send(SignalMessage.message(m.type()).put("room", roomId).put("from", from.id).raw("data", m.data()).end());
    }

    private void stall(Peer peer, SignalMessage m) throws SignalMessage.BadMessage {
        String roomId = roomOf(peer, m);
        if (m.peer() == null) {
            throw new SignalMessage.BadMessage("bad_field", "field peer (the stalled parent) is required");
        }
        String reason = m.reason() == null ? "stalled" : m.reason();
        if (!reason.equals("stalled") && !reason.equals("unreachable")) {
            throw new SignalMessage.BadMessage("bad_field", "reason must be stalled or unreachable");
        }
        Room room = rooms.get(roomId);
        if (room == null || !room.stalled(peer.id, m.peer(), reason, m.afterDigestMs())) {
            throw new SignalMessage.BadMessage("not_your_parent", m.peer() + " is not your parent in room " + roomId);
        }
    }

    private void stats(Peer peer, SignalMessage m) throws SignalMessage.BadMessage {
        String roomId = roomOf(peer, m);
        for (Long v : new Long[] {m.p2pBytes(), m.cdnBytes(), m.uploadBytes(), m.stalls(), m.uploadRate()}) {
            if (v != null && v > MAX_COUNTER) {
                // no peer moves 2^53 bytes in one membership; such a report would only poison the totals
                throw new SignalMessage.BadMessage("bad_stats", "counters above 2^53-1 are refused");
            }
        }
        Room room = rooms.get(roomId);
        Flow increase = room == null ? null : room.report(peer.id, orZero(m.p2pBytes()), orZero(m.cdnBytes()),
                orZero(m.uploadBytes()), orZero(m.stalls()), m.uploadRate());
        if (increase == null) {
            throw new SignalMessage.BadMessage("bad_stats", "counters are cumulative since join and never decrease");
        }
        metrics.peerReport(increase.p2pBytes(), increase.cdnBytes(), increase.uploadBytes());
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private String roomOf(Peer peer, SignalMessage m) throws SignalMessage.BadMessage {
        if (m.room() != null) {
            if (!peer.rooms.contains(m.room())) {
                throw new SignalMessage.BadMessage("not_joined", "not in room " + m.room());
            }
            return m.room();
        }
        List<String> joined = List.copyOf(peer.rooms);
        if (joined.size() == 1) {
            return joined.get(0);
        }
        throw new SignalMessage.BadMessage(joined.isEmpty() ? "not_joined" : "room_required",
                joined.isEmpty() ? "join a room first" : "in several rooms: say which with field room");
    }

    /** Room ids are the relay's stream ids ({@link StreamId}): one rule for both. */
    static String checkRoom(String room) throws SignalMessage.BadMessage {
        if (room == null) {
            throw new SignalMessage.BadMessage("bad_field", "field room (the stream's xresid) is required");
        }
        try {
            return StreamId.of(room).value();
        } catch (StreamId.InvalidException e) {
            throw new SignalMessage.BadMessage("bad_room", e.getMessage());
        }
    }

    // ----------------------------------------------------------------- statistics and views

    /** The room's counters, or empty when no such room is known (no peers, stream not relayed). */
    Optional<Flow> roomFlow(String roomId) {
        return rooms.flow(roomId);
    }

    Optional<String> roomView(String roomId) {
        return rooms.view(roomId);
    }

    /** Node totals: live rooms plus every room since start. */
    Flow nodeFlow() {
        return rooms.nodeFlow();
    }

    Map<String, Flow> roomFlows() {
        return rooms.flows();
    }

    int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        closed = true;
        liveness.shutdown();
        try (PeerLink.Deferral d = PeerLink.defer()) {
            for (Peer p : List.copyOf(peers.values())) {
                disconnect(p, "server shutting down");
                p.link.close(CLOSE_GOING_AWAY, "server shutting down");
            }
        }
        housekeeping.shutdown();
    }
}
