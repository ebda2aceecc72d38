package org.xp2p.relay;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

/**
 * The live relay's settings, read and validated once at start.
 *
 * @param origins            origin base URLs in failover order ({@code xp2p.origin}, {@code -u})
 * @param idleSeconds        how long a pull outlives its last viewer ({@code -t})
 * @param chunkMillis        target chunk duration inside long GOPs
 * @param windowSeconds      how far back chunks stay addressable over HTTP
 * @param windowMaxBytes     hard memory bound of one stream's chunk window
 * @param skipLagMillis      a viewer whose queue spans more than this skips to the next keyframe
 * @param maxSkips           skips in a row without catching up before a viewer is dropped
 * @param viewerMaxBytes     hard bound of one viewer's queue; beyond it the viewer is dropped
 * @param startTimeoutMillis how long a first viewer waits for the origin's first bytes
 * @param readTimeoutMillis  a flowing origin that sends nothing for this long is reconnected
 * @param reconnectMaxSeconds how long a live stream keeps retrying a failed origin
 * @param backoffInitialMillis first reconnect delay (doubles, with jitter)
 * @param backoffMaxMillis   largest reconnect delay
 * @param connectTimeoutMillis origin TCP/TLS connect timeout
 * @param requireCode        whether every stream request must present a valid {@code code}
 * @param maxStreams         streams relayed at once by this node
 * @param maxViewersPerStream viewers of one stream on this node
 * @param fanOutThreads      threads writing to viewers (0: one per core)
 * @param corsOrigin         value of Access-Control-Allow-Origin on stream responses (empty: none)
 * @param flvLimits          largest tag and configuration tag accepted from an origin
 *                           ({@code xp2p.relay.maxTagBytes}, {@code xp2p.relay.maxConfigBytes})
 * @param drainMillis        at shutdown, how long viewers get to receive what is queued before their
 *                           responses end on a tag boundary ({@code xp2p.relay.drainMillis})
 * @param mergeMillis        how long new stream data waits so that each viewer gets it in one write
 *                           with what follows (0: write every origin read at once)
 */
