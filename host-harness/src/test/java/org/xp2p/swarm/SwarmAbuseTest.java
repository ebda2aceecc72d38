package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/** Each misbehaviour gets its own clear error or close code, and nobody else notices. */
class SwarmAbuseTest {
    private static final String SECRET = "0123456789abcdef-test-secret";
    @TempDir
    Path data;
    private Host host;
    private final List<SignalClient> clients = new ArrayList<>();

    private void start(Object... settings) throws Exception {
        Host.Builder b = Host.builder().port(0).setting("xp2p.data", data);
        for (int i = 0; i < settings.length; i += 2) {
            b.setting((String) settings[i], settings[i + 1]);
        }
        host = b.build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        if (host != null) {
            host.stop();
        }
    }

    private SignalClient client(String origin) {
        SignalClient c = SignalClient.connect(host.baseUri(), origin);
        clients.add(c);
        return c;
    }

    /** A bystander in another room plus one in the same room: both must keep working. */
    private void assertBystandersFine(SignalClient sameRoom, SignalClient otherRoom) {
        otherRoom.roundTrip();
        sameRoom.roundTrip();
        otherRoom.send("{\"v\":1,\"type\":\"offer\",\"to\":\"" + sameRoom.peerId + "\",\"data\":{}}");
        assertEquals("not_in_room", otherRoom.expect("error").get("code"));
    }

    @Test
    void oversizedMessageClosesWith1009() throws Exception {
        start("xp2p.swarm.maxMessageBytes", 2048, "xp2p.swarm.auth", "none");
        SignalClient same = client(null);
        same.join("cam1", true, 2, null);
        SignalClient other = client(null);
        other.join("cam2", true, 2, null);
        SignalClient big = client(null);
        big.join("cam1", true, 2, null);
        big.sendAsync("{\"v\":1,\"type\":\"offer\",\"to\":\"" + same.peerId + "\",\"data\":{\"sdp\":\"" + "x".repeat(4000) + "\"}}");
        assertEquals(1009, big.awaitClose());
        assertBystandersFine(same, other);
        assertEquals(List.of(), same.received("offer"));
    }

    @Test
    void capsOnNodeAndRoomAnswerTryAgainLater() throws Exception {
        start("xp2p.swarm.auth", "none", "xp2p.swarm.maxPeers", 3, "xp2p.swarm.maxPeersPerRoom", 1);
        SignalClient same = client(null);
        same.join("cam1", true, 2, null);
        SignalClient other = client(null);
        other.join("cam2", true, 2, null);
        SignalClient late = client(null);
        late.send("{\"v\":1,\"type\":\"join\",\"room\":\"cam1\"}");
        assertEquals("room_full", late.expect("error").get("code"));
        assertEquals(1013, late.awaitClose());
        SignalClient third = client(null);
        SignalClient fourth = client(null);
        assertEquals("node_full", fourth.expect("error").get("code"));
        assertEquals(1013, fourth.awaitClose());
        third.roundTrip();
        assertBystandersFine(same, other);
    }

    @Test
    void binaryMessageIsNotPartOfTheProtocol() throws Exception {
        start("xp2p.swarm.auth", "none");
        SignalClient same = client(null);
        same.join("cam1", true, 2, null);
        SignalClient other = client(null);
        other.join("cam2", true, 2, null);
        SignalClient binary = client(null);
        binary.join("cam1", true, 2, null);
        binary.sendBinary(new byte[] {1, 2, 3});
        assertEquals("binary_unsupported", binary.expect("error").get("code"));
        assertEquals(1003, binary.awaitClose());
        assertBystandersFine(same, other);
    }

    @Test
    void floodPastTheRateLimitGetsAnErrorThenClose1008() throws Exception {
        start("xp2p.swarm.messagesPerSecond", 1, "xp2p.swarm.messageBurst", 5, "xp2p.swarm.auth", "none");
        SignalClient same = client(null);
        same.join("cam1", true, 2, null);
        SignalClient other = client(null);
        other.join("cam2", true, 2, null);
        SignalClient flood = client(null);
        // the burst plus one, back to back, then the flooder stops writing: writing on after the
        // server's close would only race the TCP teardown (a reset discards unread data), not test the server
        flood.sendRepeatedly("{\"v\":1,\"type\":\"ping\"}", 6);
        assertEquals("rate_limited", flood.expect("error").get("code"));
        assertEquals(1008, flood.awaitClose());
        assertTrue(flood.received("pong").size() <= 5, "no more than the burst was served");
        assertBystandersFine(same, other);
    }

