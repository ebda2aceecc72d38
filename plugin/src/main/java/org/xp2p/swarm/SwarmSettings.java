package org.xp2p.swarm;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

/**
 * The swarm's configuration, read and validated once at start so that a bad value stops the
 * deployment with a message naming the key instead of failing on a viewer's join.
 *
 * @param auth                  none, optional or required: whether a join must prove it may watch
 * @param tokenSecret           HMAC key for join tokens; empty when tokens are not accepted
 * @param iceServers            stun:/turn: URLs handed to every peer for NAT traversal
 * @param turnSecret            the TURN server's static-auth-secret: turn: entries carry ephemeral credentials
 * @param turnTtlSeconds        how long those credentials are valid
 * @param allowedOrigins        browser Origins allowed to open the signalling socket; empty = any
 * @param maxDepth              peers below the server on the longest path
 * @param maxSlots              upper bound on the children one peer is given
 * @param standbyCount          standby parents announced with each parent assignment
 * @param stallStrikes          distinct children reporting a stall before a parent is made a leaf
 * @param maxPeersPerRoom       members one room takes
 * @param maxPeers              signalling connections this node takes
 * @param maxRoomsPerConnection rooms one connection may be in at once
 * @param maxMessageBytes       largest text message accepted (larger: close 1009)
 * @param messagesPerSecond     sustained inbound messages per connection
 * @param messageBurst          inbound burst per connection (token bucket size)
 * @param sendQueue             outbound messages queued per connection before it is dropped
 * @param idleTimeoutSeconds    silence after which a connection counts as gone
 * @param uploadOnCellular      whether peers on cellular networks may upload at all
 * @param requireCode           {@code xp2p.relay.requireCode}: a join is a viewer, so it needs a valid code too
 * @param silentBeats           heartbeat periods without any message after which a joined peer is removed
 * @param serverChildren        how many peers per room should pull from the server (rebalancing target)
 * @param rebalanceMoves        at most this many tree moves per room and second for each started 1,000 members
 * @param probeSlots            children a peer gets before its upload has been measured
 * @param uploadHeadroomPercent upload a peer needs per child, in percent of the stream's bitrate
 * @param demotionSeconds       how long a parent demoted by stall reports stays a leaf (0: for good)
 * @param blameAfterMillis      a late report counts as a strike only when the child's deadline ended at
 *                              least this long after the chunk's digest (0: every report does)
 * @param strikeStormPercent    while reports that would strike come from this share of a room's members
 *                              within 2 s, they move their children but strike nobody (0: off)
 */
