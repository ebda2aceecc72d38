package org.xp2p.ops;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xp2p.relay.RelayService;
import org.xp2p.relay.RelayTotals;
import org.xp2p.swarm.SwarmService;

/**
 * {@code GET /xp2p/metrics}: node figures in the Prometheus text exposition format (version 0.0.4).
 * Gauges for what is live now, counters for sums over the streams relayed now.
 */
final class MetricsServlet extends HttpServlet {
    private final transient RelayService relay;
    private final transient SwarmService swarm;

    MetricsServlet(RelayService relay, SwarmService swarm) {
        this.relay = relay;
        this.swarm = swarm;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        RelayTotals t = relay.totals();
        StringBuilder b = new StringBuilder(1024);
        gauge(b, "xp2p_relay_streams", "Streams relayed by this node now.", t.streams());
        gauge(b, "xp2p_relay_viewers", "HTTP viewers connected now.", t.viewers());
        gauge(b, "xp2p_relay_bytes_in", "Bytes read from origins by the streams relayed now.", t.bytesIn());
        gauge(b, "xp2p_relay_bytes_out", "Bytes written to viewers by the streams relayed now.", t.bytesOut());
        gauge(b, "xp2p_relay_chunks", "Chunks closed by the streams relayed now.", t.chunks());
        gauge(b, "xp2p_relay_origin_reconnects", "Origin recoveries of the streams relayed now.", t.originReconnects());
        gauge(b, "xp2p_relay_viewers_dropped", "Lagging viewers disconnected (streams relayed now).", t.droppedViewers());
        gauge(b, "xp2p_relay_viewers_skipped", "Skips of lagging viewers (streams relayed now).", t.skippedViewers());
        gauge(b, "xp2p_relay_chunk_bytes_out", "Body bytes of init and chunk answers (streams relayed now).",
                t.chunkBytesOut());
        gauge(b, "xp2p_relay_chunk_requests", "Init and chunk requests answered 200 (streams relayed now).",
                t.chunkRequests());
        gauge(b, "xp2p_relay_holds", "Swarm rooms holding a stream's pull now.", t.holds());
        gauge(b, "xp2p_swarm_peers", "Signalling connections (peers) now.", swarm.connections());
        gauge(b, "xp2p_swarm_rooms", "Swarm rooms with members now.", swarm.rooms());
        Runtime rt = Runtime.getRuntime();
        gauge(b, "xp2p_jvm_heap_used_bytes", "JVM heap in use.", rt.totalMemory() - rt.freeMemory());
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
