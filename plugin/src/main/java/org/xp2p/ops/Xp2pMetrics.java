package org.xp2p.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Set;

/**
 * The node's monotonic counters and latency histograms (docs/PROTOCOL.md section 2.5), one set per
 * plugin instance in its own registry. The services count here as things happen, so a counter never
 * falls when a stream stops or a room closes; gauges of what is live now are read at scrape time.
 * Label values come from closed sets only, never from what a client sent.
 */
public final class Xp2pMetrics {
    /** Signalling message types of PROTOCOL 6.3; anything else is counted as {@code other}. */
    private static final Set<String> TYPES = Set.of("join", "leave", "ping", "offer", "answer", "candidate",
            "stall", "stats");
    /** Signalling error codes of PROTOCOL section 9; anything else is counted as {@code other}. */
    private static final Set<String> CODES = Set.of("bad_json", "unsupported_version", "bad_field", "unknown_type",
            "bad_room", "already_joined", "too_many_rooms", "auth_required", "auth_failed", "unavailable", "room_full",
            "node_full", "not_joined", "room_required", "unknown_peer", "not_in_room", "not_an_edge", "not_your_parent", "bad_stats",
            "rate_limited", "binary_unsupported", "message_too_big", "token_missing", "token_bad", "token_expired",
            "denied", "credentials_missing", "code_other_stream", "auth_unavailable");
    private static final double[] LATENCY_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final PrometheusRegistry registry = new PrometheusRegistry();

    final Counter flvBytesOut = counter("xp2p_relay_flv_bytes_out_total",
            "Bytes written to http-flv viewers (encrypted streams: the bytes sent).");
    final Counter chunkBytesOut = counter("xp2p_relay_chunk_bytes_out_total",
            "Body bytes of 200 init and chunk answers (?xp2p=init|chunk).");
    final Counter chunkRequests = counter("xp2p_relay_chunk_requests_total", "Init and chunk requests answered 200.");
    final Counter bytesIn = counter("xp2p_relay_bytes_in_total", "Bytes read from origins.");
    final Counter viewersServed = counter("xp2p_relay_viewers_served_total", "http-flv viewer requests accepted.");
    final Counter skips = counter("xp2p_relay_viewer_skips_total", "Skips of lagging viewers to a newer keyframe.");
    final Counter drops = counter("xp2p_relay_viewers_dropped_total", "Viewers disconnected for lagging.");
    final Counter reconnects = counter("xp2p_relay_origin_reconnects_total",
            "Times an origin flowed again after a failure.");
    final Counter streamFailures = Counter.builder().name("xp2p_relay_stream_failures_total")
            .help("Stream pulls given up, by the HTTP status answered.").labelNames("status").withoutExemplars()
            .register(registry);
    final Counter messages = Counter.builder().name("xp2p_swarm_messages_total")
            .help("Signalling messages received, by type (invalid: not parsed; other: unknown type).")
            .labelNames("type").withoutExemplars().register(registry);
    final Counter refusals = Counter.builder().name("xp2p_swarm_refusals_total")
            .help("Signalling errors sent to peers, by error code.").labelNames("code").withoutExemplars()
            .register(registry);
    final Counter peerP2pBytes = counter("xp2p_swarm_peer_p2p_bytes_total", "Bytes peers report downloading from peers.");
    final Counter peerCdnBytes = counter("xp2p_swarm_peer_cdn_bytes_total",
            "Bytes peers report downloading from the server over HTTP.");
    final Counter peerUploadBytes = counter("xp2p_swarm_peer_upload_bytes_total",
            "Bytes peers report uploading to peers.");
    final Histogram firstByte = histogram("xp2p_relay_first_byte_seconds",
            "http-flv viewers: time from the request to the first byte written.");
    final Histogram joinLatency = histogram("xp2p_swarm_join_seconds",
            "Signalling: time from a join received to its joined sent.");

    public Xp2pMetrics() {
        for (String status : new String[] {"404", "502", "503", "504"}) {
            streamFailures.labelValues(status); // present at 0 from the start, so rate() sees the first one
        }
        for (String t : TYPES) {
            messages.labelValues(t);
        }
        for (String c : CODES) {
            refusals.labelValues(c);
        }
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    private Histogram histogram(String name, String help) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(LATENCY_BOUNDS)
                .withoutExemplars().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------------ relay

    public void flvBytesOut(long n) {
        flvBytesOut.inc(n);
    }

    public void chunkServed(long bodyBytes) {
        chunkBytesOut.inc(bodyBytes);
        chunkRequests.inc();
    }

    public void bytesIn(long n) {
        bytesIn.inc(n);
    }

    public void viewerServed() {
        viewersServed.inc();
    }

    public void viewerSkipped() {
        skips.inc();
    }

    public void viewerDropped() {
        drops.inc();
    }

    public void originReconnected() {
        reconnects.inc();
    }

    public void streamFailed(int status) {
        streamFailures.labelValues(Integer.toString(status)).inc();
    }

    public void firstByte(long nanos) {
        firstByte.observe(nanos / 1e9);
    }

    // ------------------------------------------------------------------ swarm

    /** One text message received; {@code type} null when it did not parse. */
    public void message(String type) {
        messages.labelValues(type == null ? "invalid" : TYPES.contains(type) ? type : "other").inc();
    }

    public void refused(String code) {
        refusals.labelValues(CODES.contains(code) ? code : "other").inc();
    }

    /** Increments of peers' cumulative reports. */
    public void peerReport(long p2p, long cdn, long upload) {
        peerP2pBytes.inc(p2p);
        peerCdnBytes.inc(cdn);
        peerUploadBytes.inc(upload);
    }

    public void joined(long nanos) {
        joinLatency.observe(nanos / 1e9);
    }
}
