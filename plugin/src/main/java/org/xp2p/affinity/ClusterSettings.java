package org.xp2p.affinity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

/**
 * The validated {@code xp2p.cluster.*} configuration. Read once at start so that a node never joins
 * a cluster with a half-valid setup: a self URL that is not among the nodes, a duplicate node or an
 * unknown mode stops startup with a message that says what to fix.
 *
 * @param self            this node
 * @param staticNodes     the configured members (static membership), sorted by id; empty for database
 * @param membership      "static" or "database"
 * @param mode            "redirect" or "proxy"
 * @param redirectStatus  302 or 307
 * @param hash            "rendezvous" or "nginx"
 * @param heartbeatMillis how often a node beats and refreshes its view (database membership)
 * @param missedBeats     beats a member may miss before it counts as gone
 * @param proxyMaxStreams proxied responses in flight at once; more get 503
 * @param proxyConnectTimeoutMillis connect and response-header timeout of proxied requests
 */
public record ClusterSettings(ClusterNode self, List<ClusterNode> staticNodes, String membership, String mode,
                              int redirectStatus, String hash, long heartbeatMillis, int missedBeats,
                              int proxyMaxStreams, long proxyConnectTimeoutMillis) {
    public static final String NODES = "xp2p.cluster.nodes";
    public static final String SELF = "xp2p.cluster.self";
    public static final String MEMBERSHIP = "xp2p.cluster.membership";
    public static final String MODE = "xp2p.cluster.mode";
    public static final String REDIRECT = "xp2p.cluster.redirect";
    public static final String HASH = "xp2p.cluster.hash";
    public static final String HEARTBEAT_MILLIS = "xp2p.cluster.heartbeatMillis";
    public static final String MISSED_BEATS = "xp2p.cluster.missedBeats";
    public static final String PROXY_MAX_STREAMS = "xp2p.cluster.proxyMaxStreams";
    public static final String PROXY_CONNECT_TIMEOUT_MILLIS = "xp2p.cluster.proxyConnectTimeoutMillis";

    public static final long DEFAULT_HEARTBEAT_MILLIS = 1_000;
    public static final int DEFAULT_MISSED_BEATS = 3;
    public static final int DEFAULT_PROXY_MAX_STREAMS = 256;
    public static final long DEFAULT_PROXY_CONNECT_TIMEOUT_MILLIS = 5_000;

    /** The cluster configuration, or empty when this node is not part of a cluster. */
    public static Optional<ClusterSettings> from(Settings settings) {
        String membership = settings.choice(MEMBERSHIP, "static", "static", "database");
        List<String> nodeValues = settings.list(NODES);
        Optional<String> selfValue = settings.optional(SELF);
        if (membership.equals("static") && nodeValues.isEmpty()) {
            if (selfValue.isPresent()) {
                throw new ConfigException(SELF, selfValue.get(),
                        "is set but " + NODES + " is empty: list every node's public base URL in " + NODES
                                + " (or set " + MEMBERSHIP + "=database), or unset " + SELF);
            }
            return Optional.empty();
        }
        if (selfValue.isEmpty()) {
            throw new ConfigException(SELF, null,
                    "must be this node's public base URL (e.g. http://10.0.0.5:8080) when a cluster is configured");
        }
        ClusterNode self = ClusterNode.parse(SELF, selfValue.get());
        List<ClusterNode> nodes = new ArrayList<>();
        if (membership.equals("static")) {
            for (String v : nodeValues) {
                ClusterNode node = ClusterNode.parse(NODES, v);
                if (nodes.contains(node)) {
                    throw new ConfigException(NODES, String.join(",", nodeValues),
                            "lists " + node.id() + " twice: each node once");
                }
                nodes.add(node);
            }
            if (!nodes.contains(self)) {
                throw new ConfigException(SELF, selfValue.get(),
                        "must be one of " + NODES + " " + nodes + " (spelled the same: scheme, host, port, path)");
            }
            nodes.sort(Comparator.comparing(ClusterNode::id));
        }
        String mode = settings.choice(MODE, "redirect", "redirect", "proxy");
        String redirect = settings.choice(REDIRECT, "302", "302", "307");
        String hash = settings.choice(HASH, "rendezvous", "rendezvous", "nginx");
        long heartbeat = settings.longValue(HEARTBEAT_MILLIS, DEFAULT_HEARTBEAT_MILLIS, 50, 60_000);
        int missed = settings.integer(MISSED_BEATS, DEFAULT_MISSED_BEATS, 1, 100);
        int proxyMax = settings.integer(PROXY_MAX_STREAMS, DEFAULT_PROXY_MAX_STREAMS, 1, 100_000);
        long connectTimeout = settings.longValue(PROXY_CONNECT_TIMEOUT_MILLIS,
                DEFAULT_PROXY_CONNECT_TIMEOUT_MILLIS, 100, 120_000);
        return Optional.of(new ClusterSettings(self, List.copyOf(nodes), membership, mode,
                Integer.parseInt(redirect), hash, heartbeat, missed, proxyMax, connectTimeout));
    }

    /** How long a member stays live after its last beat. */
    public long liveWindowMillis() {
        return heartbeatMillis * missedBeats;
    }
}