    @Test
    void malformedMessagesGetErrorsAndTheConnectionSurvives() throws Exception {
        start("xp2p.swarm.auth", "none");
        SignalClient c = client(null);
        String[][] cases = {
            {"{not json", "bad_json"},
            {"[1,2]", "bad_json"},
            {"{\"v\":1,\"type\":\"ping\"} trailing", "bad_json"},
            {"{\"v\":1,\"type\":\"join\",\"room\":\"a\",\"room\":\"b\"}", "bad_json"},
            {"{\"v\":1,\"type\":\"ping\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", "bad_json"},
            {"{\"v\":2,\"type\":\"ping\"}", "unsupported_version"},
            {"{\"type\":\"ping\"}", "unsupported_version"},
            {"{\"v\":\"1\",\"type\":\"ping\"}", "unsupported_version"},
            {"{\"v\":1.0,\"type\":\"ping\"}", "unsupported_version"},
            {"{\"v\":99999999999,\"type\":\"ping\"}", "unsupported_version"},
            {"{\"v\":1}", "bad_field"},
            {"{\"v\":1,\"type\":\"fly\"}", "unknown_type"},
            {"{\"v\":1,\"type\":\"join\",\"room\":\"cam1\",\"slots\":\"many\"}", "bad_field"},
            {"{\"v\":1,\"type\":\"join\",\"room\":\"cam1\",\"network\":\"carrier-pigeon\"}", "bad_field"},
            {"{\"v\":1,\"type\":\"offer\",\"to\":\"x\",\"data\":{}}", "not_joined"},
        };
        for (String[] bad : cases) {
            c.send(bad[0]);
            assertEquals(bad[1], c.expect("error").get("code"), bad[0]);
        }
        c.roundTrip();
        c.join("cam1", true, 2, null);
        assertEquals("server", c.expect("parent").get("parent"));
    }

    @Test
    void foreignOriginIsRefusedWith403AtTheHandshake() throws Exception {
        start("xp2p.swarm.allowedOrigins", "https://viewer.example", "xp2p.swarm.auth", "none");
        CompletionException e = assertThrows(CompletionException.class,
                () -> SignalClient.connect(host.baseUri(), "https://evil.example"));
        WebSocketHandshakeException hs = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(403, hs.getResponse().statusCode());
        SignalClient ok = client("https://viewer.example");
        ok.join("cam1", true, 2, null);
        SignalClient nativeClient = client(null);
        nativeClient.join("cam1", true, 2, null);
    }

    @Test
    void joinWithoutAuthIsRefusedWhereAuthIsRequired() throws Exception {
        start("xp2p.swarm.auth", "required", "xp2p.swarm.tokenSecret", SECRET);
        SignalClient member = client(null);
        member.join("cam1", true, 2, "\"token\":\"" + token("cam1", System.currentTimeMillis() / 1000 + 600) + "\"");
        assertEquals("server", member.expect("parent").get("parent"));

        SignalClient anonymous = client(null);
        anonymous.send("{\"v\":1,\"type\":\"join\",\"room\":\"cam1\"}");
        Map<String, Object> error = anonymous.expect("error");
        assertEquals("auth_required", error.get("code"));
        assertEquals("join", error.get("ref"));
        assertEquals(1008, anonymous.awaitClose());

        SignalClient forged = client(null);
        forged.send("{\"v\":1,\"type\":\"join\",\"room\":\"cam1\",\"token\":\"" + token("cam2", System.currentTimeMillis() / 1000 + 600) + "\"}");
        assertEquals("auth_failed", forged.expect("error").get("code"));
        assertEquals(1008, forged.awaitClose());

        SignalClient expired = client(null);
        expired.send("{\"v\":1,\"type\":\"join\",\"room\":\"cam1\",\"token\":\"" + token("cam1", System.currentTimeMillis() / 1000 - 5) + "\"}");
        assertEquals("auth_failed", expired.expect("error").get("code"));

        SignalClient badCode = client(null);
        badCode.send("{\"v\":1,\"type\":\"join\",\"room\":\"cam1\",\"code\":\"no-such-code\"}");
        assertEquals("auth_failed", badCode.expect("error").get("code"));

        member.roundTrip();
        assertEquals(List.of(), member.received("children"), "refused peers never entered the tree");
    }

