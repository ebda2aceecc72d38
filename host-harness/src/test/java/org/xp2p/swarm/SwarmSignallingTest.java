package org.xp2p.swarm;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/** Signalling through the deployed WAR: join, tree, relay, room isolation, statistics, shutdown. */
class SwarmSignallingTest {
    @TempDir
    Path data;
    private Host host;
    private final List<SignalClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.swarm.auth", "none")
                .setting("xp2p.swarm.iceServers", "stun:127.0.0.1:3478")
                .setting("xp2p.swarm.maxSlots", 2)
                // placement as declared: this test is about signalling, not upload measurement
                .setting("xp2p.swarm.probeSlots", 2)
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        host.stop();
    }

    private SignalClient client() {
        SignalClient c = SignalClient.connect(host.baseUri());
        clients.add(c);
        return c;
    }

    @Test
    void joinAssignsParentsAndRelaysSignallingWithinTheRoom() {
        SignalClient a = client();
        Map<String, Object> joined = a.join("cam1", true, 2, "\"network\":\"wifi\"");
        assertEquals("cam1", joined.get("room"));
        assertTrue(((String) joined.get("peer")).length() >= 8);
        assertNull(joined.get("stream"), "stream not relayed yet");
        assertEquals(List.of(Map.of("urls", "stun:127.0.0.1:3478")), joined.get("iceServers"));
        Map<String, Object> parentA = a.expect("parent");
        assertEquals("server", parentA.get("parent"));
        assertEquals(1L, parentA.get("depth"));

        SignalClient b = client();
        b.join("cam1", true, 2, null);
        Map<String, Object> parentB = b.expect("parent");
        assertEquals(a.peerId, parentB.get("parent"));
        assertEquals(2L, parentB.get("depth"));
        assertEquals(List.of(b.peerId), a.expect("children").get("children"));

        SignalClient c = client();
        c.join("cam1", false, 0, "\"network\":\"cellular\"");
        assertEquals(a.peerId, c.expect("parent").get("parent"), "a has the smallest depth and a free slot");

        b.send("{\"v\":1,\"type\":\"offer\",\"to\":\"" + a.peerId + "\",\"data\":{\"sdp\":\"v=0 offer\",\"n\":[1,2]}}");
        Map<String, Object> offer = a.expect("offer");
        assertEquals(b.peerId, offer.get("from"));
        assertEquals("cam1", offer.get("room"));
        assertEquals(Map.of("sdp", "v=0 offer", "n", List.of(1L, 2L)), offer.get("data"));
        a.send("{\"v\":1,\"type\":\"answer\",\"room\":\"cam1\",\"to\":\"" + b.peerId + "\",\"data\":{\"sdp\":\"v=0 answer\"}}");
        assertEquals(Map.of("sdp", "v=0 answer"), b.expect("answer").get("data"));
        a.send("{\"v\":1,\"type\":\"candidate\",\"to\":\"" + b.peerId + "\",\"data\":{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 5000 typ host\"}}");
        assertEquals(a.peerId, b.expect("candidate").get("from"));

        // the parent leaves: its children are re-homed at once and told so
        a.close();
        Map<String, Object> rehomedB = b.expect("parent");
        Map<String, Object> rehomedC = c.expect("parent");
        assertFalse(a.peerId.equals(rehomedB.get("parent")));
        assertFalse(a.peerId.equals(rehomedC.get("parent")));
    }

    @Test
    void signallingAcrossRoomsAndToUnknownPeersIsRefused() {
        SignalClient a = client();
        a.join("cam1", true, 2, null);
        SignalClient x = client();
        x.join("live/cam2", true, 2, null);

        x.send("{\"v\":1,\"type\":\"offer\",\"to\":\"" + a.peerId + "\",\"data\":{\"sdp\":\"evil\"}}");
        Map<String, Object> refused = x.expect("error");
        assertEquals("not_in_room", refused.get("code"));
        assertEquals("offer", refused.get("ref"));
        x.send("{\"v\":1,\"type\":\"offer\",\"to\":\"nobody\",\"data\":{}}");
        assertEquals("unknown_peer", x.expect("error").get("code"));
        x.send("{\"v\":1,\"type\":\"offer\",\"room\":\"cam1\",\"to\":\"" + a.peerId + "\",\"data\":{}}");
        assertEquals("not_joined", x.expect("error").get("code"));

        a.roundTrip();
        assertEquals(List.of(), a.received("offer"), "nothing crossed rooms");
        x.send("{\"v\":1,\"type\":\"join\",\"room\":\"../etc\"}");
        assertEquals("bad_room", x.expect("error").get("code"));
    }

    @Test
    void statAggregatesReportsOfSeveralPeersAndAnswers404ForUnknownRooms() throws Exception {
        SignalClient a = client();
        a.join("cam9", true, 2, null);
        SignalClient b = client();
        b.join("cam9", true, 2, null);
        SignalClient c = client();
        c.join("cam9", false, 0, null);
        a.send("{\"v\":1,\"type\":\"stats\",\"p2pBytes\":0,\"cdnBytes\":5000,\"uploadBytes\":3000,\"stalls\":0}");
        b.send("{\"v\":1,\"type\":\"stats\",\"p2pBytes\":1000,\"cdnBytes\":0,\"uploadBytes\":0,\"stalls\":1}");
        c.send("{\"v\":1,\"type\":\"stats\",\"p2pBytes\":2000,\"cdnBytes\":0,\"uploadBytes\":0,\"stalls\":0}");
        c.send("{\"v\":1,\"type\":\"stats\",\"p2pBytes\":1500,\"cdnBytes\":0}");
        assertEquals("bad_stats", c.expect("error").get("code"), "counters never go backwards");
        a.roundTrip();
        b.roundTrip();
        c.roundTrip();

        HttpResponse<String> stat = get("/stat?xresid=cam9");
        assertEquals(200, stat.statusCode());
        assertTrue(stat.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> body = SignalClient.parse(stat.body());
        assertEquals(Map.of("p2pBytes", 3000L, "cdnBytes", 5000L, "uploadBytes", 3000L), body.get("flow"));
        assertEquals(1L, body.get("stalls"));
        assertEquals(3L, body.get("peers"));
        assertEquals(0.375, (Double) body.get("offload"), 1e-9);

        // a departed peer's bytes still count for the room
        c.close();
        Poll.await("two peers in /stat", 10_000, () -> ((Long) SignalClient.parse(get("/stat?xresid=cam9").body()).get("peers")) == 2L);
        assertEquals(Map.of("p2pBytes", 3000L, "cdnBytes", 5000L, "uploadBytes", 3000L),
                SignalClient.parse(get("/stat?xresid=cam9").body()).get("flow"));

        HttpResponse<String> unknown = get("/stat?xresid=nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown_room", SignalClient.parse(unknown.body()).get("error"));
        assertEquals(400, get("/stat").statusCode());

        Map<String, Object> view = SignalClient.parse(get("/xp2p/rooms/cam9").body());
        assertEquals("cam9", view.get("room"));
        List<?> nodes = (List<?>) view.get("nodes");
        assertEquals(2, nodes.size());
        assertEquals(2, ((List<?>) view.get("edges")).size());
        assertEquals(view, SignalClient.parse(get("/xp2p/rooms?xresid=cam9").body()));
        Map<String, Object> all = SignalClient.parse(get("/xp2p/rooms").body());
        assertEquals(1, ((List<?>) all.get("rooms")).size());
        assertEquals(2L, all.get("connections"));
        assertEquals(404, get("/xp2p/rooms/nope").statusCode());
    }

    @Test
    void shutdownClosesPeersWithGoingAway() throws Exception {
        SignalClient a = client();
        a.join("cam1", true, 2, null);
        host.stop();
        assertEquals(1001, a.awaitClose());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return SignalClient.HTTP.send(HttpRequest.newBuilder(URI.create(host.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