record SwarmSettings(String auth, Optional<byte[]> tokenSecret, List<String> iceServers, Optional<byte[]> turnSecret,
                     int turnTtlSeconds, List<String> allowedOrigins,
                     int maxDepth, int maxSlots, int standbyCount, int stallStrikes, int maxPeersPerRoom,
                     int maxPeers, int maxRoomsPerConnection, int maxMessageBytes, int messagesPerSecond,
                     int messageBurst, int sendQueue, int idleTimeoutSeconds, boolean uploadOnCellular,
                     boolean requireCode, int silentBeats, int serverChildren, int rebalanceMoves,
                     int probeSlots, int uploadHeadroomPercent, int demotionSeconds, int blameAfterMillis,
                     int strikeStormPercent) {
    static final String AUTH = "xp2p.swarm.auth";
    static final String TOKEN_SECRET = "xp2p.swarm.tokenSecret";
    static final String ICE_SERVERS = "xp2p.swarm.iceServers";
    static final String TURN_SECRET = "xp2p.swarm.turnSecret";
    static final String TURN_TTL = "xp2p.swarm.turnTtlSeconds";
    static final int DEFAULT_TURN_TTL_SECONDS = 3_600;
    static final String ALLOWED_ORIGINS = "xp2p.swarm.allowedOrigins";

    static final String DEFAULT_AUTH = "optional";
    static final int DEFAULT_MAX_DEPTH = 6;
    static final int DEFAULT_MAX_SLOTS = 8;
    static final int DEFAULT_STANDBY = 3;
    static final int DEFAULT_STALL_STRIKES = 2;
    static final int DEFAULT_MAX_PEERS_PER_ROOM = 1_000;
    static final int DEFAULT_MAX_PEERS = 20_000;
    static final int DEFAULT_MAX_ROOMS_PER_CONNECTION = 4;
    static final int DEFAULT_MAX_MESSAGE_BYTES = 16_384;
    static final int DEFAULT_MESSAGES_PER_SECOND = 20;
    static final int DEFAULT_MESSAGE_BURST = 60;
    static final int DEFAULT_SEND_QUEUE = 256;
    static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 45;
    static final int DEFAULT_SILENT_BEATS = 2;
    static final int DEFAULT_SERVER_CHILDREN = 1;
    static final int DEFAULT_REBALANCE_MOVES = 20;
    static final int DEFAULT_PROBE_SLOTS = 1;
    static final int DEFAULT_UPLOAD_HEADROOM_PERCENT = 125;
    static final int DEFAULT_DEMOTION_SECONDS = 60;
    static final int DEFAULT_BLAME_AFTER_MILLIS = 2_000;
    static final int DEFAULT_STRIKE_STORM_PERCENT = 2;
    static final int MIN_SECRET_BYTES = 16;

    /** A shared secret of at least {@value #MIN_SECRET_BYTES} bytes; its value never reaches an error message. */
    private static Optional<byte[]> secret(Settings s, String key, String what) {
        return s.optional(key).map(v -> {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                throw new ConfigException(key, "****", "must be at least " + MIN_SECRET_BYTES + " bytes" + what);
            }
            return bytes;
        });
    }

    static SwarmSettings from(Settings s) {
        String auth = s.choice(AUTH, DEFAULT_AUTH, "none", "optional", "required");
        Optional<byte[]> secret = secret(s, TOKEN_SECRET, "");
        List<String> ice = s.list(ICE_SERVERS);
        for (String url : ice) {
            String lower = url.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("stun:") || lower.startsWith("stuns:") || lower.startsWith("turn:")
                    || lower.startsWith("turns:")) || url.length() > 256 || url.contains("\"")) {
                throw new ConfigException(ICE_SERVERS, url, "each entry must be a stun:, stuns:, turn: or turns: URL");
            }
        }
        Optional<byte[]> turnSecret = secret(s, TURN_SECRET, " (the TURN server's static-auth-secret)");
        boolean turn = ice.stream().anyMatch(u -> u.toLowerCase(Locale.ROOT).startsWith("turn"));
        if (turn && turnSecret.isEmpty()) {
            throw new ConfigException(ICE_SERVERS, String.join(",", ice), "turn: and turns: servers need "
                    + TURN_SECRET + " (the TURN server's static-auth-secret) so that peers get ephemeral credentials");
        }
        int turnTtl = s.integer(TURN_TTL, DEFAULT_TURN_TTL_SECONDS, 60, 86_400);
        List<String> origins = s.list(ALLOWED_ORIGINS);
        for (String origin : origins) {
            checkOrigin(origin);
        }
        return new SwarmSettings(auth, secret, ice, turnSecret, turnTtl, origins,
                s.integer("xp2p.swarm.maxDepth", DEFAULT_MAX_DEPTH, 1, 32),
                s.integer("xp2p.swarm.maxSlots", DEFAULT_MAX_SLOTS, 0, 64),
                s.integer("xp2p.swarm.standbyCount", DEFAULT_STANDBY, 0, 16),
                s.integer("xp2p.swarm.stallStrikes", DEFAULT_STALL_STRIKES, 1, 100),
                s.integer("xp2p.swarm.maxPeersPerRoom", DEFAULT_MAX_PEERS_PER_ROOM, 1, 1_000_000),
                s.integer("xp2p.swarm.maxPeers", DEFAULT_MAX_PEERS, 1, 10_000_000),
                s.integer("xp2p.swarm.maxRoomsPerConnection", DEFAULT_MAX_ROOMS_PER_CONNECTION, 1, 64),
                s.integer("xp2p.swarm.maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES, 1_024, 1_048_576),
                s.integer("xp2p.swarm.messagesPerSecond", DEFAULT_MESSAGES_PER_SECOND, 1, 1_000_000),
                s.integer("xp2p.swarm.messageBurst", DEFAULT_MESSAGE_BURST, 1, 1_000_000),
                s.integer("xp2p.swarm.sendQueue", DEFAULT_SEND_QUEUE, 1, 100_000),
                s.integer("xp2p.swarm.idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_SECONDS, 5, 3_600),
                s.bool("xp2p.swarm.uploadOnCellular", false),
                s.bool("xp2p.relay.requireCode", false),
                s.integer("xp2p.swarm.silentBeats", DEFAULT_SILENT_BEATS, 2, 100),
                s.integer("xp2p.swarm.serverChildren", DEFAULT_SERVER_CHILDREN, 1, 100_000),
                s.integer("xp2p.swarm.rebalanceMovesPerSecond", DEFAULT_REBALANCE_MOVES, 0, 1_000),
                s.integer("xp2p.swarm.probeSlots", DEFAULT_PROBE_SLOTS, 0, 64),
                s.integer("xp2p.swarm.uploadHeadroomPercent", DEFAULT_UPLOAD_HEADROOM_PERCENT, 100, 1_000),
                s.integer("xp2p.swarm.demotionSeconds", DEFAULT_DEMOTION_SECONDS, 0, 86_400),
                s.integer("xp2p.swarm.blameAfterMillis", DEFAULT_BLAME_AFTER_MILLIS, 0, 60_000),
                s.integer("xp2p.swarm.strikeStormPercent", DEFAULT_STRIKE_STORM_PERCENT, 0, 100));
    }

    private static void checkOrigin(String origin) {
        if (origin.equals("*")) {
            return;
        }
        try {
            URI uri = new URI(origin);
            if (uri.getScheme() == null || uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(origin, "not scheme://host[:port]");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(ALLOWED_ORIGINS, origin, "each entry must be * or an origin like https://viewer.example.com[:port]");
        }
    }

    /** How often a peer pings (sent in {@code joined}): a third of the container's idle timeout. */
    int heartbeatSeconds() {
        return Math.max(1, idleTimeoutSeconds / 3);
    }

    /** Silence after which a joined peer is removed, whatever its socket does. */
    long silenceLimitMillis() {
        return heartbeatSeconds() * 1000L * silentBeats;
    }

    /** Whether a browser with this Origin header may connect (no header: a native client, allowed). */
    boolean originAllowed(String origin) {
        if (allowedOrigins.isEmpty() || origin == null || allowedOrigins.contains("*")) {
            return true;
        }
        for (String allowed : allowedOrigins) {
            if (allowed.equalsIgnoreCase(origin)) {
                return true;
            }
        }
        return false;
    }
}
