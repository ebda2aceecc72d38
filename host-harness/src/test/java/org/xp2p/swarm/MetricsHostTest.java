package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;
import org.xp2p.testkit.Poll;
import org.xp2p.testkit.ReplayOrigin;

/**
 * {@code /xp2p/metrics} on a real embedded host (docs/PROTOCOL.md section 2.5): watching a stream,
 * joining a room and reporting stats make the counters rise, and they do not fall when the stream
 * stops.
 */
class MetricsHostTest {
    @TempDir
    Path data;
    private ReplayOrigin origin;
    private Host host;
    private final List<SignalClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

    /** Scrapes: sample (name with labels) -> value. */
    static Map<String, Double> scrape(Host host) throws Exception {
        HttpResponse<String> r = SignalClient.HTTP.send(HttpRequest.newBuilder(
                URI.create(host.baseUri() + "/xp2p/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        Map<String, Double> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(r.body());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static double v(Map<String, Double> s, String sample) {
        Double d = s.get(sample);
        if (d == null) {
            throw new AssertionError("no sample " + sample + " in " + s.keySet());
        }
        return d;
    }

    private static byte[] demoRecording() throws IOException {
        try (InputStream in = MetricsHostTest.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            return in.readAllBytes();
        }
    }

    @Test
    void countersRiseWithTrafficAndDoNotFallWhenTheStreamStops() throws Exception {
        origin = new ReplayOrigin(demoRecording(), 0);
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.origin", origin.baseUri())
                .setting("xp2p.swarm.auth", "none").setting("xp2p.idleSeconds", "1").build().start();
        Map<String, Double> before = scrape(host);
        assertEquals(0.0, v(before, "xp2p_relay_flv_bytes_out_total"));
        assertEquals(0.0, v(before, "xp2p_relay_streams"));

        // an http-flv viewer reads some of the stream
        HttpResponse<InputStream> view = SignalClient.HTTP.send(HttpRequest.newBuilder(
                URI.create(host.baseUri() + "/live/m1.flv")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, view.statusCode());
        try (InputStream body = view.body()) {
            assertEquals(64 * 1024, body.readNBytes(64 * 1024).length);
            Map<String, Double> during = scrape(host);
            assertEquals(1.0, v(during, "xp2p_relay_streams"));
            assertEquals(1.0, v(during, "xp2p_relay_viewers"));
            assertEquals(1.0, v(during, "xp2p_relay_viewers_served_total"));
            assertTrue(v(during, "xp2p_relay_flv_bytes_out_total") >= 64 * 1024, during.toString());
            assertTrue(v(during, "xp2p_relay_bytes_in_total") > 0);
            assertEquals(1.0, v(during, "xp2p_relay_first_byte_seconds_count"));
        }

        // a peer joins, reports twice (cumulative), and sends one bad message
        SignalClient peer = SignalClient.connect(host.baseUri());
        clients.add(peer);
        peer.join("cam7", true, 2, null);
        peer.send("{\"v\":1,\"type\":\"stats\",\"room\":\"cam7\",\"p2pBytes\":1000,\"cdnBytes\":3000,\"uploadBytes\":500}");
        peer.send("{\"v\":1,\"type\":\"stats\",\"room\":\"cam7\",\"p2pBytes\":1500,\"cdnBytes\":3000,\"uploadBytes\":700}");
        peer.send("{\"v\":1,\"type\":\"stats\",\"room\":\"cam7\",\"p2pBytes\":10}");
        assertEquals("bad_stats", peer.expect("error").get("code"));
        peer.send("not json");
        assertEquals("bad_json", peer.expect("error").get("code"));
        Map<String, Double> swarm = scrape(host);
        assertEquals(1500.0, v(swarm, "xp2p_swarm_peer_p2p_bytes_total"));
        assertEquals(3000.0, v(swarm, "xp2p_swarm_peer_cdn_bytes_total"));
        assertEquals(700.0, v(swarm, "xp2p_swarm_peer_upload_bytes_total"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_messages_total{type=\"join\"}"));
        assertEquals(3.0, v(swarm, "xp2p_swarm_messages_total{type=\"stats\"}"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_messages_total{type=\"invalid\"}"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_refusals_total{code=\"bad_stats\"}"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_refusals_total{code=\"bad_json\"}"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_join_seconds_count"));
        assertEquals(1.0, v(swarm, "xp2p_swarm_peers"));
        assertTrue(v(swarm, "xp2p_swarm_rooms") >= 1.0);

        // the viewer is gone and the idle stream stops: the counters keep their values
        double out = v(swarm, "xp2p_relay_flv_bytes_out_total");
        double in = v(swarm, "xp2p_relay_bytes_in_total");
        peer.close(); // the room's hold on its own stream goes too
        Poll.await("the idle streams stop", 20_000, () -> {
            try {
                return v(scrape(host), "xp2p_relay_streams") == 0.0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Map<String, Double> after = scrape(host);
        assertEquals(0.0, v(after, "xp2p_relay_viewers"));
        assertTrue(v(after, "xp2p_relay_flv_bytes_out_total") >= out, after.toString());
        assertTrue(v(after, "xp2p_relay_bytes_in_total") >= in, after.toString());
        assertEquals(1.0, v(after, "xp2p_relay_viewers_served_total"));
        assertEquals(1500.0, v(after, "xp2p_swarm_peer_p2p_bytes_total"));
    }

    /** Every query of conf/grafana/xp2p-dashboard.json names metrics this node exposes. */
    @Test
    void dashboardQueriesNameExistingMetrics() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data).build().start();
        Set<String> names = new HashSet<>();
        for (String sample : scrape(host).keySet()) {
            names.add(sample.replaceFirst("\\{.*", ""));
        }
        String dashboard = Files.readString(Path.of("..", "conf", "grafana", "xp2p-dashboard.json"));
        Matcher expr = Pattern.compile("\"(?:expr|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        int queries = 0;
        Set<String> used = new HashSet<>();
        while (expr.find()) {
            queries++;
            Matcher metric = Pattern.compile("\\bxp2p_[a-z0-9_]+").matcher(expr.group(1));
            boolean any = false;
            while (metric.find()) {
                any = true;
                used.add(metric.group());
                assertTrue(names.contains(metric.group()), "dashboard query names " + metric.group()
                        + ", not exposed: " + expr.group(1));
            }
            assertTrue(any, "query names no xp2p metric: " + expr.group(1));
        }
        assertTrue(queries >= 10, "queries found: " + queries);
        for (String needed : List.of("xp2p_swarm_peer_p2p_bytes_total", "xp2p_swarm_peer_cdn_bytes_total",
                "xp2p_relay_viewers", "xp2p_swarm_peers", "xp2p_swarm_refusals_total",
                "xp2p_relay_stream_failures_total")) {
            assertTrue(used.contains(needed), "dashboard shows " + needed);
        }
    }
}
