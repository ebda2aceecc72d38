package org.xp2p.affinity;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.affinity.ClusterTestSupport.base;
import static org.xp2p.affinity.ClusterTestSupport.get;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;
import org.xp2p.testkit.ReplayOrigin;

/**
 * Three embedded hosts on loopback with static membership (redirect mode, 302, no origin: only the
 * routing decision matters) plus a two-node cluster in proxy mode, with a replay origin, and 307
 * redirects for what cannot be proxied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticClusterTest {
    private final List<Host> hosts = new ArrayList<>();
    private List<String> redirectNodes;
    private List<String> proxyNodes;
    private ReplayOrigin origin;

    @BeforeAll
    void startClusters(@TempDir Path tmp) throws Exception {
        try (InputStream rec = StaticClusterTest.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            origin = new ReplayOrigin(rec.readAllBytes(), 0);
        }
        List<Integer> ports = ClusterTestSupport.freePorts(5);
        redirectNodes = List.of(base(ports.get(0)), base(ports.get(1)), base(ports.get(2)));
        proxyNodes = List.of(base(ports.get(3)), base(ports.get(4)));
        for (int i = 0; i < 3; i++) {
            hosts.add(ClusterTestSupport.startHost(ports.get(i), tmp.resolve("r" + i), Map.of(
                    "xp2p.cluster.nodes", String.join(",", redirectNodes),
                    "xp2p.cluster.self", redirectNodes.get(i)), Map.of()));
        }
        for (int i = 0; i < 2; i++) {
            hosts.add(ClusterTestSupport.startHost(ports.get(3 + i), tmp.resolve("p" + i), Map.of(
                    "xp2p.cluster.nodes", String.join(",", proxyNodes),
                    "xp2p.cluster.self", proxyNodes.get(i) + "/",
                    "xp2p.cluster.mode", "proxy",
                    "xp2p.cluster.redirect", "307",
                    "xp2p.cluster.proxyMaxStreams", "1",
                    "xp2p.origin", origin.baseUri().toString()), Map.of()));
        }
    }

    @AfterAll
    void stopHosts() throws Exception {
        for (Host h : hosts) {
            h.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    /** The node that serves {@code path?query} itself, found by asking every node. */
    private String ownerOf(List<String> nodes, String pathAndQuery) throws Exception {
        String owner = null;
        for (String node : nodes) {
            HttpResponse<String> r = get(node + pathAndQuery);
            if (r.statusCode() != 302 && r.statusCode() != 307) {
                assertEquals(null, owner, "two nodes serve " + pathAndQuery);
                assertEquals(node, r.headers().firstValue("X-Xp2p-Node").orElse(null));
                owner = node;
            }
        }
        assertTrue(owner != null, "no node serves " + pathAndQuery);
        return owner;
    }

    @Test
    void nonOwnersRedirectToTheOwnerWithPathAndQueryPreserved() throws Exception {
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String pathAndQuery = "/live/cam" + i + ".flv?xp2p=chunk&seq=" + i + "&token=a%2Fb";
            String owner = ownerOf(redirectNodes, pathAndQuery);
            owners.add(owner);
            for (String node : redirectNodes) {
                if (node.equals(owner)) {
                    continue;
                }
                HttpResponse<String> r = get(node + pathAndQuery);
                assertEquals(302, r.statusCode());
                assertEquals(owner + pathAndQuery + "&xp2p_hop=1", r.headers().firstValue("Location").orElseThrow());
                assertEquals(owner, r.headers().firstValue("X-Xp2p-Owner").orElseThrow());
                // following the redirect reaches the owner, which serves it (no second redirect)
                HttpResponse<String> followed = get(r.headers().firstValue("Location").orElseThrow());
                assertNotEquals(302, followed.statusCode());
                assertEquals(owner, followed.headers().firstValue("X-Xp2p-Node").orElseThrow());
            }
            // init, stat and signalling of the same stream belong to the same owner
            assertEquals(owner, ownerOf(redirectNodes, "/live/cam" + i + ".flv?xp2p=init"));
            assertEquals(owner, ownerOf(redirectNodes, "/stat?xresid=live/cam" + i));
            assertEquals(owner, ownerOf(redirectNodes, "/xp2p/signal?xresid=live%2Fcam" + i));
            assertEquals(owner, ownerOf(redirectNodes, "/xp2p/streams?xresid=live/cam" + i));
        }
        assertEquals(3, owners.size(), "30 streams spread over all three nodes");
    }

    @Test
    void aRequestWithoutAQueryGetsOnlyTheHopMarker() throws Exception {
        String owner = ownerOf(redirectNodes, "/a/b/c.flv");
        String other = redirectNodes.stream().filter(n -> !n.equals(owner)).findFirst().orElseThrow();
        HttpResponse<String> r = get(other + "/a/b/c.flv");
        assertEquals(owner + "/a/b/c.flv?xp2p_hop=1", r.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void aHoppedRequestAtANonOwnerIsRefusedInsteadOfLooping() throws Exception {
        String owner = ownerOf(redirectNodes, "/live/loop.flv");
        String other = redirectNodes.stream().filter(n -> !n.equals(owner)).findFirst().orElseThrow();
        HttpResponse<String> r = get(other + "/live/loop.flv?xp2p_hop=1");
        assertEquals(503, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(r.body().contains("\"error\":\"affinity_loop\""), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(owner, r.headers().firstValue("X-Xp2p-Owner").orElseThrow());
        // the same marker at the owner is served normally (by the relay, whatever it answers)
        HttpResponse<String> atOwner = get(owner + "/live/loop.flv?xp2p_hop=1");
        assertEquals(owner, atOwner.headers().firstValue("X-Xp2p-Node").orElseThrow());
        assertFalse(atOwner.body().contains("affinity_loop"), atOwner.body());
    }

    @Test
    void requestsWithoutAStreamPassThroughEverywhere() throws Exception {
        for (String node : redirectNodes) {
            for (String path : List.of("/code?xresid=live/cam1", "/xp2p/health", "/stat", "/live/bad%2e%2e.flv")) {
                HttpResponse<String> r = get(node + path);
                assertTrue(r.statusCode() < 300 || r.statusCode() >= 400, path + " answered " + r.statusCode());
                assertFalse(r.headers().firstValue("Location").isPresent(), path);
                assertFalse(r.headers().firstValue("X-Xp2p-Node").isPresent(), path);
            }
        }
    }

    @Test
    void proxyModeStreamsTheOwnersResponseThrough() throws Exception {
        for (int i = 0; i < 6; i++) {
            String pathAndQuery = "/live/proxied" + i + ".flv?xp2p=init";
            String owner = null;
            String other = null;
            StringBuilder seen = new StringBuilder();
            for (String node : proxyNodes) {
                HttpResponse<String> r = get(node + pathAndQuery);
                seen.append(node).append(" -> ").append(r.statusCode()).append(' ').append(r.headers().map())
                        .append(' ').append(r.body()).append('\n');
                if (r.headers().firstValue("X-Xp2p-Proxied-By").isPresent()) {
                    other = node;
                } else {
                    owner = node;
                }
            }
            assertTrue(owner != null && other != null, "one node serves, the other proxies:\n" + seen);
            HttpResponse<String> direct = get(owner + pathAndQuery);
            HttpResponse<String> proxied = get(other + pathAndQuery);
            assertEquals(direct.statusCode(), proxied.statusCode());
            assertEquals(direct.body(), proxied.body());
            assertEquals(owner, proxied.headers().firstValue("X-Xp2p-Node").orElseThrow(), "served by the owner");
            assertEquals(other, proxied.headers().firstValue("X-Xp2p-Proxied-By").orElseThrow());
            assertFalse(proxied.headers().firstValue("Location").isPresent());

            // what cannot be proxied is redirected with the configured 307
            HttpResponse<String> post = ClusterTestSupport.HTTP.send(HttpRequest.newBuilder(
                            URI.create(other + pathAndQuery)).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(307, post.statusCode());
            assertEquals(owner + pathAndQuery + "&xp2p_hop=1", post.headers().firstValue("Location").orElseThrow());
        }
    }

    @Test
    void aLiveStreamProxiedByANonOwnerIsPulledOnceByTheOwner() throws Exception {
        String path = "/live/proxied-live.flv";
        HttpResponse<InputStream> viaOther = null;
        HttpResponse<InputStream> direct = null;
        try {
            for (String node : proxyNodes) {
                HttpResponse<InputStream> r = ClusterTestSupport.open(node + path);
                if (r.headers().firstValue("X-Xp2p-Proxied-By").isPresent()) {
                    viaOther = r;
                } else {
                    direct = r;
                }
            }
            assertTrue(viaOther != null && direct != null, "one node serves, the other proxies");
            for (HttpResponse<InputStream> r : List.of(viaOther, direct)) {
                assertEquals(200, r.statusCode());
                assertEquals("FLV", new String(r.body().readNBytes(3), StandardCharsets.US_ASCII));
            }
            assertEquals(direct.headers().firstValue("X-Xp2p-Node"), viaOther.headers().firstValue("X-Xp2p-Node"));
            assertEquals(1, origin.connections(path), "the origin is pulled once, by the owner");

            // proxying is bounded (proxyMaxStreams=1 here): a second proxied stream is refused clearly
            String proxy = viaOther.headers().firstValue("X-Xp2p-Proxied-By").orElseThrow();
            HttpResponse<String> busy = get(proxy + path);
            assertEquals(503, busy.statusCode());
            assertTrue(busy.body().contains("\"error\":\"proxy_busy\""), busy.body());
        } finally {
            for (HttpResponse<InputStream> r : java.util.Arrays.asList(viaOther, direct)) {
                if (r != null) {
                    r.body().close();
                }
            }
        }
        // the slot is freed once the proxied viewer is gone
        String proxy = viaOther.headers().firstValue("X-Xp2p-Proxied-By").orElseThrow();
        org.xp2p.testkit.Poll.await("the proxy slot is released", 5_000, () -> {
            try {
                HttpResponse<String> r = get(proxy + path + "?xp2p=init");
                return r.headers().firstValue("X-Xp2p-Proxied-By").isPresent() && r.statusCode() != 503;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void withoutClusterConfigurationNoFilterIsInstalled(@TempDir Path tmp) throws Exception {
        Host single = ClusterTestSupport.startHost(0, tmp, Map.of(), Map.of());
        try {
            HttpResponse<String> r = get(single.baseUri() + "/live/cam1.flv?xp2p=init");
            assertNotEquals(302, r.statusCode());
            assertFalse(r.headers().firstValue("X-Xp2p-Node").isPresent(), "no affinity filter ran");
        } finally {
            single.stop();
        }
    }

    @Test
    void aWebSocketUpgradeInProxyModeIsRedirected() throws Exception {
        String stream = "room-ws";
        String owner = null;
        for (String node : proxyNodes) {
            if (get(node + "/xp2p/signal?xresid=" + stream).headers().firstValue("X-Xp2p-Proxied-By").isEmpty()) {
                owner = node;
            }
        }
        String other = proxyNodes.get(0).equals(owner) ? proxyNodes.get(1) : proxyNodes.get(0);
        String atOther = handshake(URI.create(other), stream);
        assertTrue(atOther.startsWith("HTTP/1.1 307"), atOther);
        assertTrue(atOther.contains("Location: " + owner + "/xp2p/signal?xresid=" + stream + "&xp2p_hop=1"), atOther);
        // the signalling endpoint sits behind the filter, and the owner itself upgrades
        String atOwner = handshake(URI.create(owner), stream);
        assertTrue(atOwner.startsWith("HTTP/1.1 101"), atOwner);
    }

    /** Sends a raw WebSocket handshake and returns the response head. */
    private static String handshake(URI target, String stream) throws Exception {
        try (Socket s = new Socket(target.getHost(), target.getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /xp2p/signal?xresid=" + stream + " HTTP/1.1\r\nHost: " + target.getAuthority()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0 && head.length() < 8192) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            return head.toString();
        }
    }
}