public record RelayConfig(List<URI> origins, int idleSeconds, int chunkMillis, int windowSeconds,
        long windowMaxBytes, int skipLagMillis, int maxSkips, long viewerMaxBytes, int startTimeoutMillis, int readTimeoutMillis,
        int reconnectMaxSeconds, int backoffInitialMillis, int backoffMaxMillis, int connectTimeoutMillis,
        boolean requireCode, int maxStreams, int maxViewersPerStream, int fanOutThreads, String corsOrigin,
        org.xp2p.flv.FlvLimits flvLimits, int drainMillis, int mergeMillis) {

    public static final int DEFAULT_IDLE_SECONDS = 10;
    public static final int DEFAULT_CHUNK_MILLIS = 500;
    public static final int DEFAULT_WINDOW_SECONDS = 30;
    public static final long DEFAULT_WINDOW_MAX_BYTES = 64L << 20;
    public static final int DEFAULT_SKIP_LAG_MILLIS = 3000;
    public static final int DEFAULT_MAX_SKIPS = 3;
    public static final long DEFAULT_VIEWER_MAX_BYTES = 8L << 20;
    public static final int DEFAULT_START_TIMEOUT_MILLIS = 10_000;
    public static final int DEFAULT_READ_TIMEOUT_MILLIS = 10_000;
    public static final int DEFAULT_RECONNECT_MAX_SECONDS = 30;
    public static final int DEFAULT_BACKOFF_INITIAL_MILLIS = 200;
    public static final int DEFAULT_BACKOFF_MAX_MILLIS = 5000;
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 3000;
    public static final int DEFAULT_MAX_STREAMS = 10_000;
    public static final int DEFAULT_MAX_VIEWERS_PER_STREAM = 20_000;
    public static final int DEFAULT_MAX_TAG_BYTES = org.xp2p.flv.FlvLimits.DEFAULT_MAX_TAG_BYTES;
    public static final int DEFAULT_MAX_CONFIG_BYTES = org.xp2p.flv.FlvLimits.DEFAULT_MAX_CONFIG_BYTES;
    /** Below Jetty's and Tomcat's usual 5 s stop timeout, so viewers end before connections are cut. */
    public static final int DEFAULT_DRAIN_MILLIS = 2000;
    /** Chosen from docs/benchmarks.md: syscalls fall with the window, added latency grows with it. */
    public static final int DEFAULT_MERGE_MILLIS = 100;

    public static RelayConfig from(Settings s) {
        List<URI> origins = new ArrayList<>();
        for (String url : s.list("xp2p.origin")) {
            origins.add(Settings.parseHttpUrl("xp2p.origin", url));
        }
        RelayConfig config = new RelayConfig(List.copyOf(origins),
                s.integer("xp2p.idleSeconds", DEFAULT_IDLE_SECONDS, 0, 86_400),
                s.integer("xp2p.relay.chunkMillis", DEFAULT_CHUNK_MILLIS, 100, 10_000),
                s.integer("xp2p.relay.windowSeconds", DEFAULT_WINDOW_SECONDS, 1, 600),
                s.longValue("xp2p.relay.windowMaxBytes", DEFAULT_WINDOW_MAX_BYTES, 1L << 20, 1L << 32),
                s.integer("xp2p.relay.skipLagMillis", DEFAULT_SKIP_LAG_MILLIS, 100, 60_000),
                s.integer("xp2p.relay.maxSkips", DEFAULT_MAX_SKIPS, 1, 100),
                s.longValue("xp2p.relay.viewerMaxBytes", DEFAULT_VIEWER_MAX_BYTES, 64L << 10, 1L << 30),
                s.integer("xp2p.relay.startTimeoutMillis", DEFAULT_START_TIMEOUT_MILLIS, 500, 120_000),
                s.integer("xp2p.relay.readTimeoutMillis", DEFAULT_READ_TIMEOUT_MILLIS, 500, 120_000),
                s.integer("xp2p.relay.reconnectMaxSeconds", DEFAULT_RECONNECT_MAX_SECONDS, 0, 3600),
                s.integer("xp2p.relay.backoffInitialMillis", DEFAULT_BACKOFF_INITIAL_MILLIS, 10, 60_000),
                s.integer("xp2p.relay.backoffMaxMillis", DEFAULT_BACKOFF_MAX_MILLIS, 10, 300_000),
                s.integer("xp2p.relay.connectTimeoutMillis", DEFAULT_CONNECT_TIMEOUT_MILLIS, 100, 60_000),
                s.bool("xp2p.relay.requireCode", false),
                s.integer("xp2p.relay.maxStreams", DEFAULT_MAX_STREAMS, 1, 1_000_000),
                s.integer("xp2p.relay.maxViewersPerStream", DEFAULT_MAX_VIEWERS_PER_STREAM, 1, 1_000_000),
                s.integer("xp2p.relay.fanOutThreads", 0, 0, 64),
                s.string("xp2p.relay.corsOrigin", "*"),
                flvLimits(s),
                s.integer("xp2p.relay.drainMillis", DEFAULT_DRAIN_MILLIS, 0, 60_000),
                s.integer("xp2p.relay.mergeMillis", DEFAULT_MERGE_MILLIS, 0, 1000));
        if (config.mergeMillis >= config.skipLagMillis) {
            throw new ConfigException("xp2p.relay.mergeMillis", String.valueOf(config.mergeMillis),
                    "must be below xp2p.relay.skipLagMillis (" + config.skipLagMillis
                    + "), or every viewer would lag by design; lower mergeMillis or raise skipLagMillis");
        }
        if (config.backoffMaxMillis < config.backoffInitialMillis) {
            throw new ConfigException("xp2p.relay.backoffMaxMillis", String.valueOf(config.backoffMaxMillis),
                    "must be at least xp2p.relay.backoffInitialMillis (" + config.backoffInitialMillis + ")");
        }
        return config;
    }

    private static org.xp2p.flv.FlvLimits flvLimits(Settings s) {
        int maxTag = s.integer("xp2p.relay.maxTagBytes", DEFAULT_MAX_TAG_BYTES,
                org.xp2p.flv.FlvLimits.MIN_MAX_TAG_BYTES, org.xp2p.flv.FlvTag.MAX_DATA_SIZE);
        int maxConfig = s.integer("xp2p.relay.maxConfigBytes", DEFAULT_MAX_CONFIG_BYTES,
                org.xp2p.flv.FlvLimits.MIN_MAX_CONFIG_BYTES, org.xp2p.flv.FlvTag.MAX_DATA_SIZE);
        if (maxConfig > maxTag) {
            throw new ConfigException("xp2p.relay.maxConfigBytes", String.valueOf(maxConfig),
                    "must be at most xp2p.relay.maxTagBytes (" + maxTag + "): a configuration tag is a tag");
        }
        return new org.xp2p.flv.FlvLimits(maxTag, maxConfig);
    }
}