    @Test
    void peerThatStopsReadingIsDroppedWithoutHurtingOthers() throws Exception {
        // probeSlots 2: declared slots count at once, so the sender is placed below the slow peer
        start("xp2p.swarm.auth", "none", "xp2p.swarm.maxMessageBytes", 1_048_576, "xp2p.swarm.sendQueue", 4,
                "xp2p.swarm.messagesPerSecond", 100_000, "xp2p.swarm.messageBurst", 100_000, "xp2p.swarm.probeSlots", 2);
        SignalClient slow = client(null);
        slow.join("cam1", true, 2, null);
        SignalClient same = client(null);
        same.join("cam1", true, 2, null);
        SignalClient other = client(null);
        other.join("cam2", true, 2, null);
        SignalClient sender = client(null);
        sender.join("cam1", false, 0, null);
        slow.stopReading();

        String payload = "y".repeat(500_000);
        int sent = 0;
        while (sent < 400 && sender.received("error").isEmpty()) {
            sender.send("{\"v\":1,\"type\":\"offer\",\"to\":\"" + slow.peerId + "\",\"data\":{\"sdp\":\"" + payload + "\"}}");
            sent++;
        }
        assertEquals("unknown_peer", sender.expect("error").get("code"), "slow peer dropped after " + sent + " messages");
        assertEquals(200, statusOf("/xp2p/rooms/cam1"));
        assertEquals(404, roomHasPeer("cam1", slow.peerId), "the room view no longer lists the slow peer");

        sender.send("{\"v\":1,\"type\":\"offer\",\"to\":\"" + same.peerId + "\",\"data\":{\"sdp\":\"still here\"}}");
        assertEquals("still here", ((Map<?, ?>) same.expect("offer").get("data")).get("sdp"));
        assertBystandersFine(same, other);

        slow.resumeReading();
        assertEquals(1008, slow.awaitClose());
    }

    @Test
    void silentParentTimesOutAndItsChildIsRehomed() throws Exception {
        start("xp2p.swarm.auth", "none", "xp2p.swarm.idleTimeoutSeconds", 5);
        SignalClient parent = client(null);
        parent.join("cam1", true, 2, null);
        SignalClient child = client(null);
        Map<String, Object> joined = child.join("cam1", true, 2, null);
        assertEquals(1L, joined.get("heartbeatSeconds"));
        assertEquals(parent.peerId, child.expect("parent").get("parent"));
        var heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            // the child keeps its heartbeat, the parent falls silent
            heartbeat.scheduleAtFixedRate(() -> child.sendAsync("{\"v\":1,\"type\":\"ping\"}"), 1, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1001, parent.awaitClose(), "the silent parent was closed (idle timeout)");
            assertEquals("server", child.expect("parent").get("parent"), "re-homed as soon as its parent timed out");
        } finally {
            heartbeat.shutdownNow();
        }
    }

    /** 404 when the room view no longer lists the peer, 200 while it does. */
    private int roomHasPeer(String room, String peer) throws Exception {
        HttpResponse<String> r = SignalClient.HTTP.send(HttpRequest.newBuilder(URI.create(host.baseUri() + "/xp2p/rooms/" + room)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().contains("\"" + peer + "\"") ? 200 : 404;
    }

    private int statusOf(String path) throws Exception {
        return SignalClient.HTTP.send(HttpRequest.newBuilder(URI.create(host.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The documented token format, computed independently of the server's code. */
    static String token(String room, long expiry) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal(("xp2p-swarm-v1\n" + room + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }
}
