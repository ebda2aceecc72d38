package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;
import org.xp2p.testkit.RealTools;

/** {@code promtool check metrics} (Debian package prometheus) accepts a scrape of {@code /xp2p/metrics}. */
@Tag("real")
class MetricsPromtoolRealTest {
    @TempDir
    Path data;
    private Host host;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
    }

    @Test
    void promtoolFindsNoProblemInAScrape() throws Exception {
        String promtool = RealTools.require("promtool").toString();
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.swarm.auth", "none").build().start();
        try (SignalClient peer = SignalClient.connect(host.baseUri())) {
            peer.join("cam1", true, 2, null);
            peer.send("{\"v\":1,\"type\":\"stats\",\"p2pBytes\":5,\"cdnBytes\":7}");
            peer.send("{\"v\":1,\"type\":\"nope\"}");
            assertEquals("unknown_type", peer.expect("error").get("code"));
            HttpResponse<String> r = SignalClient.HTTP.send(HttpRequest.newBuilder(
                    URI.create(host.baseUri() + "/xp2p/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Path scrape = data.resolve("scrape.txt");
            Files.writeString(scrape, r.body(), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(scrape.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool timed out");
            assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out + "\nscrape:\n" + r.body());
            assertTrue(out.isBlank(), out);
            assertTrue(r.body().contains("xp2p_swarm_refusals_total{code=\"unknown_type\"} 1.0"), r.body());
        }
    }
}
